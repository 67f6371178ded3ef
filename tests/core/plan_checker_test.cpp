// Tests for core/src/plan_checker.cpp, the independent checker: every mutation that breaks a rule is refused
// for the rule it breaks. The property test takes its seed and count from the command line:
//   tower_core_tests "[machine_plan]" --property-seed 7 --property-count 20000
// runs the long mode: 20000 * 50 = 1,000,000 random plans (and as many mutated copies).
#include <catch2/catch.hpp>

#include "machine_fixtures.hpp"

using namespace tower::testing::machine_fixtures;

TEST_CASE("checker: a profile beyond the jerk limit is refused", "[machine_plan]") {
  Retrieval retrieval;
  PlanStep& ascent = retrieval.plan.steps[nth_step(retrieval.plan, Actuator::lift)];
  MachineConfig faster = machine;
  faster.lift.jmax_mps3 = 2.5 * machine.lift.jmax_mps3;
  replan(ascent, ascent.from, ascent.to, faster);  // shorter, so nothing else moves into its way
  tidy(retrieval.plan);
  require_refused(retrieval.plan, retrieval.layout, retrieval.safety, "exceeds the jerk limit");
  require_passes(retrieval.plan, retrieval.layout, retrieval.safety, faster);
}

TEST_CASE("checker: a profile beyond the velocity or acceleration limit is refused", "[machine_plan]") {
  Retrieval retrieval;
  const std::size_t descent = nth_step(retrieval.plan, Actuator::lift, 1);
  MachineConfig faster = machine;
  faster.lift.vmax_mps = 3.0;
  replan(retrieval.plan.steps[descent], retrieval.plan.steps[descent].from, 0.0, faster);
  require_refused(retrieval.plan, retrieval.layout, retrieval.safety, "exceeds the velocity limit");
  faster = machine;
  faster.lift.amax_mps2 = 1.5;
  replan(retrieval.plan.steps[descent], retrieval.plan.steps[descent].from, 0.0, faster);
  require_refused(retrieval.plan, retrieval.layout, retrieval.safety, "exceeds the acceleration limit");
}

TEST_CASE("checker: the turntable turning while the transfer is out is refused", "[machine_plan]") {
  Retrieval retrieval;
  MachinePlan& plan = retrieval.plan;
  const Duration retract_start = plan.steps[nth_step(plan, Actuator::transfer, 1)].start;
  plan.steps[nth_step(plan, Actuator::turntable, 1)].start = retract_start;
  tidy(plan);
  require_refused(plan, retrieval.layout, retrieval.safety, "turns while the transfer is extended");
}

TEST_CASE("checker: the lift travelling while the transfer is out is refused", "[machine_plan]") {
  Retrieval retrieval;
  MachinePlan& plan = retrieval.plan;
  const PlanStep& retract = plan.steps[nth_step(plan, Actuator::transfer, 1)];
  plan.steps[nth_step(plan, Actuator::lift, 1)].start = retract.start + Duration{retract.duration.us / 2};
  tidy(plan);
  require_refused(plan, retrieval.layout, retrieval.safety, "travels while the transfer is extended");
}

TEST_CASE("checker: a transfer extension between slot levels is refused", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  MachinePlan plan;
  plan.start_pose = {0.0, pi, 0.0};
  plan.steps.push_back(move_step(Actuator::lift, machine.lift, Duration{}, 0.0, 4.05));  // level 1.5
  plan.steps.push_back(move_step(Actuator::transfer, machine.transfer, end_of(plan.steps[0]), 0.0, 6.0));
  plan.steps.push_back(move_step(Actuator::transfer, machine.transfer, end_of(plan.steps[1]), 6.0, 0.0));
  plan.end_pose = {4.05, pi, 0.0};
  tidy(plan);
  require_refused(plan, layout, safety, "which is not a slot level");
  // The same at level 1 (2.7 m) is a slot: accepted.
  replan(plan.steps[0], 0.0, 2.7);
  plan.steps[1].start = end_of(plan.steps[0]);
  plan.steps[2].start = end_of(plan.steps[1]);
  plan.end_pose.lift_m = 2.7;
  tidy(plan);
  require_passes(plan, layout, safety);
}

