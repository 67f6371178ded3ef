// Tests for core/src/machine_plan.cpp, the retrieval machine's planner: geometry, plans that pass the
// independent checker for every slot and bay of each preset, timing, and refusals.
#include <catch2/catch.hpp>

#include "machine_fixtures.hpp"

using namespace tower::testing::machine_fixtures;

// [SECTION] Geometry

TEST_CASE("levels are one pitch apart above the bays", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  CHECK(tower::level_height_m(layout, 0) == 0.0);
  CHECK(tower::level_height_m(layout, 1) == Approx(2.7));
  CHECK(tower::level_height_m(layout, 15) == Approx(40.5));
}

TEST_CASE("slots are spaced evenly around the lift on each level", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  CHECK(tower::slot_angle_rad(layout.slots[0], layout) == 0.0);
  CHECK(tower::slot_angle_rad(layout.slots[1], layout) == Approx(pi / 2));
  CHECK(tower::slot_angle_rad(layout.slots[2], layout) == Approx(pi));
  CHECK(tower::slot_angle_rad(layout.slots[3], layout) == Approx(3 * pi / 2));
  // Carvana's lowest level holds 2 slots, the others 4.
  const TowerLayout short_level = carvana();
  CHECK(tower::slot_angle_rad(short_level.slots[1], short_level) == Approx(pi));
  CHECK(tower::slot_angle_rad(short_level.slots[3], short_level) == Approx(pi / 2));
  const TowerLayout six = guangzhou();
  CHECK(tower::slot_angle_rad(six.slots[5], six) == Approx(5 * pi / 3));
}

TEST_CASE("bays are spaced evenly from 0 and served half a turn from their direction", "[machine_plan]") {
  const TowerLayout two = autobahn();
  CHECK(tower::bay_angle_rad(BayId{1}, two) == 0.0);
  CHECK(tower::bay_angle_rad(BayId{2}, two) == Approx(pi));
  CHECK(tower::bay_facing_rad(BayId{1}, two) == Approx(pi));
  CHECK(tower::bay_facing_rad(BayId{2}, two) == 0.0);
  const TowerLayout four = carvana();
  CHECK(tower::bay_angle_rad(BayId{2}, four) == Approx(pi / 2));
  CHECK(tower::bay_facing_rad(BayId{2}, four) == Approx(3 * pi / 2));
  CHECK(tower::bay_facing_rad(BayId{4}, four) == Approx(pi / 2));
  for (std::uint32_t bay = 1; bay <= 4; ++bay) {
    CHECK(tower::bay_facing_rad(BayId{bay}, four) >= 0.0);
    CHECK(tower::bay_facing_rad(BayId{bay}, four) < 2 * pi);
  }
}

// [SECTION] Planning

TEST_CASE("retrievals of every slot to every bay pass the independent checker", "[machine_plan]") {
  for (const TowerLayout& layout : {autobahn(), guangzhou(), carvana()}) {
    const SafetyInputs safety = all_clear(layout);
    const double top_m = tower::level_height_m(layout, layout.levels);
    const MachinePose starts[] = {facing_bay(layout, BayId{1}), {top_m, 1.0, 0.0}, {2.7, 0.0, 0.0}};
    for (const MachinePose& start : starts)
      for (const auto& slot : layout.slots)
        for (const auto& bay : layout.bays) {
          INFO(layout.name << ": slot " << slot.id.value << " to bay " << bay.id.value);
          const MachinePlan plan = planned(tower::plan_retrieval(machine, layout, start, slot.id, bay.id, safety));
          require_passes(plan, layout, safety);
          CHECK(plan.end_pose.lift_m == 0.0);
          CHECK(plan.end_pose.turntable_rad == tower::bay_facing_rad(bay.id, layout));
          CHECK(plan.end_pose.transfer_m == 0.0);
          CHECK(plan.steps.back().actuator == Actuator::inner_door);
          CHECK(plan.steps.back().to == 0.0);
          CHECK(plan.duration == end_of(plan.steps.back()));
        }
  }
}

