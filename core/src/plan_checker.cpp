// The independent checker of machine plans (check_plan). It shares no code with the planner
// (machine_plan.cpp) beyond the public headers: it re-derives the geometry of slots and bays, integrates every
// profile's phases itself, and rebuilds each axis's timeline from the steps, so a planner bug cannot hide here.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tower/machine.hpp"

namespace tower {

namespace {

constexpr double full_turn_rad = 6.283185307179586;  // 2 pi
constexpr double same_position = 1e-6;               // [m] or [rad]: two positions this close are the same place
constexpr double at_rest = 1e-6;                     // [m/s], [m/s^2]: a move starts and ends at rest
constexpr double envelope_slack = 1e-9;              // [m]: how far an envelope may round past the shaft or the stroke
constexpr double limit_slack = 1e-9;                 // relative slack on vmax, amax and jmax

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

const char* actuator_name(Actuator actuator) {
  switch (actuator) {
    case Actuator::lift:
      return "lift";
    case Actuator::turntable:
      return "turntable";
    case Actuator::transfer:
      return "transfer";
    case Actuator::inner_door:
      return "inner door";
  }
  return "unknown actuator";
}

double magnitude(double value) { return value < 0.0 ? -value : value; }
bool finite(double value) { return value - value == 0.0; }

// |a - b| modulo a full turn, in [0, pi]; a full turn for values too large to compare.
double angle_gap(double a_rad, double b_rad) {
  double gap = a_rad - b_rad;
  if (!(gap > -1e6 && gap < 1e6)) return full_turn_rad;
  gap -= full_turn_rad * static_cast<double>(static_cast<std::int64_t>(gap / full_turn_rad));
  gap = magnitude(gap);
  return gap > full_turn_rad - gap ? full_turn_rad - gap : gap;
}

// The exact state after `t` seconds of constant jerk from `state`.
AxisState integrate(const AxisState& state, double jerk, double t) {
  return AxisState{
      state.position_m + state.velocity_mps * t + state.acceleration_mps2 * t * t / 2.0 + jerk * t * t * t / 6.0,
      state.velocity_mps + state.acceleration_mps2 * t + jerk * t * t / 2.0, state.acceleration_mps2 + jerk * t};
}

// What a move's profile does, re-derived from its phases: where it ends and how far it reaches either way.
struct MoveFacts {
  double end_position = 0.0;  // relative to the step's `from`
  double lowest = 0.0;
  double highest = 0.0;
};

// A span of time [begin, end) in microseconds, and the step that caused it.
struct Span {
  std::int64_t begin_us = 0;
  std::int64_t end_us = 0;
  std::size_t step = 0;
};

bool overlap(const Span& a, const Span& b) { return a.begin_us < b.end_us && b.begin_us < a.end_us; }

class Checker {
 public:
  Checker(const MachineConfig& machine, const TowerLayout& layout, const MachinePlan& plan, const SafetyInputs& safety)
      : machine_(machine), layout_(layout), plan_(plan), safety_(safety), facts_(plan.steps.size()) {}

  Status run() {
    if (layout_.lifts != 1)
      return make_error(ErrorCode::invalid_argument, "the layout has " + std::to_string(layout_.lifts) +
                                                         " lifts: check a plan against its own shaft (shaft_layout)");
    if (safety_.emergency_stop_latched && !plan_.steps.empty())
      return make_error(ErrorCode::conflict,
                        "the emergency stop is latched: no step may run until staff reset it (the plan has " +
                            std::to_string(plan_.steps.size()) + " steps)");
    if (auto status = check_start_pose(); !status) return status;
    for (std::size_t i = 0; i < plan_.steps.size(); ++i)
      if (auto status = check_step(i); !status) return status;
    for (Actuator axis : {Actuator::lift, Actuator::turntable, Actuator::transfer})
      if (auto status = check_axis_sequence(axis); !status) return status;
    if (auto status = check_doors(); !status) return status;
    if (auto status = check_still_while_transfer_out(); !status) return status;
    if (auto status = check_transfer_targets(); !status) return status;
    return check_end();
  }

