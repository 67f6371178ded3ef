// The retrieval machine's planner: the geometry of slots and bays, and the timed axis moves and inner-door
// operations of a retrieval, a storage and a reposition. Plans are validated by plan_checker.cpp, which shares
// none of this code.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "tower/machine.hpp"

namespace tower {

namespace {

constexpr double full_turn_rad = 6.283185307179586;  // 2 pi
constexpr double half_turn_rad = 3.141592653589793;  // pi
constexpr double retracted_tolerance_m = 1e-6;       // a transfer this close to 0 counts as retracted

// For messages only (std::to_chars for double is missing from Emscripten's libc++).
std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }
Error conflict(std::string message) { return make_error(ErrorCode::conflict, std::move(message)); }

// Seconds to whole microseconds, rounded up so that an axis is at rest by the end of its step.
Duration whole_microseconds(double seconds) {
  const double microseconds = seconds * 1e6;
  auto whole = static_cast<std::int64_t>(microseconds);
  if (static_cast<double>(whole) < microseconds) ++whole;
  return Duration{whole};
}

// Brings an angle within a turn of [0, 2 pi) back into it; rounding never leaves it at 2 pi.
double normalized_angle(double angle_rad) {
  if (angle_rad >= full_turn_rad) angle_rad -= full_turn_rad;
  if (angle_rad < 0.0) angle_rad += full_turn_rad;
  return angle_rad < full_turn_rad ? angle_rad : 0.0;
}

// The signed rotation from one angle to another the shorter way, in [-pi, pi].
double shorter_turn_rad(double from_rad, double to_rad) {
  double turn = to_rad - from_rad;
  if (turn > half_turn_rad) turn -= full_turn_rad;
  if (turn < -half_turn_rad) turn += full_turn_rad;
  return turn;
}

int slots_on_level(const TowerLayout& layout, int level) {
  int count = 0;
  for (const SlotDef& slot : layout.slots) count += slot.level == level ? 1 : 0;
  return count;
}

// Index of a bay in layout.bays, or the number of bays when it does not exist.
std::size_t bay_index(const TowerLayout& layout, BayId bay) {
  std::size_t index = 0;
  while (index < layout.bays.size() && layout.bays[index].id != bay) ++index;
  return index;
}

bool positive_finite(double value) { return value > 0.0 && value <= std::numeric_limits<double>::max(); }

// [SECTION] Validation of the request

Status check_machine(const MachineConfig& machine) {
  const struct {
    const char* name;
    const AxisLimits& limits;
  } axes[] = {{"lift", machine.lift}, {"transfer", machine.transfer}, {"turntable", machine.turntable}};
  for (const auto& axis : axes)
    if (!positive_finite(axis.limits.vmax_mps) || !positive_finite(axis.limits.amax_mps2) ||
        !positive_finite(axis.limits.jmax_mps3))
      return invalid(std::string("the ") + axis.name + " limits (velocity, acceleration, jerk) must be finite and > 0");
  if (!positive_finite(machine.transfer_stroke_m)) return invalid("the transfer stroke must be finite and > 0 m");
  if (!(machine.inner_door_s >= 0.0 && machine.inner_door_s <= 3600.0))
    return invalid("the inner door time must be between 0 and 3600 s");
  return ok_status();
}

Status check_position(const TowerLayout& layout, const MachinePose& pose, const char* which) {
  if (layout.lifts != 1)
    return invalid("the layout has " + std::to_string(layout.lifts) + " lifts: plan one shaft at a time (shaft_layout)");
  const double top_m = level_height_m(layout, layout.levels);
  if (!(pose.lift_m >= 0.0 && pose.lift_m <= top_m))
    return invalid(std::string(which) + " lift height " + number_text(pose.lift_m) + " m is outside the shaft (0 to " +
                   number_text(top_m) + " m)");
  if (!(pose.turntable_rad >= 0.0 && pose.turntable_rad < full_turn_rad))
    return invalid(std::string(which) + " turntable angle " + number_text(pose.turntable_rad) +
                   " rad is not within [0, 2 pi)");
  if (!(pose.transfer_m >= -retracted_tolerance_m && pose.transfer_m <= std::numeric_limits<double>::max()))
    return invalid(std::string(which) + " transfer extension " + number_text(pose.transfer_m) + " m is not valid");
  return ok_status();
}

// The checks every plan makes before anything moves, in the order a person should hear them.
Status check_start(const MachineConfig& machine, const TowerLayout& layout, const MachinePose& from,
                   const SafetyInputs& safety) {
  if (auto status = check_machine(machine); !status) return status;
  if (auto status = check_position(layout, from, "the starting"); !status) return status;
  if (safety.emergency_stop_latched)
    return conflict("the emergency stop is latched: staff must reset it before anything moves");
  if (from.transfer_m > retracted_tolerance_m)
    return conflict("the pallet transfer is extended by " + number_text(from.transfer_m) +
                    " m: it must be retracted before the lift or the turntable may move");
  return ok_status();
}

Result<const SlotDef*> find_slot(const TowerLayout& layout, SlotId slot) {
  for (const SlotDef& def : layout.slots)
    if (def.id == slot) {
      const int count = slots_on_level(layout, def.level);
      if (def.level < 1 || def.level > layout.levels || def.position < 0 || def.position >= count)
        return invalid("slot " + std::to_string(slot.value) + " is at level " + std::to_string(def.level) +
                       ", position " + std::to_string(def.position) + ", which the layout's shaft does not have");
      return &def;
    }
  return make_error(ErrorCode::not_found, "slot " + std::to_string(slot.value) + " does not exist in this tower");
}

// The bay's inner door may only open while its outer door is closed and nobody is inside.
Status check_bay_sensors(const TowerLayout& layout, BayId bay, const SafetyInputs& safety) {
  const std::size_t index = bay_index(layout, bay);
  const std::string name = "bay " + std::to_string(bay.value);
  if (index >= safety.bays.size())
    return invalid("the safety inputs report " + std::to_string(safety.bays.size()) + " bays; " + name + " is missing");
  if (!safety.bays[index].outer_door_closed)
    return conflict("the outer door of " + name +
                    " is open: it must be closed before the car can be brought in or out");
  if (safety.bays[index].person_present)
    return conflict("a person is in " + name + ": the bay must be empty before its inner door may open");
  return ok_status();
}

// Everything a retrieval or a storage checks before planning: the slot and the bay exist, the request is valid,
// and the safety inputs allow moving. Returns the slot.
Result<const SlotDef*> check_trip(const MachineConfig& machine, const TowerLayout& layout, const MachinePose& from,
                                  SlotId slot, BayId bay, const SafetyInputs& safety) {
  auto slot_def = find_slot(layout, slot);
  if (!slot_def) return slot_def;
  if (bay_index(layout, bay) == layout.bays.size())
    return make_error(ErrorCode::not_found, "bay " + std::to_string(bay.value) + " does not exist in this tower");
  if (auto status = check_start(machine, layout, from, safety); !status) return status.error();
  if (auto status = check_bay_sensors(layout, bay, safety); !status) return status.error();
  return slot_def;
}

// [SECTION] Building a plan

// Collects the steps of a plan while tracking where each axis will be.
class PlanBuilder {
 public:
  PlanBuilder(const MachineConfig& machine, const MachinePose& from) : machine_(machine), pose_(from) {
    plan_.start_pose = from;
    plan_.steps.reserve(16);  // a trip has about a dozen steps; growing would copy their profiles
  }