TEST_CASE("storages of every bay to every slot pass the independent checker", "[machine_plan]") {
  for (const TowerLayout& layout : {autobahn(), guangzhou(), carvana()}) {
    const SafetyInputs safety = all_clear(layout);
    const MachinePose starts[] = {facing_bay(layout, BayId{1}), {tower::level_height_m(layout, 3), 4.0, 0.0}};
    for (const MachinePose& start : starts)
      for (const auto& slot : layout.slots)
        for (const auto& bay : layout.bays) {
          INFO(layout.name << ": bay " << bay.id.value << " to slot " << slot.id.value);
          const MachinePlan plan = planned(tower::plan_storage(machine, layout, start, bay.id, slot.id, safety));
          require_passes(plan, layout, safety);
          CHECK(plan.end_pose.lift_m == tower::level_height_m(layout, slot.level));
          CHECK(plan.end_pose.turntable_rad == tower::slot_angle_rad(slot, layout));
          CHECK(plan.end_pose.transfer_m == 0.0);
          CHECK(plan.steps.back().actuator == Actuator::transfer);
        }
  }
}

TEST_CASE("a retrieval from a level-1 slot facing the bay takes the sum of its rest-to-rest moves", "[machine_plan]") {
  // Slot 3 is on level 1 at position 2 (pi): the turntable already serves bay 1 from there, so only the lift,
  // the transfer and the closing door are on the critical path.
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  const MachinePlan plan =
      planned(tower::plan_retrieval(machine, layout, facing_bay(layout, BayId{1}), SlotId{3}, BayId{1}, safety));
  const Duration lift = move_time(2.7, machine.lift), transfer = move_time(machine.transfer_stroke_m, machine.transfer);
  const Duration door = whole_us(machine.inner_door_s);
  CHECK(plan.duration == lift + transfer * 2 + lift + transfer * 2 + door);
  for (const auto& step : plan.steps) CHECK(step.actuator != Actuator::turntable);
  require_passes(plan, layout, safety);
}

TEST_CASE("a retrieval waits for the longer of the lift and the turntable", "[machine_plan]") {
  // Slot 1 (level 1, angle 0) from the turntable at pi: half a turn up and half a turn back down, each slower
  // than the 2.7 m lift move, so the turntable is the critical path both ways.
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  const MachinePlan plan =
      planned(tower::plan_retrieval(machine, layout, facing_bay(layout, BayId{1}), SlotId{1}, BayId{1}, safety));
  const Duration lift = move_time(2.7, machine.lift), turn = move_time(pi, machine.turntable);
  const Duration transfer = move_time(machine.transfer_stroke_m, machine.transfer);
  REQUIRE(turn > lift);
  CHECK(plan.duration == turn + transfer * 2 + turn + transfer * 2 + whole_us(machine.inner_door_s));
}

TEST_CASE("the turntable turns the shorter way", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  struct Case {
    double from_rad, to_rad, turn_rad;
  };
  for (const Case& c :
       {Case{0.1, 3 * pi / 2, -(pi / 2 + 0.1)}, Case{3 * pi / 2 + 0.1, 0.0, pi / 2 - 0.1},
        Case{6.0, 0.5, 0.5 + 2 * pi - 6.0}, Case{0.5, 6.0, -(0.5 + 2 * pi - 6.0)}, Case{1.0, 2.0, 1.0}}) {
    const MachinePlan plan =
        planned(tower::plan_reposition(machine, layout, {0.0, c.from_rad, 0.0}, {0.0, c.to_rad, 0.0}, safety));
    REQUIRE(plan.steps.size() == 1);
    CHECK(plan.steps[0].profile.end.position_m == Approx(c.turn_rad));
    CHECK(plan.end_pose.turntable_rad == c.to_rad);
    require_passes(plan, layout, safety);
  }
}

