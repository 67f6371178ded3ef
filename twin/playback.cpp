// A simulation on a display clock, and the scene it shows: each lift sampled in its own shaft from its current
// plan, which Simulator::plan_of re-plans from the lift's LiftMove (plans are pure: it is the simulator's own).
#include <algorithm>

#include "model.hpp"

namespace tower::twin {

namespace {

bool same_pose(const MachinePose& a, const MachinePose& b) {
  return a.lift_m == b.lift_m && a.turntable_rad == b.turntable_rad && a.transfer_m == b.transfer_m;
}

// A halt only shifts `started`, and the plan stays; any other difference is a new move.
bool same_move(const LiftMove& a, const LiftMove& b) {
  return a.kind == b.kind && a.slot == b.slot && a.bay == b.bay && a.car == b.car && a.duration == b.duration &&
         a.trip == b.trip && same_pose(a.from, b.from) && same_pose(a.to, b.to) &&
         same_pose(a.interrupted.pose, b.interrupted.pose) && a.interrupted.door_open == b.interrupted.door_open &&
         a.interrupted.load == b.interrupted.load;
}

std::optional<std::size_t> bay_index(const TowerLayout& layout, BayId bay) {
  for (std::size_t i = 0; i < layout.bays.size(); ++i)
    if (layout.bays[i].id == bay) return i;
  return std::nullopt;
}

}  // namespace

Result<Playback> Playback::create(const Scenario& scenario) {
  auto simulator = Simulator::create(scenario);
  if (!simulator) return simulator.error();
  Playback playback(std::move(*simulator));
  playback.refresh();
  return playback;
}

Playback::Playback(Simulator simulator) : simulator_(std::move(simulator)) {
  plans_.resize(static_cast<std::size_t>(simulator_.lifts()));
  now_ = simulator_.now();
}

void Playback::advance(double real_seconds) {
  if (paused || simulator_.finished() || real_seconds <= 0.0) return;
  const double step_us = std::min(real_seconds, 0.25) * speed * 1e6;  // a stalled tab does not leap ahead
  jump_to(now_ + Duration{static_cast<std::int64_t>(step_us)});
}

void Playback::jump_to(SimTime at) {
  now_ = std::clamp(at, now_, simulator_.end());
  simulator_.run_until(now_);
  refresh();
}

const MachinePlan* Playback::current_plan(LiftId lift) {
  LiftPlan& cached = plans_[lift.value - 1];
  const LiftMove& move = simulator_.lift_move(lift);
  if (cached.planned && same_move(cached.move, move)) return cached.plan ? &*cached.plan : nullptr;
  Result<MachinePlan> plan = simulator_.plan_of(move, lift);
  cached.planned = true;
  cached.move = move;
  cached.plan.reset();
  if (plan) cached.plan = std::move(*plan);
  return cached.plan ? &*cached.plan : nullptr;
}

SceneLift Playback::sample_lift(LiftId lift) {
  const TowerLayout& layout = simulator_.tower().config().layout;
  SceneLift drawn{lift,
                  {simulator_.lift_pose(lift), std::vector<double>(layout.bays.size(), 0.0), LoadPhase::at_origin},
                  simulator_.lift_out_of_service(lift), CarId{}};
  const LiftMove& move = simulator_.lift_move(lift);
  const MachinePlan* plan = move.kind == LiftMove::Kind::none ? nullptr : current_plan(lift);
  if (!plan) return drawn;
  const TowerLayout& shaft = simulator_.shaft(lift);
  const MachineFrame frame = sample_plan(*plan, shaft, move.elapsed(now_));
  drawn.machine.pose = frame.pose;
  drawn.machine.load = frame.load;
  drawn.car = move.car;
  // The shaft's doors in the whole layout's bay order, so the view looks a bay's door up by its index.
  for (std::size_t i = 0; i < shaft.bays.size() && i < frame.inner_doors.size(); ++i)
    if (const auto index = bay_index(layout, shaft.bays[i].id))
      drawn.machine.inner_doors[*index] = frame.inner_doors[i];
  return drawn;
}

void Playback::refresh() {
  scene_.config = &simulator_.tower().config();
  scene_.now = now_;
  scene_.emergency_stop = simulator_.emergency_stop_latched();
  scene_.lifts.clear();
  for (int lift = 1; lift <= simulator_.lifts(); ++lift)
    scene_.lifts.push_back(sample_lift(LiftId{static_cast<std::uint32_t>(lift)}));
  scene_cars();
  scene_jobs();
}

void Playback::scene_cars() {
  const Tower& tower = simulator_.tower();
  const TowerLayout& layout = tower.config().layout;
  scene_.cars.clear();
  for (const Car& car : tower.state().cars) {
    SceneCar drawn{car.id, CarPlace::in_slot, car.slot, car.bay, car.state, car.hold.held(), &car.spec};
    LiftId carrier{};
    switch (car.state) {
      case CarState::in_slot:
      case CarState::sold: break;  // paid for, waiting in its slot for the pickup
      case CarState::in_bay: drawn.place = CarPlace::in_bay; break;
      case CarState::moving: {
        LoadPhase load = LoadPhase::at_origin;
        for (const SceneLift& lift : scene_.lifts)
          if (lift.car == car.id) {
            carrier = lift.id;
            load = lift.machine.load;
          }
        const bool at_bay_end = car.to_bay == (load == LoadPhase::delivered);
        drawn.place = load == LoadPhase::on_transfer ? CarPlace::on_machine
                      : at_bay_end                   ? CarPlace::in_bay
                                                     : CarPlace::in_slot;
        break;
      }
      default: continue;  // out on a test drive, sold, delivered or in service: not in the tower
    }
    drawn.lift = drawn.place == CarPlace::on_machine ? carrier
                 : drawn.place == CarPlace::in_bay   ? lift_of(layout, car.bay)
                                                     : lift_of(layout, car.slot);
    if (!drawn.lift.valid()) drawn.lift = carrier.valid() ? carrier : LiftId{1};
    scene_.cars.push_back(drawn);
  }
}

void Playback::scene_jobs() {
  scene_.jobs.clear();
  std::vector<SceneJob> queued;
  for (std::size_t index = 0; index < simulator_.jobs().size(); ++index) {
    const Job& job = simulator_.jobs()[index];
    if (job.state != JobState::queued && job.state != JobState::running) continue;
    SceneJob drawn{index + 1, job.kind == JobKind::retrieval, job.state == JobState::running, job.car, job.slot, job.bay,
                   static_cast<double>((job.eta - now_).us) / 1e6, job.lift};
    if (drawn.running) scene_.jobs.push_back(drawn);
    else queued.push_back(drawn);
  }
  scene_.jobs.insert(scene_.jobs.end(), queued.begin(), queued.end());
}

}  // namespace tower::twin