TEST_CASE("checker: a transfer extension towards no slot on its level is refused", "[machine_plan]") {
  // Carvana's level 1 has two slots, at 0 and pi: nothing at pi / 2.
  const TowerLayout layout = carvana();
  const SafetyInputs safety = all_clear(layout);
  MachinePlan plan;
  plan.start_pose = {2.7, pi / 2, 0.0};
  plan.steps.push_back(move_step(Actuator::transfer, machine.transfer, Duration{}, 0.0, 6.0));
  plan.steps.push_back(move_step(Actuator::transfer, machine.transfer, end_of(plan.steps[0]), 6.0, 0.0));
  plan.end_pose = plan.start_pose;
  tidy(plan);
  require_refused(plan, layout, safety, "where that level has no slot");
}

TEST_CASE("checker: a transfer extension into a bay whose inner door is not fully open is refused", "[machine_plan]") {
  Retrieval retrieval;
  MachinePlan& plan = retrieval.plan;
  PlanStep& opening = plan.steps[nth_step(plan, Actuator::inner_door, 0)];
  opening.start = opening.start + Duration{opening.duration.us / 2};  // half open when the pallet goes out
  tidy(plan);
  require_refused(plan, retrieval.layout, retrieval.safety, "inner door is not fully open");
  // A door closing while the pallet is still in the bay is the same rule.
  Retrieval closing_early;
  MachinePlan& early = closing_early.plan;
  early.steps[nth_step(early, Actuator::inner_door, 1)].start =
      early.steps[nth_step(early, Actuator::transfer, 3)].start;
  tidy(early);
  require_refused(early, closing_early.layout, closing_early.safety, "inner door is not fully open");
}

TEST_CASE("checker: an inner door opening onto an open outer door or a person is refused", "[machine_plan]") {
  Retrieval retrieval;
  SafetyInputs outer_open = retrieval.safety;
  outer_open.bays[1].outer_door_closed = false;
  require_refused(retrieval.plan, retrieval.layout, outer_open, "while its outer door is open");
  SafetyInputs person = retrieval.safety;
  person.bays[1].person_present = true;
  require_refused(retrieval.plan, retrieval.layout, person, "while a person is in the bay");
  // Bay 1 is not used by this plan: its outer door may be open.
  SafetyInputs other = retrieval.safety;
  other.bays[0].outer_door_closed = false;
  require_passes(retrieval.plan, retrieval.layout, other);
}

TEST_CASE("checker: an inner door of a bay that does not exist, or left open, is refused", "[machine_plan]") {
  Retrieval retrieval;
  MachinePlan plan = retrieval.plan;
  for (auto& step : plan.steps)
    if (step.actuator == Actuator::inner_door) step.bay = BayId{3};
  require_refused(plan, retrieval.layout, retrieval.safety, "bay 3 does not exist");
  MachinePlan left_open = retrieval.plan;
  left_open.steps.erase(left_open.steps.begin() +
                        static_cast<std::ptrdiff_t>(nth_step(left_open, Actuator::inner_door, 1)));
  tidy(left_open);
  require_refused(left_open, retrieval.layout, retrieval.safety, "is left open at the end");
}

TEST_CASE("checker: a gap or a jump in an axis is refused", "[machine_plan]") {
  Retrieval retrieval;
  MachinePlan jump = retrieval.plan;
  PlanStep& descent = jump.steps[nth_step(jump, Actuator::lift, 1)];
  replan(descent, descent.from - 0.1, 0.0);
  tidy(jump);
  require_refused(jump, retrieval.layout, retrieval.safety, "(a gap or discontinuity)");
  // A missing move: the lift never went up, yet comes down.
  MachinePlan missing = retrieval.plan;
  missing.steps.erase(missing.steps.begin() + static_cast<std::ptrdiff_t>(nth_step(missing, Actuator::lift, 0)));
  require_refused(missing, retrieval.layout, retrieval.safety, "(a gap or discontinuity)");
  // A jump inside a profile: one phase does not continue from the last.
  MachinePlan inside = retrieval.plan;
  inside.steps[nth_step(inside, Actuator::transfer, 0)].profile.phases[2].start.velocity_mps += 0.01;
  require_refused(inside, retrieval.layout, retrieval.safety, "does not continue from where the profile was");
}