 private:
  // The step that broke a rule, or the plan as a whole when the rule is broken after its last step.
  Error broken(std::size_t index, const std::string& rule) const {
    if (index >= plan_.steps.size()) return plan_error(rule);
    return make_error(ErrorCode::conflict, "step " + std::to_string(index) + " (" +
                                               actuator_name(plan_.steps[index].actuator) + "): " + rule);
  }
  static Error plan_error(const std::string& rule) { return make_error(ErrorCode::conflict, "plan: " + rule); }

  double top_m() const { return layout_.levels * layout_.level_pitch_m; }

  const AxisLimits& limits(Actuator axis) const {
    return axis == Actuator::lift        ? machine_.lift
           : axis == Actuator::turntable ? machine_.turntable
                                         : machine_.transfer;
  }

  double start_position(Actuator axis) const {
    return axis == Actuator::lift        ? plan_.start_pose.lift_m
           : axis == Actuator::turntable ? plan_.start_pose.turntable_rad
                                         : plan_.start_pose.transfer_m;
  }

  bool same_place(Actuator axis, double a, double b) const {
    return axis == Actuator::turntable ? angle_gap(a, b) <= same_position : magnitude(a - b) <= same_position;
  }

  // [SECTION] The start pose and each step on its own

  Status check_start_pose() const {
    const MachinePose& pose = plan_.start_pose;
    if (!(pose.lift_m >= -envelope_slack && pose.lift_m <= top_m() + envelope_slack))
      return plan_error("the start pose has the lift at " + number_text(pose.lift_m) + " m, outside the shaft");
    if (!(pose.turntable_rad >= 0.0 && pose.turntable_rad < full_turn_rad))
      return plan_error("the start pose's turntable angle is not within [0, 2 pi)");
    if (!(pose.transfer_m >= -envelope_slack && pose.transfer_m <= machine_.transfer_stroke_m + envelope_slack))
      return plan_error("the start pose has the transfer outside its stroke");
    return ok_status();
  }

  Status check_step(std::size_t index) {
    const PlanStep& step = plan_.steps[index];
    if (step.start.us < 0 || step.duration.us < 0) return broken(index, "starts before the plan or lasts < 0 s");
    if (index > 0 && step.start < plan_.steps[index - 1].start)
      return broken(index, "the steps are not sorted by start time");
    if (step.actuator == Actuator::inner_door) return check_door_step(index);
    if (!finite(step.from) || !finite(step.to)) return broken(index, "its from or to position is not finite");
    auto facts = check_profile(index);
    if (!facts) return facts.error();
    facts_[index] = *facts;
    return check_target_and_envelope(index);
  }