  // Moves an axis from where it is to `to` (the turntable the shorter way), rest to rest, starting at `start`.
  // Returns when the axis is at rest there; a move of zero distance (or too short to plan) adds no step.
  Result<Duration> move(Actuator actuator, Duration start, double to) {
    double& position = actuator == Actuator::lift        ? pose_.lift_m
                       : actuator == Actuator::turntable ? pose_.turntable_rad
                                                         : pose_.transfer_m;
    const double distance = actuator == Actuator::turntable ? shorter_turn_rad(position, to) : to - position;
    if (distance == 0.0) {
      position = to;
      return start;
    }
    ProfileRequest request;
    request.distance_m = distance;
    request.limits = actuator == Actuator::lift        ? machine_.lift
                     : actuator == Actuator::turntable ? machine_.turntable
                                                       : machine_.transfer;
    auto profile = plan_profile(request);
    if (!profile) return profile.error();
    if (profile->phase_count == 0) {  // a rounding-level distance (one angle computed two ways): no motion
      position = to;
      return start;
    }
    PlanStep& step = plan_.steps.emplace_back();
    step.actuator = actuator;
    step.start = start;
    step.duration = whole_microseconds(profile->duration_s);
    step.from = position;
    step.to = to;
    step.profile = *profile;
    position = to;
    return start + step.duration;
  }