TEST_CASE("checker: two steps of one axis at once are refused", "[machine_plan]") {
  Retrieval retrieval;
  MachinePlan& plan = retrieval.plan;
  PlanStep& retract = plan.steps[nth_step(plan, Actuator::transfer, 1)];
  retract.start = retract.start - Duration{1};
  tidy(plan);
  require_refused(plan, retrieval.layout, retrieval.safety, "overlaps the previous step of the same axis");
}

TEST_CASE("checker: a step that does not reach its target or lasts the wrong time is refused", "[machine_plan]") {
  Retrieval retrieval;
  MachinePlan short_of = retrieval.plan;
  short_of.steps[nth_step(short_of, Actuator::transfer, 0)].to = 5.9;
  require_refused(short_of, retrieval.layout, retrieval.safety, "its profile does not reach 5.9");
  MachinePlan late = retrieval.plan;
  late.steps[nth_step(late, Actuator::lift, 0)].duration.us += 2;
  require_refused(late, retrieval.layout, retrieval.safety, "does not match its profile's");
  MachinePlan wrong_end = retrieval.plan;
  wrong_end.end_pose.lift_m = 2.7;
  require_refused(wrong_end, retrieval.layout, retrieval.safety, "end pose does not match where the lift");
  MachinePlan wrong_duration = retrieval.plan;
  wrong_duration.duration.us += 1;
  require_refused(wrong_duration, retrieval.layout, retrieval.safety, "is not the end of its last step");
}

TEST_CASE("checker: an envelope beyond the top of the shaft or the stroke is refused", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  MachinePlan plan = planned(tower::plan_reposition(machine, layout, {0.0, 0.0, 0.0}, {40.5, 0.0, 0.0}, safety));
  require_passes(plan, layout, safety);
  replan(plan.steps[0], 0.0, 41.0);
  plan.end_pose.lift_m = 41.0;
  tidy(plan);
  require_refused(plan, layout, safety, "leaves the shaft");
  // Overtravel counts even when the target is inside: the envelope, not the end, must fit.
  replan(plan.steps[0], 0.0, 40.5);
  tidy(plan);
  plan.steps[0].profile.max_position_m = 40.6;
  require_refused(plan, layout, safety, "leaves the shaft");
  Retrieval retrieval;
  MachinePlan far = retrieval.plan;
  PlanStep& out = far.steps[nth_step(far, Actuator::transfer, 0)];
  PlanStep& back = far.steps[nth_step(far, Actuator::transfer, 1)];
  replan(out, 0.0, 6.5);
  back.start = end_of(out);
  replan(back, 6.5, 0.0);
  tidy(far);
  require_refused(far, retrieval.layout, retrieval.safety, "leaves the transfer's stroke");
}

TEST_CASE("checker: any step under a latched emergency stop is refused", "[machine_plan]") {
  Retrieval retrieval;
  SafetyInputs stopped = retrieval.safety;
  stopped.emergency_stop_latched = true;
  require_refused(retrieval.plan, retrieval.layout, stopped, "emergency stop is latched");
  MachinePlan idle;
  idle.end_pose = idle.start_pose;
  require_passes(idle, retrieval.layout, stopped);
}

// [SECTION] Property: planned plans pass, rule-breaking mutations are refused