  // Limits at every phase boundary and velocity turning point, continuity between phases, rest at both ends,
  // and the duration; returns the end position and the envelope, including every position turning point.
  Result<MoveFacts> check_profile(std::size_t index) const {
    const PlanStep& step = plan_.steps[index];
    const Profile& profile = step.profile;
    if (profile.phase_count > Profile::max_phases) return broken(index, "the profile has too many phases");
    MoveFacts facts;
    AxisState state{};  // a move starts at rest at `from`
    double total_s = 0.0;
    for (std::size_t p = 0; p < profile.phase_count; ++p) {
      const ProfilePhase& phase = profile.phases[p];
      const AxisState& s = phase.start;
      if (magnitude(s.position_m - state.position_m) > same_position ||
          magnitude(s.velocity_mps - state.velocity_mps) > at_rest ||
          magnitude(s.acceleration_mps2 - state.acceleration_mps2) > at_rest)
        return broken(index, "phase " + std::to_string(p) +
                                 " does not continue from where the profile was (a jump in position, velocity or "
                                 "acceleration)");
      if (auto status = check_phase(index, p, facts); !status) return status.error();
      state = integrate(s, phase.jerk_mps3, phase.duration_s);
      total_s += phase.duration_s;
    }
    if (magnitude(state.velocity_mps) > at_rest || magnitude(state.acceleration_mps2) > at_rest)
      return broken(index, "the profile does not end at rest");
    const AxisState reported = profile_state_at(profile, profile.duration_s);
    if (magnitude(reported.position_m - state.position_m) > same_position)
      return broken(index, "the profile's end state disagrees with its phases");
    if (!(magnitude(profile.duration_s - total_s) <= 1e-9 * (1.0 + total_s)))
      return broken(index, "the profile's duration is not the sum of its phases");
    const double planned_us = total_s * 1e6;
    const auto step_us = static_cast<double>(step.duration.us);
    if (!(step_us >= planned_us - 1e-3 && step_us <= planned_us + 1.0))
      return broken(index, "its duration " + number_text(step_us / 1e6) + " s does not match its profile's " +
                               number_text(total_s) + " s");
    facts.end_position = state.position_m;
    // The profile's own envelope counts too: the simulator draws it, so it must fit as well.
    facts.lowest = profile.min_position_m < facts.lowest ? profile.min_position_m : facts.lowest;
    facts.highest = profile.max_position_m > facts.highest ? profile.max_position_m : facts.highest;
    return facts;
  }

  // One phase: its jerk, the velocity and acceleration at its ends and where the acceleration crosses 0 (the
  // velocity's turning point), and the positions at its ends and where the velocity crosses 0 (the envelope).
  Status check_phase(std::size_t index, std::size_t number, MoveFacts& facts) const {
    const PlanStep& step = plan_.steps[index];
    const ProfilePhase& phase = step.profile.phases[number];
    const AxisLimits& lim = limits(step.actuator);
    const auto where = [&] { return "phase " + std::to_string(number) + " "; };
    if (!(phase.duration_s > 0.0 && phase.duration_s < 1e6)) return broken(index, where() + "has no valid duration");
    const double j = phase.jerk_mps3, a = phase.start.acceleration_mps2, v = phase.start.velocity_mps;
    if (!(magnitude(j) <= lim.jmax_mps3 * (1.0 + limit_slack)))
      return broken(index,
                    where() + "exceeds the jerk limit: " + number_text(j) + " against " + number_text(lim.jmax_mps3));
    double samples[5] = {0.0, phase.duration_s, -1.0, -1.0, -1.0};  // -1: no such point
    if (j != 0.0) {
      samples[2] = -a / j;
      const double discriminant = a * a - 2.0 * j * v;
      if (discriminant >= 0.0) {
        const double root = std::sqrt(discriminant);
        samples[3] = (-a - root) / j;
        samples[4] = (-a + root) / j;
      }
    } else if (a != 0.0) {
      samples[3] = -v / a;
    }
    for (double t : samples) {
      if (!(t >= 0.0 && t <= phase.duration_s)) continue;
      const AxisState at = integrate(phase.start, j, t);
      if (!(magnitude(at.velocity_mps) <= lim.vmax_mps * (1.0 + limit_slack) + 1e-12))
        return broken(index, where() + "exceeds the velocity limit: " + number_text(at.velocity_mps) + " against " +
                                 number_text(lim.vmax_mps));
      if (!(magnitude(at.acceleration_mps2) <= lim.amax_mps2 * (1.0 + limit_slack) + 1e-12))
        return broken(index, where() + "exceeds the acceleration limit: " + number_text(at.acceleration_mps2) +
                                 " against " + number_text(lim.amax_mps2));
      facts.lowest = at.position_m < facts.lowest ? at.position_m : facts.lowest;
      facts.highest = at.position_m > facts.highest ? at.position_m : facts.highest;
    }
    return ok_status();
  }

