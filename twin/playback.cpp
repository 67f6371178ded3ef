// A simulation on a display clock, and the scene it shows: the machine sampled from the lift's current plan,
// which is re-planned from the simulator's LiftMove (plans are pure, so it is the simulator's own plan).
#include <algorithm>

#include "model.hpp"

namespace tower::twin {

Result<Playback> Playback::create(const Scenario& scenario) {
  auto simulator = Simulator::create(scenario);
  if (!simulator) return simulator.error();
  Playback playback(std::move(*simulator));
  playback.refresh();
  return playback;
}

Playback::Playback(Simulator simulator) : simulator_(std::move(simulator)) {
  safety_.bays.resize(simulator_.tower().config().layout.bays.size());
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

const MachinePlan* Playback::current_plan() {
  const LiftMove& move = simulator_.lift_move();
  const bool same = plan_ && planned_move_.kind == move.kind && planned_move_.slot == move.slot &&
                    planned_move_.bay == move.bay && planned_move_.duration == move.duration &&
                    planned_move_.from.lift_m == move.from.lift_m &&
                    planned_move_.from.turntable_rad == move.from.turntable_rad;
  if (same) return &*plan_;
  const auto& layout = simulator_.tower().config().layout;
  const MachineConfig& machine = simulator_.scenario().machine;
  Result<MachinePlan> plan = move.kind == LiftMove::Kind::retrieval
                                 ? plan_retrieval(machine, layout, move.from, move.slot, move.bay, safety_)
                             : move.kind == LiftMove::Kind::storage
                                 ? plan_storage(machine, layout, move.from, move.bay, move.slot, safety_)
                                 : plan_reposition(machine, layout, move.from, move.to, safety_);
  planned_move_ = move;
  if (!plan) {
    plan_.reset();
    return nullptr;
  }
  plan_ = std::move(*plan);
  return &*plan_;
}

void Playback::refresh() {
  const Tower& tower = simulator_.tower();
  const auto& layout = tower.config().layout;
  scene_.config = &tower.config();
  scene_.now = now_;
  scene_.lift_halted = simulator_.lift_out_of_service();

  const LiftMove& move = simulator_.lift_move();
  const MachinePlan* plan = move.kind == LiftMove::Kind::none ? nullptr : current_plan();
  if (plan) {
    scene_.machine = sample_plan(*plan, layout, move.elapsed(now_));
  } else {
    scene_.machine = MachineFrame{simulator_.lift_pose(), std::vector<double>(layout.bays.size(), 0.0), LoadPhase::at_origin};
  }

  scene_.cars.clear();
  for (const Car& car : tower.state().cars) {
    SceneCar drawn{car.id, CarPlace::in_slot, car.slot, car.bay, car.state, car.hold.held(), &car.spec};
    switch (car.state) {
      case CarState::in_slot: break;
      case CarState::in_bay: drawn.place = CarPlace::in_bay; break;
      case CarState::moving: {
        const bool carried = plan && move.car == car.id;
        const LoadPhase load = carried ? scene_.machine.load : LoadPhase::at_origin;
        const bool at_bay_end = car.to_bay == (load == LoadPhase::delivered);
        drawn.place = load == LoadPhase::on_transfer ? CarPlace::on_machine
                      : at_bay_end                   ? CarPlace::in_bay
                                                     : CarPlace::in_slot;
        break;
      }
      default: continue;  // out on a test drive, sold, delivered or in service: not in the tower
    }
    scene_.cars.push_back(drawn);
  }

  scene_.jobs.clear();
  std::vector<SceneJob> queued;
  for (std::size_t index = 0; index < simulator_.jobs().size(); ++index) {
    const Job& job = simulator_.jobs()[index];
    if (job.state != JobState::queued && job.state != JobState::running) continue;
    SceneJob drawn{index + 1, job.kind == JobKind::retrieval, job.state == JobState::running, job.car, job.slot, job.bay,
                   static_cast<double>((job.eta - now_).us) / 1e6};
    if (drawn.running) scene_.jobs.push_back(drawn);
    else queued.push_back(drawn);
  }
  scene_.jobs.insert(scene_.jobs.end(), queued.begin(), queued.end());
}

}  // namespace tower::twin