TEST_CASE("the inner door is fully open when the lift arrives at the bay", "[machine_plan]") {
  const Retrieval retrieval;
  const MachinePlan& plan = retrieval.plan;
  const PlanStep& descent = plan.steps[nth_step(plan, Actuator::lift, 1)];
  const PlanStep& opening = plan.steps[nth_step(plan, Actuator::inner_door, 0)];
  const PlanStep& delivery = plan.steps[nth_step(plan, Actuator::transfer, 2)];
  CHECK(opening.bay == BayId{2});
  CHECK(opening.to == 1.0);
  CHECK(end_of(opening) == end_of(descent));
  CHECK(delivery.start == end_of(descent));
}

TEST_CASE("a reposition moves the lift and the turntable together", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  const MachinePlan plan =
      planned(tower::plan_reposition(machine, layout, {0.0, 0.0, 0.0}, {27.0, pi / 2, 0.0}, safety));
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].start == Duration{});
  CHECK(plan.steps[1].start == Duration{});
  CHECK(plan.duration == std::max(move_time(27.0, machine.lift), move_time(pi / 2, machine.turntable)));
  require_passes(plan, layout, safety);
  const MachinePlan still = planned(tower::plan_reposition(machine, layout, plan.end_pose, plan.end_pose, safety));
  CHECK(still.steps.empty());
  CHECK(still.duration == Duration{});
}

// [SECTION] Refusals

TEST_CASE("nothing moves while the emergency stop is latched", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  SafetyInputs safety = all_clear(layout);
  safety.emergency_stop_latched = true;
  const MachinePose start = facing_bay(layout, BayId{1});
  for (const auto& result : {tower::plan_retrieval(machine, layout, start, SlotId{5}, BayId{1}, safety),
                             tower::plan_storage(machine, layout, start, BayId{1}, SlotId{5}, safety),
                             tower::plan_reposition(machine, layout, start, {5.4, 0.0, 0.0}, safety)}) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::conflict);
    CHECK_THAT(result.error().message, Contains("emergency stop is latched"));
  }
}

TEST_CASE("the inner door opens only while the bay's outer door is closed", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  SafetyInputs safety = all_clear(layout);
  safety.bays[0].outer_door_closed = false;
  const MachinePose start = facing_bay(layout, BayId{1});
  for (const auto& result : {tower::plan_retrieval(machine, layout, start, SlotId{5}, BayId{1}, safety),
                             tower::plan_storage(machine, layout, start, BayId{1}, SlotId{5}, safety)}) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::conflict);
    CHECK_THAT(result.error().message, Contains("outer door of bay 1 is open"));
  }
  // The other bay stays sealed by its closed inner door: delivering there is fine.
  const MachinePlan plan = planned(tower::plan_retrieval(machine, layout, start, SlotId{5}, BayId{2}, safety));
  require_passes(plan, layout, safety);
}

TEST_CASE("no car is brought into or out of a bay with a person in it", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  SafetyInputs safety = all_clear(layout);
  safety.bays[1].person_present = true;
  const MachinePose start = facing_bay(layout, BayId{1});
  for (const auto& result : {tower::plan_retrieval(machine, layout, start, SlotId{5}, BayId{2}, safety),
                             tower::plan_storage(machine, layout, start, BayId{2}, SlotId{5}, safety)}) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::conflict);
    CHECK_THAT(result.error().message, Contains("person is in bay 2"));
  }
  require_passes(planned(tower::plan_retrieval(machine, layout, start, SlotId{5}, BayId{1}, safety)), layout, safety);
}

TEST_CASE("a slot or a bay that does not exist is not found", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  const MachinePose start = facing_bay(layout, BayId{1});
  for (const auto& result : {tower::plan_retrieval(machine, layout, start, SlotId{61}, BayId{1}, safety),
                             tower::plan_retrieval(machine, layout, start, SlotId{0}, BayId{1}, safety),
                             tower::plan_retrieval(machine, layout, start, SlotId{5}, BayId{3}, safety),
                             tower::plan_storage(machine, layout, start, BayId{0}, SlotId{5}, safety),
                             tower::plan_storage(machine, layout, start, BayId{1}, SlotId{99}, safety)}) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::not_found);
    CHECK_THAT(result.error().message, Contains("does not exist"));
  }
}