  // Lift and turntable together: returns when both are at rest.
  Result<Duration> travel(Duration start, double lift_m, double turntable_rad) {
    auto lift_done = move(Actuator::lift, start, lift_m);
    if (!lift_done) return lift_done;
    auto turn_done = move(Actuator::turntable, start, turntable_rad);
    if (!turn_done) return turn_done;
    return std::max(*lift_done, *turn_done);
  }

  // Transfer steps so far: the strokes, counted from 1, that MachinePlan's load fields name.
  int strokes() const {
    int count = 0;
    for (const PlanStep& step : plan_.steps) count += step.actuator == Actuator::transfer ? 1 : 0;
    return count;
  }

  void carries(LoadPhase at_start, int load_stroke, int unload_stroke) {
    plan_.load_at_start = at_start;
    plan_.load_stroke = load_stroke;
    plan_.unload_stroke = unload_stroke;
  }

  // Out to the full stroke and back. Returns when the transfer is retracted again.
  Result<Duration> extend_and_retract(Duration start) {
    auto out = move(Actuator::transfer, start, machine_.transfer_stroke_m);
    if (!out) return out;
    return move(Actuator::transfer, *out, 0.0);
  }

  // Opens (to = 1) or closes (to = 0) a bay's inner door from `start`; returns when it is done.
  Duration door(BayId bay, Duration start, bool open) {
    PlanStep step;
    step.actuator = Actuator::inner_door;
    step.start = start;
    step.duration = door_time();
    step.from = open ? 0.0 : 1.0;
    step.to = open ? 1.0 : 0.0;
    step.bay = bay;
    plan_.steps.push_back(step);
    door_free_[bay.value] = start + step.duration;
    return start + step.duration;
  }

  Duration door_free_at(BayId bay) const {
    auto found = door_free_.find(bay.value);
    return found == door_free_.end() ? Duration{} : found->second;
  }

  // Opens the door so that it is fully open at `arrival` (or as soon after the start, or after the door's
  // previous step, as it can be); returns when it is open.
  Duration open_door_by(BayId bay, Duration arrival) {
    const Duration start = std::max({Duration{}, arrival - door_time(), door_free_at(bay)});
    return door(bay, start, true);
  }

  // [SECTION] Legs: the pieces of a trip, each from `start` until the car is where it says

  // Up to the slot while turning to face it, then pull the pallet with the car onto the platform.
  Result<Duration> fetch_from_slot(Duration start, const TowerLayout& layout, const SlotDef& slot) {
    auto at_slot = travel(start, level_height_m(layout, slot.level), slot_angle_rad(slot, layout));
    if (!at_slot) return at_slot;
    return extend_and_retract(*at_slot);
  }

  // Down to the bay, its inner door opening on the way, and pull the pallet with the car in. The door closes
  // behind the car while the next leg may already travel.
  Result<Duration> fetch_from_bay(Duration start, const TowerLayout& layout, BayId bay) {
    auto at_bay = travel(start, 0.0, bay_facing_rad(bay, layout));
    if (!at_bay) return at_bay;
    const Duration door_open = open_door_by(bay, *at_bay);
    auto loaded = extend_and_retract(std::max(*at_bay, door_open));
    if (!loaded) return loaded;
    door(bay, *loaded, false);
    return loaded;
  }