  Status check_target_and_envelope(std::size_t index) const {
    const PlanStep& step = plan_.steps[index];
    const MoveFacts& facts = facts_[index];
    if (!same_place(step.actuator, step.from + facts.end_position, step.to))
      return broken(index, "its profile does not reach " + number_text(step.to) + " from " + number_text(step.from) +
                               " (it ends at " + number_text(step.from + facts.end_position) + ")");
    if (step.actuator == Actuator::turntable) {
      if (!(step.from >= 0.0 && step.from < full_turn_rad && step.to >= 0.0 && step.to < full_turn_rad))
        return broken(index, "turntable angles must lie within [0, 2 pi)");
      return ok_status();
    }
    const double high = step.actuator == Actuator::lift ? top_m() : machine_.transfer_stroke_m;
    const char* what = step.actuator == Actuator::lift ? "the shaft" : "the transfer's stroke";
    if (step.from + facts.lowest < -envelope_slack || step.from + facts.highest > high + envelope_slack)
      return broken(index, std::string("its envelope ") + number_text(step.from + facts.lowest) + " to " +
                               number_text(step.from + facts.highest) + " m leaves " + what + " (0 to " +
                               number_text(high) + " m)");
    return ok_status();
  }

  Status check_door_step(std::size_t index) const {
    const PlanStep& step = plan_.steps[index];
    std::size_t bay = 0;
    while (bay < layout_.bays.size() && layout_.bays[bay].id != step.bay) ++bay;
    if (bay == layout_.bays.size())
      return broken(index, "bay " + std::to_string(step.bay.value) + " does not exist, so it has no inner door");
    if (!((step.from == 0.0 && step.to == 1.0) || (step.from == 1.0 && step.to == 0.0)))
      return broken(index, "a door step must open (0 -> 1) or close (1 -> 0)");
    const double door_us = machine_.inner_door_s * 1e6;
    const auto step_us = static_cast<double>(step.duration.us);
    if (!(step_us >= door_us - 1e-3 && step_us <= door_us + 1.0))
      return broken(index, "its duration does not match the door's " + number_text(machine_.inner_door_s) + " s");
    if (bay >= safety_.bays.size())
      return make_error(ErrorCode::invalid_argument,
                        "the safety inputs have no sensors for bay " + std::to_string(step.bay.value));
    if (!safety_.bays[bay].outer_door_closed)
      return broken(index, "the inner door of bay " + std::to_string(step.bay.value) +
                               " may not open or stand open while its outer door is open");
    if (safety_.bays[bay].person_present)
      return broken(index, "the inner door of bay " + std::to_string(step.bay.value) +
                               " may not open or stand open while a person is in the bay");
    return ok_status();
  }

  // [SECTION] Each axis over time

  // One thing at a time per axis, each step starting where the previous one left the axis.
  Status check_axis_sequence(Actuator axis) const {
    double position = start_position(axis);
    std::int64_t free_from_us = 0;
    for (std::size_t i = 0; i < plan_.steps.size(); ++i) {
      const PlanStep& step = plan_.steps[i];
      if (step.actuator != axis) continue;
      if (step.start.us < free_from_us) return broken(i, "overlaps the previous step of the same axis");
      if (!same_place(axis, step.from, position))
        return broken(i, "starts at " + number_text(step.from) + " but the axis is at " + number_text(position) +
                             " (a gap or discontinuity)");
      position = step.to;
      free_from_us = step.start.us + step.duration.us;
    }
    return ok_status();
  }