TEST_CASE("the lift and the turntable do not move with the transfer extended", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  const MachinePose out{2.7, 0.0, 0.5};
  for (const auto& result : {tower::plan_retrieval(machine, layout, out, SlotId{5}, BayId{1}, safety),
                             tower::plan_storage(machine, layout, out, BayId{1}, SlotId{5}, safety),
                             tower::plan_reposition(machine, layout, out, {0.0, 0.0, 0.0}, safety)}) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::conflict);
    CHECK_THAT(result.error().message, Contains("must be retracted"));
  }
}

TEST_CASE("a pose outside the shaft or a bad machine limit is an invalid argument", "[machine_plan]") {
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  const auto below = tower::plan_retrieval(machine, layout, {-1.0, 0.0, 0.0}, SlotId{5}, BayId{1}, safety);
  REQUIRE_FALSE(below.ok());
  CHECK(below.error().code == ErrorCode::invalid_argument);
  const auto above = tower::plan_reposition(machine, layout, {0.0, 0.0, 0.0}, {41.0, 0.0, 0.0}, safety);
  REQUIRE_FALSE(above.ok());
  CHECK(above.error().code == ErrorCode::invalid_argument);
  const auto full_turn = tower::plan_reposition(machine, layout, {0.0, 2 * pi, 0.0}, {0.0, 0.0, 0.0}, safety);
  REQUIRE_FALSE(full_turn.ok());
  CHECK(full_turn.error().code == ErrorCode::invalid_argument);
  MachineConfig broken = machine;
  broken.lift.jmax_mps3 = 0.0;
  const auto no_jerk = tower::plan_retrieval(broken, layout, {0.0, 0.0, 0.0}, SlotId{5}, BayId{1}, safety);
  REQUIRE_FALSE(no_jerk.ok());
  CHECK(no_jerk.error().code == ErrorCode::invalid_argument);
}

// [SECTION] The checker refuses each broken rule

TEST_CASE("a tower of several lifts is planned and checked one shaft at a time", "[machine_plan]") {
  const TowerLayout layout = tower::make_layout("two shafts", 6, 4, 4, 4, 2);
  SafetyInputs safety = all_clear(layout);
  safety.bays[3].person_present = true;  // bay 4, lift 2's second bay
  const MachinePose start{0.0, 0.0, 0.0};
  auto whole = tower::plan_retrieval(machine, layout, start, tower::SlotId{1}, BayId{1}, safety);
  REQUIRE_FALSE(whole.ok());
  CHECK_THAT(whole.error().message, Contains("plan one shaft at a time"));
  for (const tower::LiftId lift : {tower::LiftId{1}, tower::LiftId{2}}) {
    const TowerLayout shaft = tower::shaft_layout(layout, lift);
    const SafetyInputs shaft_inputs = tower::shaft_safety(layout, lift, safety);
    REQUIRE(shaft_inputs.bays.size() == 2);
    INFO("lift " << lift.value);
    for (const auto& slot : shaft.slots)
      for (const auto& bay : shaft.bays) {
        auto plan = tower::plan_retrieval(machine, shaft, start, slot.id, bay.id, shaft_inputs);
        if (bay.id == BayId{4}) {  // the person in bay 4 holds its door shut
          REQUIRE_FALSE(plan.ok());
          CHECK_THAT(plan.error().message, Contains("a person is in bay 4"));
          continue;
        }
        require_passes(planned(plan), shaft, shaft_inputs);
      }
    // A slot or a bay of the other shaft is not in this one.
    const tower::SlotId other_slot{lift == tower::LiftId{1} ? 30u : 1u};
    CHECK(tower::plan_retrieval(machine, shaft, start, other_slot, shaft.bays[0].id, shaft_inputs).error().code ==
          ErrorCode::not_found);
  }
  CHECK_THAT(tower::check_plan(machine, layout, MachinePlan{}, safety).error().message, Contains("own shaft"));
}