namespace {

TowerLayout random_layout(tower::Random& rng) {
  const int levels = static_cast<int>(rng.between(1, 20));
  const int per_level = static_cast<int>(rng.between(1, 8));
  const int lowest = static_cast<int>(rng.between(1, per_level));
  TowerLayout layout = tower::make_layout("random", levels, per_level, static_cast<int>(rng.between(1, 4)), lowest);
  layout.level_pitch_m = rng.uniform(2.2, 3.5);
  return layout;
}

MachineConfig random_machine(tower::Random& rng) {
  MachineConfig config;
  config.lift = {rng.uniform(0.5, 3.0), rng.uniform(0.3, 1.5), rng.uniform(0.5, 3.0)};
  config.transfer = {rng.uniform(0.5, 2.0), rng.uniform(0.3, 1.2), rng.uniform(0.5, 3.0)};
  config.turntable = {rng.uniform(0.1, 0.6), rng.uniform(0.1, 1.0), rng.uniform(0.2, 2.0)};
  config.transfer_stroke_m = rng.uniform(3.0, 7.0);
  config.inner_door_s = rng.chance(0.1) ? 0.0 : rng.uniform(0.5, 8.0);
  return config;
}

// Anywhere in the shaft, at a level or a bay facing, or between them.
MachinePose random_pose(tower::Random& rng, const TowerLayout& layout) {
  const double top_m = tower::level_height_m(layout, layout.levels);
  MachinePose pose;
  pose.lift_m = rng.chance(0.5) ? tower::level_height_m(layout, static_cast<int>(rng.between(0, layout.levels)))
                                : rng.uniform(0.0, top_m);
  pose.turntable_rad =
      rng.chance(0.5)
          ? tower::slot_angle_rad(layout.slots[static_cast<std::size_t>(rng.below(layout.slots.size()))], layout)
          : rng.uniform(0.0, 2 * pi);
  if (rng.chance(0.2)) pose.turntable_rad = tower::bay_facing_rad(BayId{1}, layout);
  return pose;
}

// The bay a plan's doors serve, or none.
BayId door_bay(const MachinePlan& plan) {
  for (const auto& step : plan.steps)
    if (step.actuator == Actuator::inner_door) return step.bay;
  return BayId{};
}

double axis_gap(const PlanStep& step) {
  double gap = step.to - step.from;
  gap = gap < 0 ? -gap : gap;
  return step.actuator == Actuator::turntable && gap > pi ? 2 * pi - gap : gap;
}

// Mutates a copy of a valid plan (or its safety inputs) so that it breaks a rule for certain. Returns what it
// did, or nullptr when the chosen mutation does not apply to this plan (the caller picks another).
const char* mutate(tower::Random& rng, const MachineConfig& config, const TowerLayout& layout, MachinePlan& plan,
                   SafetyInputs& safety) {
  if (plan.steps.empty()) return nullptr;
  const auto pick = static_cast<std::size_t>(rng.below(plan.steps.size()));
  PlanStep& step = plan.steps[pick];
  const bool moves = step.actuator != Actuator::inner_door;
  switch (rng.below(9)) {
    case 0:  // e-stop latched
      safety.emergency_stop_latched = true;
      return "e-stop latched";
    case 1: {  // the served bay's outer door open, or a person in it
      const BayId bay = door_bay(plan);
      if (!bay.valid()) return nullptr;
      if (rng.chance(0.5))
        safety.bays[bay.value - 1].outer_door_closed = false;
      else
        safety.bays[bay.value - 1].person_present = true;
      return "served bay unsafe";
    }
    case 2: {  // a faster jerk limit than the machine has
      if (!moves) return nullptr;
      MachineConfig faster = config;
      AxisLimits& limits = step.actuator == Actuator::lift        ? faster.lift
                           : step.actuator == Actuator::turntable ? faster.turntable
                                                                  : faster.transfer;
      limits.jmax_mps3 *= rng.uniform(1.01, 3.0);
      replan(step, step.from, step.to, faster);
      tidy(plan);
      return "jerk limit exceeded";
    }
    case 3: {  // a transfer step earlier than the machine is ready for it
      if (step.actuator != Actuator::transfer) return nullptr;
      step.start = step.start - Duration{rng.between(1, std::max<std::int64_t>(1, step.start.us))};
      tidy(plan);
      return "transfer step earlier";
    }
    case 4: {  // the lift or the turntable moving while the transfer is out
      if (step.actuator != Actuator::lift && step.actuator != Actuator::turntable) return nullptr;
      const PlanStep* transfer = nullptr;
      for (const auto& other : plan.steps)
        if (other.actuator == Actuator::transfer && rng.chance(0.5)) transfer = &other;
      if (transfer == nullptr) return nullptr;
      step.start = transfer->start + Duration{rng.between(0, transfer->duration.us - 1)};
      tidy(plan);
      return "lift or turntable moved into a transfer step";
    }
    case 5:  // a target the profile does not reach
      if (!moves) return nullptr;
      step.to += rng.chance(0.5) ? rng.uniform(1e-4, 1.0) : -rng.uniform(1e-4, 1.0);
      return "target not reached";
    case 6:  // a duration that is not the profile's (or the door's)
      step.duration.us += rng.chance(0.5) || step.duration.us < 1002 ? rng.between(2, 1000) : -rng.between(2, 1000);
      tidy(plan);
      return "wrong step duration";
    case 7:  // a step left out
      if (moves && axis_gap(step) < 1e-5) return nullptr;
      plan.steps.erase(plan.steps.begin() + static_cast<std::ptrdiff_t>(pick));
      tidy(plan);
      return "step left out";
    case 8: {  // the lift stopping off its level: the next transfer extension is between levels
      if (step.actuator != Actuator::lift) return nullptr;
      const double top_m = tower::level_height_m(layout, layout.levels);
      double offset = rng.uniform(0.01, 0.5) * layout.level_pitch_m;
      if (step.to + offset > top_m) offset = -offset;
      const double to = step.to + offset;
      replan(step, step.from, to, config);
      for (std::size_t i = pick + 1; i < plan.steps.size(); ++i)
        if (plan.steps[i].actuator == Actuator::lift) {
          replan(plan.steps[i], to, plan.steps[i].to, config);
          break;
        }
      tidy(plan);
      return "lift stopped off its level";
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("property: planned plans pass the checker and rule-breaking mutations are refused", "[machine_plan]") {
  // property_count * 50 random plans (10,000 by default). Long mode, one million plans:
  //   tower_core_tests "[machine_plan]" --property-count 20000 [--property-seed N]
  const std::uint64_t seed = tower::testing::property_seed;
  const long plans = static_cast<long>(tower::testing::property_count) * 50;
  tower::Random rng(seed);
  long planned_count = 0, refused_mutations = 0;
  std::string first_failure;
  const auto fail = [&](long index, const std::string& what) {
    if (first_failure.empty())
      first_failure = "plan " + std::to_string(index) + " (seed " + std::to_string(seed) + "): " + what;
  };
  for (long i = 0; i < plans && first_failure.empty(); ++i) {
    const TowerLayout layout = random_layout(rng);
    const MachineConfig config = random_machine(rng);
    const MachinePose start = random_pose(rng, layout);
    const SlotId slot = layout.slots[static_cast<std::size_t>(rng.below(layout.slots.size()))].id;
    const BayId bay{static_cast<std::uint32_t>(rng.between(1, static_cast<std::int64_t>(layout.bays.size())))};
    SafetyInputs safety = all_clear(layout);
    for (std::size_t other = 0; other < safety.bays.size(); ++other)
      if (other + 1 != bay.value && rng.chance(0.3)) safety.bays[other] = {false, rng.chance(0.5)};
    const auto kind = rng.below(3);
    const auto result = kind == 0   ? tower::plan_retrieval(config, layout, start, slot, bay, safety)
                        : kind == 1 ? tower::plan_storage(config, layout, start, bay, slot, safety)
                                    : tower::plan_reposition(config, layout, start, random_pose(rng, layout), safety);
    if (!result.ok()) {
      fail(i, "planning failed: " + result.error().message);
      break;
    }
    ++planned_count;
    const MachinePlan& plan = *result;
    if (const Status status = tower::check_plan(config, layout, plan, safety); !status.ok()) {
      fail(i, "a planned plan was refused: " + status.error().message);
      break;
    }
    for (const auto& step : plan.steps)
      if (step.actuator == Actuator::turntable &&
          std::max(step.profile.end.position_m, -step.profile.end.position_m) > pi + 1e-9)
        fail(i, "the turntable turned the longer way");
    for (int attempt = 0; attempt < 20; ++attempt) {
      MachinePlan mutated = plan;
      SafetyInputs mutated_safety = safety;
      const char* mutation = mutate(rng, config, layout, mutated, mutated_safety);
      if (mutation == nullptr) continue;
      if (tower::check_plan(config, layout, mutated, mutated_safety).ok())
        fail(i, std::string("a mutation was accepted: ") + mutation);
      ++refused_mutations;
      break;
    }
  }
  INFO(first_failure);
  CHECK(first_failure.empty());
  CHECK(planned_count == plans);
  CHECK(refused_mutations > plans / 2);
}