  // Down to the bays while turning the car to drive out forward, the inner door open on arrival, push the
  // pallet into the bay, retract, close the door. Returns when the transfer is back (the door still closing).
  Result<Duration> deliver_to_bay(Duration start, const TowerLayout& layout, BayId bay) {
    return fetch_from_bay(start, layout, bay);  // the same motions; the pallet goes the other way
  }

  // To the slot's level while turning to face it, push the pallet in, retract.
  Result<Duration> deliver_to_slot(Duration start, const TowerLayout& layout, const SlotDef& slot) {
    return fetch_from_slot(start, layout, slot);  // the same motions; the pallet goes the other way
  }

  // The plan starts with this bay's inner door open (finishing an interrupted trip).
  void door_open_at_start(BayId bay) { plan_.door_open_at_start = bay; }

  const MachinePose& pose() const { return pose_; }

  Duration door_time() const { return whole_microseconds(machine_.inner_door_s); }

  MachinePlan finish() {
    // A stable sort by start, moving each (large) step once: doors are added after the travel they overlap.
    std::vector<PlanStep>& steps = plan_.steps;
    auto earlier = [&](std::size_t a, std::size_t b) { return steps[a].start < steps[b].start; };
    std::vector<std::size_t> order(steps.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), earlier);
    std::vector<PlanStep> sorted;
    sorted.reserve(steps.size());
    for (const std::size_t i : order) sorted.push_back(std::move(steps[i]));
    steps = std::move(sorted);
    for (const PlanStep& step : plan_.steps) plan_.duration = std::max(plan_.duration, step.start + step.duration);
    plan_.end_pose = pose_;
    return std::move(plan_);
  }

 private:
  const MachineConfig& machine_;
  MachinePose pose_;
  MachinePlan plan_;
  std::map<std::uint32_t, Duration> door_free_;  // bay -> when its door's last step ends
};

}  // namespace

// [SECTION] Geometry

SafetyInputs shaft_safety(const TowerLayout& layout, LiftId lift, const SafetyInputs& safety) {
  SafetyInputs shaft;
  shaft.emergency_stop_latched = safety.emergency_stop_latched;
  for (std::size_t i = 0; i < layout.bays.size() && i < safety.bays.size(); ++i)
    if (layout.lifts == 1 || layout.bays[i].lift == lift) shaft.bays.push_back(safety.bays[i]);
  return shaft;
}

double level_height_m(const TowerLayout& layout, int level) { return level * layout.level_pitch_m; }

double slot_angle_rad(const SlotDef& slot, const TowerLayout& layout) {
  const int count = slots_on_level(layout, slot.level);
  if (count <= 0) return 0.0;
  const int position = ((slot.position % count) + count) % count;
  return position * full_turn_rad / count;
}

double bay_angle_rad(BayId bay, const TowerLayout& layout) {
  const std::size_t index = bay_index(layout, bay);
  if (index == layout.bays.size()) return 0.0;
  return static_cast<double>(index) * full_turn_rad / static_cast<double>(layout.bays.size());
}

double bay_facing_rad(BayId bay, const TowerLayout& layout) {
  return normalized_angle(bay_angle_rad(bay, layout) + half_turn_rad);
}

// [SECTION] Planning

Result<MachinePlan> plan_retrieval(const MachineConfig& machine, const TowerLayout& layout, const MachinePose& from,
                                   SlotId slot, BayId bay, const SafetyInputs& safety) {
  auto slot_def = check_trip(machine, layout, from, slot, bay, safety);
  if (!slot_def) return slot_def.error();
  PlanBuilder plan(machine, from);
  auto loaded = plan.fetch_from_slot(Duration{}, layout, **slot_def);
  if (!loaded) return loaded.error();
  auto delivered = plan.deliver_to_bay(*loaded, layout, bay);
  if (!delivered) return delivered.error();
  return plan.finish();
}