  // Doors start closed (but plan.door_open_at_start), alternate open and close without overlap, and are closed again at the end.
  Status check_doors() {
    door_open_.assign(layout_.bays.size(), {});
    bool start_door_found = !plan_.door_open_at_start.valid();
    for (std::size_t bay = 0; bay < layout_.bays.size(); ++bay) {
      bool open = layout_.bays[bay].id == plan_.door_open_at_start;
      std::int64_t free_from_us = 0, open_since_us = 0;
      if (open) {
        start_door_found = true;
        if (bay >= safety_.bays.size())
          return make_error(ErrorCode::invalid_argument,
                            "the safety inputs have no sensors for bay " + std::to_string(layout_.bays[bay].id.value));
        if (!safety_.bays[bay].outer_door_closed || safety_.bays[bay].person_present)
          return plan_error("the inner door of bay " + std::to_string(layout_.bays[bay].id.value) +
                            " stands open at the start while its outer door is open or a person is in the bay");
      }
      for (std::size_t i = 0; i < plan_.steps.size(); ++i) {
        const PlanStep& step = plan_.steps[i];
        if (step.actuator != Actuator::inner_door || step.bay != layout_.bays[bay].id) continue;
        if (step.start.us < free_from_us) return broken(i, "overlaps the previous step of the same door");
        if ((step.to == 1.0) == open)
          return broken(i, open ? "opens a door that is already open" : "closes a door that is already closed");
        open = step.to == 1.0;
        free_from_us = step.start.us + step.duration.us;
        if (open) open_since_us = free_from_us;
        if (!open) door_open_[bay].push_back(Span{open_since_us, step.start.us, i});
      }
      if (open)
        return plan_error("the inner door of bay " + std::to_string(layout_.bays[bay].id.value) +
                          " is left open at the end");
    }
    if (!start_door_found)
      return plan_error("the door open at the start belongs to bay " + std::to_string(plan_.door_open_at_start.value) +
                        ", which does not exist");
    return ok_status();
  }

  // When the transfer is out: the whole of any step that leaves 0, and any rest away from 0. Touching spans merge.
  std::vector<Span> transfer_out_spans() const {
    std::vector<Span> spans;
    const auto add = [&](std::int64_t begin_us, std::int64_t end_us, std::size_t step) {
      if (!spans.empty() && spans.back().end_us >= begin_us) {
        spans.back().end_us = end_us > spans.back().end_us ? end_us : spans.back().end_us;
      } else {
        spans.push_back(Span{begin_us, end_us, step});
      }
    };
    double resting = plan_.start_pose.transfer_m;
    std::int64_t rest_from_us = 0;
    for (std::size_t i = 0; i < plan_.steps.size(); ++i) {
      const PlanStep& step = plan_.steps[i];
      if (step.actuator != Actuator::transfer) continue;
      if (resting > same_position) add(rest_from_us, step.start.us, i);
      const double reach = step.from + facts_[i].highest;
      if (step.from > same_position || step.to > same_position || reach > same_position)
        add(step.start.us, step.start.us + step.duration.us, i);
      resting = step.to;
      rest_from_us = step.start.us + step.duration.us;
    }
    const std::int64_t end_us = plan_.duration.us > rest_from_us ? plan_.duration.us : rest_from_us;
    if (resting > same_position)
      add(rest_from_us, end_us > rest_from_us ? end_us : rest_from_us + 1, plan_.steps.size());
    return spans;
  }

  // The turntable rotates and the lift travels only with the transfer retracted.
  Status check_still_while_transfer_out() {
    transfer_out_ = transfer_out_spans();
    for (std::size_t i = 0; i < plan_.steps.size(); ++i) {
      const PlanStep& step = plan_.steps[i];
      if (step.actuator != Actuator::lift && step.actuator != Actuator::turntable) continue;
      if (step.duration.us == 0) continue;  // reaches its target in no time: it did not move
      const Span moving{step.start.us, step.start.us + step.duration.us, i};
      for (const Span& out : transfer_out_)
        if (overlap(moving, out))
          return broken(i, std::string(step.actuator == Actuator::lift ? "travels" : "turns") +
                               " while the transfer is extended (from step " + std::to_string(out.step) + ")");
    }
    return ok_status();
  }

  // Where an axis rests at `time_us`, when none of its steps is running then.
  double resting_position(Actuator axis, std::int64_t time_us) const {
    double position = start_position(axis);
    for (const PlanStep& step : plan_.steps)
      if (step.actuator == axis && step.start.us + step.duration.us <= time_us) position = step.to;
    return position;
  }

