// The simulated machine: a plan's duration on the wall clock, halted in place by faults and resumed where it
// stopped, or abandoned there when staff take over in manual mode.
#include "gateway/machine_driver.hpp"

#include <algorithm>

namespace tower::gateway {

const char* to_string(Fault fault) {
  switch (fault) {
    case Fault::emergency_stop: return "emergency_stop";
    case Fault::lift_out_of_service: return "lift_out_of_service";
    case Fault::transfer_jam: return "transfer_jam";
    case Fault::door_sensor_mismatch: return "door_sensor_mismatch";
    case Fault::position_jump: return "position_jump";
  }
  return "unknown";
}

std::optional<Fault> fault_from_string(std::string_view name) {
  for (Fault fault : all_faults)
    if (name == to_string(fault)) return fault;
  return std::nullopt;
}

SimulatedDriver::SimulatedDriver(Executor sequencer, double speed, TowerLayout layout)
    : timer_(sequencer), speed_(speed), layout_(std::move(layout)) {}

std::chrono::microseconds SimulatedDriver::wall(Duration plan_time) const {
  return std::chrono::microseconds(static_cast<std::int64_t>(static_cast<double>(plan_time.us) / speed_));
}

Duration SimulatedDriver::plan_time(std::chrono::microseconds wall_time) const {
  return Duration{static_cast<std::int64_t>(static_cast<double>(wall_time.count()) * speed_)};
}

void SimulatedDriver::execute(std::uint64_t job, const MachinePlan& plan) {
  job_ = job;
  plan_ = plan;
  pose_ = plan.start_pose;
  left_ = wall(plan.duration);
  if (!status_.halted()) arm();
}

void SimulatedDriver::arm() {
  finishes_at_ = std::chrono::steady_clock::now() + left_;
  timer_.expires_at(finishes_at_);
  const std::uint64_t generation = ++generation_;
  timer_.async_wait([this, generation](const boost::system::error_code& error) {
    if (error || generation != generation_ || !job_) return;
    const std::uint64_t job = *job_;
    job_.reset();
    pose_ = plan_.end_pose;
    if (feedback_.done) feedback_.done(job, pose_);
  });
}

// Stops the plan where it is: the pose becomes the plan's pose at this instant.
void SimulatedDriver::halt() {
  if (!job_) return;
  left_ = std::max(std::chrono::microseconds{0}, std::chrono::duration_cast<std::chrono::microseconds>(
                                                     finishes_at_ - std::chrono::steady_clock::now()));
  ++generation_;
  timer_.cancel();
  pose_ = interrupted_at(plan_, layout_, plan_.duration - plan_time(left_)).pose;
}

MachinePose SimulatedDriver::pose() const {
  if (!job_ || status_.halted()) return pose_;
  const auto left = remaining().value_or(std::chrono::microseconds{0});
  return interrupted_at(plan_, layout_, plan_.duration - plan_time(left)).pose;
}

std::optional<std::chrono::microseconds> SimulatedDriver::remaining() const {
  if (!job_) return std::nullopt;
  if (status_.halted()) return left_;
  return std::max(std::chrono::microseconds{0},
                  std::chrono::duration_cast<std::chrono::microseconds>(finishes_at_ - std::chrono::steady_clock::now()));
}

Status SimulatedDriver::raise(Fault fault, std::string note, std::optional<std::chrono::minutes> expected, BayId bay) {
  if (fault == Fault::door_sensor_mismatch && !bay.valid())
    return make_error(ErrorCode::invalid_argument, "a door_sensor_mismatch names the bay whose sensor disagrees");
  const bool was_halted = status_.halted();
  status_.raised |= static_cast<std::uint8_t>(1u << static_cast<int>(fault));
  if (fault == Fault::door_sensor_mismatch) status_.faulty_bay = bay;
  status_.note = std::move(note);
  status_.expected_back.reset();
  if (expected) status_.expected_back = std::chrono::steady_clock::now() + *expected;
  if (!was_halted) halt();
  if (feedback_.status_changed) feedback_.status_changed();
  return ok_status();
}

Status SimulatedDriver::clear(Fault fault) {
  if (!status_.has(fault)) return make_error(ErrorCode::conflict, std::string("there is no ") + to_string(fault) + " to clear");
  status_.raised &= static_cast<std::uint8_t>(~(1u << static_cast<int>(fault)));
  if (fault == Fault::door_sensor_mismatch) status_.faulty_bay = BayId{};
  if (!status_.halted()) {
    status_.note.clear();
    status_.expected_back.reset();
    if (job_) arm();
  }
  if (feedback_.status_changed) feedback_.status_changed();
  return ok_status();
}

std::optional<MachineDriver::Abandoned> SimulatedDriver::set_manual(bool manual) {
  std::optional<Abandoned> abandoned;
  if (manual && !status_.manual && job_) {
    if (!status_.halted()) halt();
    abandoned = Abandoned{*job_, interrupted_at(plan_, layout_, plan_.duration - plan_time(left_))};
    job_.reset();
    pose_ = abandoned->state.pose;
  }
  status_.manual = manual;
  if (feedback_.status_changed) feedback_.status_changed();
  return abandoned;
}

}  // namespace tower::gateway