Result<MachinePlan> plan_storage(const MachineConfig& machine, const TowerLayout& layout, const MachinePose& from,
                                 BayId bay, SlotId slot, const SafetyInputs& safety) {
  auto slot_def = check_trip(machine, layout, from, slot, bay, safety);
  if (!slot_def) return slot_def.error();
  PlanBuilder plan(machine, from);
  auto loaded = plan.fetch_from_bay(Duration{}, layout, bay);
  if (!loaded) return loaded.error();
  auto stored = plan.deliver_to_slot(*loaded, layout, **slot_def);
  if (!stored) return stored.error();
  return plan.finish();
}

Result<MachinePlan> plan_reposition(const MachineConfig& machine, const TowerLayout& layout, const MachinePose& from,
                                    const MachinePose& to, const SafetyInputs& safety) {
  if (auto status = check_position(layout, to, "the target"); !status) return status.error();
  if (to.transfer_m > retracted_tolerance_m)
    return invalid("a reposition keeps the transfer retracted: target transfer must be 0 m");
  if (auto status = check_start(machine, layout, from, safety); !status) return status.error();
  PlanBuilder plan(machine, from);
  auto arrived = plan.travel(Duration{}, to.lift_m, to.turntable_rad);
  if (!arrived) return arrived.error();
  return plan.finish();
}

// [SECTION] Sampling

MachineFrame sample_plan(const MachinePlan& plan, const TowerLayout& layout, Duration elapsed) {
  if (elapsed < Duration{}) elapsed = Duration{};
  if (elapsed > plan.duration) elapsed = plan.duration;
  MachineFrame frame;
  frame.pose = plan.start_pose;
  frame.inner_doors.assign(layout.bays.size(), 0.0);
  if (const std::size_t open = bay_index(layout, plan.door_open_at_start); open < layout.bays.size())
    frame.inner_doors[open] = 1.0;
  frame.load = plan.load_at_start;
  int transfer_strokes = 0;
  for (const PlanStep& step : plan.steps) {
    if (step.start > elapsed) break;  // steps are sorted by start; an axis's later steps start after it rests
    const double seconds_in = static_cast<double>((elapsed - step.start).us) / 1e6;
    const bool finished = elapsed >= step.start + step.duration;
    switch (step.actuator) {
      case Actuator::lift:
        frame.pose.lift_m = finished ? step.to : step.from + profile_state_at(step.profile, seconds_in).position_m;
        break;
      case Actuator::turntable:
        frame.pose.turntable_rad =
            finished ? step.to : normalized_angle(step.from + profile_state_at(step.profile, seconds_in).position_m);
        break;
      case Actuator::transfer:
        ++transfer_strokes;
        frame.pose.transfer_m = finished ? step.to : step.from + profile_state_at(step.profile, seconds_in).position_m;
        if (transfer_strokes == plan.load_stroke) frame.load = LoadPhase::on_transfer;
        if (transfer_strokes == plan.unload_stroke && finished) frame.load = LoadPhase::delivered;
        break;
      case Actuator::inner_door: {
        const std::size_t index = bay_index(layout, step.bay);
        if (index == layout.bays.size()) break;
        const double share = finished || step.duration.us <= 0
                                 ? 1.0
                                 : static_cast<double>((elapsed - step.start).us) / static_cast<double>(step.duration.us);
        frame.inner_doors[index] = step.from + (step.to - step.from) * share;
        break;
      }
    }
  }
  return frame;
}

// [SECTION] Recovery after an interrupted trip

Interrupted interrupted_at(const MachinePlan& plan, const TowerLayout& layout, Duration elapsed) {
  const MachineFrame frame = sample_plan(plan, layout, elapsed);
  Interrupted state;
  state.pose = frame.pose;
  // A profile's position is exact to rounding; keep the stop inside the shaft and the stroke for the planner.
  state.pose.lift_m = std::clamp(state.pose.lift_m, 0.0, level_height_m(layout, layout.levels));
  state.pose.transfer_m = std::max(0.0, state.pose.transfer_m);
  for (std::size_t i = 0; i < frame.inner_doors.size(); ++i)
    if (frame.inner_doors[i] > 0.0) state.door_open = layout.bays[i].id;
  state.load = frame.load;
  return state;
}