  // The transfer goes out only towards a slot that exists at the lift's level, or at the bays' level towards a
  // bay whose inner door is fully open for as long as the transfer is out.
  Status check_transfer_targets() const {
    for (const Span& out : transfer_out_) {
      const double lift_m = resting_position(Actuator::lift, out.begin_us);
      const double angle_rad = resting_position(Actuator::turntable, out.begin_us);
      const std::size_t index = out.step;
      if (magnitude(lift_m) <= same_position) {
        if (auto status = check_into_bay(index, angle_rad, out); !status) return status;
        continue;
      }
      const auto level = static_cast<int>(lift_m / layout_.level_pitch_m + 0.5);
      if (level < 1 || level > layout_.levels || magnitude(lift_m - level * layout_.level_pitch_m) > same_position)
        return broken(index, "extends the transfer at " + number_text(lift_m) + " m, which is not a slot level");
      if (!faces_slot(level, angle_rad))
        return broken(index, "extends the transfer on level " + std::to_string(level) + " towards " +
                                 number_text(angle_rad) + " rad, where that level has no slot");
    }
    return ok_status();
  }

  bool faces_slot(int level, double angle_rad) const {
    int count = 0;
    for (const SlotDef& slot : layout_.slots) count += slot.level == level ? 1 : 0;
    for (const SlotDef& slot : layout_.slots)
      if (slot.level == level && slot.position >= 0 && slot.position < count &&
          angle_gap(angle_rad, slot.position * full_turn_rad / count) <= same_position)
        return true;
    return false;
  }

  Status check_into_bay(std::size_t index, double angle_rad, const Span& out) const {
    const auto bays = static_cast<double>(layout_.bays.size());
    for (std::size_t bay = 0; bay < layout_.bays.size(); ++bay) {
      // The transfer serves a bay with the turntable half a turn from the bay's direction.
      const double facing_rad = static_cast<double>(bay) * full_turn_rad / bays + full_turn_rad / 2.0;
      if (angle_gap(angle_rad, facing_rad) > same_position) continue;
      for (const Span& open : door_open_[bay])
        if (open.begin_us <= out.begin_us && out.end_us <= open.end_us) return ok_status();
      return broken(index, "extends the transfer into bay " + std::to_string(layout_.bays[bay].id.value) +
                               " while its inner door is not fully open");
    }
    return broken(index, "extends the transfer at the bays' level towards " + number_text(angle_rad) +
                             " rad, where no bay is served");
  }

  // [SECTION] The end of the plan

  Status check_end() const {
    std::int64_t end_us = 0;
    for (const PlanStep& step : plan_.steps)
      end_us = step.start.us + step.duration.us > end_us ? step.start.us + step.duration.us : end_us;
    if (plan_.duration.us != end_us)
      return plan_error("its duration " + number_text(static_cast<double>(plan_.duration.us) / 1e6) +
                        " s is not the end of its last step, " + number_text(static_cast<double>(end_us) / 1e6) + " s");
    const MachinePose& end = plan_.end_pose;
    const double ends[3] = {end.lift_m, end.turntable_rad, end.transfer_m};
    const Actuator axes[3] = {Actuator::lift, Actuator::turntable, Actuator::transfer};
    for (int k = 0; k < 3; ++k)
      if (!same_place(axes[k], resting_position(axes[k], end_us), ends[k]))
        return plan_error(std::string("its end pose does not match where the ") + actuator_name(axes[k]) +
                          " comes to rest");
    return ok_status();
  }

  const MachineConfig& machine_;
  const TowerLayout& layout_;
  const MachinePlan& plan_;
  const SafetyInputs& safety_;
  std::vector<MoveFacts> facts_;              // per step; moves only
  std::vector<std::vector<Span>> door_open_;  // per bay: when its inner door is fully open
  std::vector<Span> transfer_out_;
};

}  // namespace

Status check_plan(const MachineConfig& machine, const TowerLayout& layout, const MachinePlan& plan,
                  const SafetyInputs& safety) {
  return Checker(machine, layout, plan, safety).run();
}

}  // namespace tower
