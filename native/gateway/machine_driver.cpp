// The simulated machine: a plan's duration on the wall clock, halted by faults and resumed where it stopped.
#include "gateway/machine_driver.hpp"

namespace tower::gateway {

const char* to_string(Fault fault) {
  return fault == Fault::emergency_stop ? "emergency_stop" : "lift_out_of_service";
}

SimulatedDriver::SimulatedDriver(Executor sequencer, double speed) : timer_(sequencer), speed_(speed) {}

std::chrono::microseconds SimulatedDriver::wall(Duration plan_time) const {
  return std::chrono::microseconds(static_cast<std::int64_t>(static_cast<double>(plan_time.us) / speed_));
}

void SimulatedDriver::execute(std::uint64_t job, const MachinePlan& plan) {
  job_ = job;
  target_ = plan.end_pose;
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
    pose_ = target_;
    if (feedback_.done) feedback_.done(job, pose_);
  });
}

void SimulatedDriver::halt() {
  if (!job_) return;
  left_ = std::max(std::chrono::microseconds{0}, std::chrono::duration_cast<std::chrono::microseconds>(
                                                     finishes_at_ - std::chrono::steady_clock::now()));
  ++generation_;
  timer_.cancel();
}

std::optional<std::chrono::microseconds> SimulatedDriver::remaining() const {
  if (!job_) return std::nullopt;
  if (status_.halted()) return left_;
  return std::max(std::chrono::microseconds{0},
                  std::chrono::duration_cast<std::chrono::microseconds>(finishes_at_ - std::chrono::steady_clock::now()));
}

Status SimulatedDriver::raise(Fault fault, std::string note, std::optional<std::chrono::minutes> expected) {
  const bool was_halted = status_.halted();
  (fault == Fault::emergency_stop ? status_.emergency_stop : status_.lift_out_of_service) = true;
  status_.note = std::move(note);
  status_.expected_back.reset();
  if (expected) status_.expected_back = std::chrono::steady_clock::now() + *expected;
  if (!was_halted) halt();
  if (feedback_.status_changed) feedback_.status_changed();
  return ok_status();
}

Status SimulatedDriver::clear(Fault fault) {
  bool& flag = fault == Fault::emergency_stop ? status_.emergency_stop : status_.lift_out_of_service;
  if (!flag) return make_error(ErrorCode::conflict, std::string("there is no ") + to_string(fault) + " to clear");
  flag = false;
  if (!status_.halted()) {
    status_.note.clear();
    status_.expected_back.reset();
    if (job_) arm();
  }
  if (feedback_.status_changed) feedback_.status_changed();
  return ok_status();
}

}  // namespace tower::gateway