Result<MachinePlan> plan_recovery(const MachineConfig& machine, const TowerLayout& layout, const Interrupted& from,
                                  Trip trip, SlotId slot, BayId bay, const SafetyInputs& safety) {
  auto slot_def = find_slot(layout, slot);
  if (!slot_def) return slot_def.error();
  if (bay_index(layout, bay) == layout.bays.size())
    return make_error(ErrorCode::not_found, "bay " + std::to_string(bay.value) + " does not exist in this tower");
  if (auto status = check_machine(machine); !status) return status.error();
  if (auto status = check_position(layout, from.pose, "the stopped"); !status) return status.error();
  if (safety.emergency_stop_latched)
    return conflict("the emergency stop is latched: staff must reset it before anything moves");
  if (from.door_open.valid()) {
    if (bay_index(layout, from.door_open) == layout.bays.size())
      return make_error(ErrorCode::not_found, "bay " + std::to_string(from.door_open.value) + " does not exist in this tower");
    if (auto status = check_bay_sensors(layout, from.door_open, safety); !status) return status.error();
  }
  if (auto status = check_bay_sensors(layout, bay, safety); !status) return status.error();

  PlanBuilder plan(machine, from.pose);
  plan.door_open_at_start(from.door_open);
  Duration at = Duration{};
  if (from.pose.transfer_m > retracted_tolerance_m) {
    auto retracted = plan.move(Actuator::transfer, at, 0.0);
    if (!retracted) return retracted.error();
    at = *retracted;
  }
  const bool car_in_bay = trip == Trip::retrieval ? from.load == LoadPhase::delivered : from.load == LoadPhase::at_origin;
  const bool car_on_platform = from.load == LoadPhase::on_transfer;
  const bool car_in_slot = !car_in_bay && !car_on_platform;
  // The lift already at the bay, facing it, with its door open: the pallet may go straight through.
  const bool at_open_bay = from.door_open == bay && plan.pose().lift_m == 0.0 &&
                           std::abs(shorter_turn_rad(plan.pose().turntable_rad, bay_facing_rad(bay, layout))) <= 1e-9;
  const bool through_open_door = at_open_bay && (trip == Trip::retrieval ? car_on_platform : car_in_bay);
  // The door closes as the lift leaves (the lift may travel with it closing, as after a storage's pull-in).
  if (from.door_open.valid() && !through_open_door) plan.door(from.door_open, at, false);

  // Counted as the legs are added: a stroke of zero length adds no step.
  int load_stroke = 0, unload_stroke = 0;
  if (trip == Trip::retrieval) {
    if (car_in_slot) {
      load_stroke = plan.strokes() + 2;
      auto loaded = plan.fetch_from_slot(at, layout, **slot_def);
      if (!loaded) return loaded.error();
      at = *loaded;
    }
    if (through_open_door) {
      unload_stroke = plan.strokes() + 1;
      auto delivered = plan.extend_and_retract(at);
      if (!delivered) return delivered.error();
      plan.door(bay, *delivered, false);
    } else if (!car_in_bay) {
      unload_stroke = plan.strokes() + 1;
      auto delivered = plan.deliver_to_bay(at, layout, bay);
      if (!delivered) return delivered.error();
    }
  } else {
    if (through_open_door) {
      load_stroke = plan.strokes() + 2;
      auto loaded = plan.extend_and_retract(at);
      if (!loaded) return loaded.error();
      plan.door(bay, *loaded, false);
      at = *loaded;
    } else if (car_in_bay) {
      load_stroke = plan.strokes() + 2;
      auto loaded = plan.fetch_from_bay(at, layout, bay);
      if (!loaded) return loaded.error();
      at = *loaded;
    }
    if (!car_in_slot) {
      unload_stroke = plan.strokes() + 1;
      auto stored = plan.deliver_to_slot(at, layout, **slot_def);
      if (!stored) return stored.error();
    }
  }
  plan.carries(from.load, load_stroke, unload_stroke);
  return plan.finish();
}

}  // namespace tower
