// Finishing a trip that a fault stopped part-way (plan_recovery): from any instant of any retrieval or storage,
// the plan that finishes it passes the independent checker and leaves the car where the trip was taking it.
#include <map>

#include "machine_fixtures.hpp"

namespace tower::testing {
namespace {

using namespace machine_fixtures;
using tower::Interrupted;
using tower::LoadPhase;
using tower::Trip;

// An index below `count` (the generator's 64 bits, narrowed for 32-bit WebAssembly).
std::size_t pick(tower::Random& random, std::size_t count) { return static_cast<std::size_t>(random.below(count)); }

int transfer_steps(const MachinePlan& plan) {
  int count = 0;
  for (const PlanStep& step : plan.steps) count += step.actuator == Actuator::transfer ? 1 : 0;
  return count;
}

// Where a finishing plan must have taken the car, judged by its transfer strokes and its end pose: a car still
// at its origin needs a fetch and a delivery (two strokes each), a car on the platform a delivery, a delivered
// car none; a transfer stopped out first retracts.
void require_finishes(const MachinePlan& recovery, const Interrupted& from, Trip trip, const tower::SlotDef& slot,
                      BayId bay, const TowerLayout& layout) {
  const bool at_origin = from.load == LoadPhase::at_origin, delivered = from.load == LoadPhase::delivered;
  const int retract = from.pose.transfer_m > 1e-6 ? 1 : 0;
  CHECK(transfer_steps(recovery) == retract + (delivered ? 0 : at_origin ? 4 : 2));
  CHECK(recovery.end_pose.transfer_m <= 1e-6);  // retracted, to the planner's tolerance
  if (delivered) return;  // the machine stays where the car was delivered
  if (trip == Trip::retrieval) {
    CHECK(recovery.end_pose.lift_m == 0.0);
    CHECK(recovery.end_pose.turntable_rad == Approx(tower::bay_facing_rad(bay, layout)).margin(1e-9));
  } else {
    CHECK(recovery.end_pose.lift_m == Approx(tower::level_height_m(layout, slot.level)));
    CHECK(recovery.end_pose.turntable_rad == Approx(tower::slot_angle_rad(slot, layout)).margin(1e-9));
  }
}

TEST_CASE("a trip stopped at any instant is finished by a plan that passes the independent checker", "[recovery]") {
  tower::Random random(property_seed ^ 0x5ec0'7e11ULL);
  const TowerLayout layouts[] = {autobahn(), guangzhou(), carvana()};
  std::map<LoadPhase, int> seen;
  for (int c = 0; c < property_count; ++c) {
    const TowerLayout& layout = layouts[pick(random, 3)];
    const SafetyInputs safety = all_clear(layout);
    const tower::SlotDef& slot = layout.slots[pick(random, layout.slots.size())];
    const BayId bay = layout.bays[pick(random, layout.bays.size())].id;
    const BayId start_bay = layout.bays[pick(random, layout.bays.size())].id;
    const Trip trip = random.chance(0.5) ? Trip::retrieval : Trip::storage;
    const MachinePlan plan = planned(trip == Trip::retrieval
                                         ? tower::plan_retrieval(machine, layout, facing_bay(layout, start_bay), slot.id, bay, safety)
                                         : tower::plan_storage(machine, layout, facing_bay(layout, start_bay), bay, slot.id, safety));
    // Random instants, and the edges of a random step, where rounding is most likely to bite.
    const PlanStep& step = plan.steps[pick(random, plan.steps.size())];
    const Duration instants[] = {Duration{random.between(0, plan.duration.us)}, step.start, step.start + Duration{1},
                                 end_of(step) - Duration{1}, end_of(step)};
    for (const Duration at : instants) {
      const Interrupted stopped = tower::interrupted_at(plan, layout, at);
      ++seen[stopped.load];
      INFO(layout.name << (trip == Trip::retrieval ? " retrieval" : " storage") << " slot " << slot.id.value
                       << " bay " << bay.value << " stopped at " << at.us << " us of " << plan.duration.us
                       << "; transfer " << stopped.pose.transfer_m << " m, door open " << stopped.door_open.value);
      const MachinePlan recovery = planned(tower::plan_recovery(machine, layout, stopped, trip, slot.id, bay, safety));
      CHECK(recovery.start_pose.lift_m == stopped.pose.lift_m);
      CHECK(recovery.door_open_at_start == stopped.door_open);
      require_passes(recovery, layout, safety);
      require_finishes(recovery, stopped, trip, slot, bay, layout);
    }
  }
  // The property covered every place a car can be.
  CHECK(seen[LoadPhase::at_origin] > 0);
  CHECK(seen[LoadPhase::on_transfer] > 0);
  CHECK(seen[LoadPhase::delivered] > 0);
}

TEST_CASE("a recovery stopped part-way is finished in turn, knowing where its car rides", "[recovery]") {
  tower::Random random(property_seed ^ 0x2ec0'7e11ULL);
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  std::map<LoadPhase, int> seen;
  for (int c = 0; c < property_count; ++c) {
    const tower::SlotDef& slot = layout.slots[pick(random, layout.slots.size())];
    const BayId bay = layout.bays[pick(random, layout.bays.size())].id;
    const Trip trip = random.chance(0.5) ? Trip::retrieval : Trip::storage;
    const MachinePlan plan = planned(trip == Trip::retrieval
                                         ? tower::plan_retrieval(machine, layout, facing_bay(layout, bay), slot.id, bay, safety)
                                         : tower::plan_storage(machine, layout, facing_bay(layout, bay), bay, slot.id, safety));
    const Interrupted first = tower::interrupted_at(plan, layout, Duration{random.between(0, plan.duration.us)});
    const MachinePlan recovery = planned(tower::plan_recovery(machine, layout, first, trip, slot.id, bay, safety));
    // Sampled from start to end, the recovery carries the car from where the stop left it to the destination.
    CHECK(tower::sample_plan(recovery, layout, Duration{}).load == first.load);
    CHECK(tower::sample_plan(recovery, layout, recovery.duration).load == LoadPhase::delivered);
    const Interrupted second = tower::interrupted_at(recovery, layout, Duration{random.between(0, recovery.duration.us)});
    ++seen[second.load];
    INFO((trip == Trip::retrieval ? "retrieval" : "storage") << " slot " << slot.id.value << " bay " << bay.value
                                                             << ": first stop left the car " << static_cast<int>(first.load)
                                                             << ", the second " << static_cast<int>(second.load));
    const MachinePlan again = planned(tower::plan_recovery(machine, layout, second, trip, slot.id, bay, safety));
    require_passes(again, layout, safety);
    require_finishes(again, second, trip, slot, bay, layout);
  }
  CHECK(seen[LoadPhase::at_origin] > 0);
  CHECK(seen[LoadPhase::on_transfer] > 0);
  CHECK(seen[LoadPhase::delivered] > 0);
}

TEST_CASE("finishing a trip that never started is the ordinary trip", "[recovery]") {
  const TowerLayout layout = autobahn();
  const SafetyInputs safety = all_clear(layout);
  const MachinePlan retrieval =
      planned(tower::plan_retrieval(machine, layout, facing_bay(layout, BayId{1}), SlotId{58}, BayId{2}, safety));
  const MachinePlan again = planned(tower::plan_recovery(machine, layout, tower::interrupted_at(retrieval, layout, Duration{}),
                                                         Trip::retrieval, SlotId{58}, BayId{2}, safety));
  CHECK(again.duration == retrieval.duration);
  CHECK(again.steps.size() == retrieval.steps.size());
}

// A retrieval stopped while its pallet is out in the bay: the inner door is open and the car half delivered.
struct StoppedInBay {
  TowerLayout layout = autobahn();
  SafetyInputs safety = all_clear(layout);
  MachinePlan plan =
      planned(tower::plan_retrieval(machine, layout, facing_bay(layout, BayId{1}), SlotId{58}, BayId{2}, safety));
  Interrupted stopped;
  StoppedInBay() {
    const PlanStep& push = plan.steps[nth_step(plan, Actuator::transfer, 2)];
    stopped = tower::interrupted_at(plan, layout, push.start + Duration{push.duration.us / 2});
  }
};

TEST_CASE("a car stopped half-way into a bay goes straight through the open door", "[recovery]") {
  StoppedInBay fixture;
  REQUIRE(fixture.stopped.door_open == BayId{2});
  REQUIRE(fixture.stopped.load == LoadPhase::on_transfer);
  REQUIRE(fixture.stopped.pose.transfer_m > 0.5);
  const MachinePlan recovery = planned(tower::plan_recovery(machine, fixture.layout, fixture.stopped, Trip::retrieval,
                                                            SlotId{58}, BayId{2}, fixture.safety));
  require_passes(recovery, fixture.layout, fixture.safety);
  // Retract, push, retract; the door closes once, at the end; the lift and turntable never move.
  CHECK(transfer_steps(recovery) == 3);
  CHECK(std::count_if(recovery.steps.begin(), recovery.steps.end(),
                      [](const PlanStep& step) { return step.actuator == Actuator::inner_door; }) == 1);
  CHECK(recovery.steps.back().actuator == Actuator::inner_door);
}

TEST_CASE("a trip stopped with a bay door open is not finished while a person is in that bay", "[recovery]") {
  StoppedInBay fixture;
  fixture.safety.bays[1].person_present = true;
  const auto refused = tower::plan_recovery(machine, fixture.layout, fixture.stopped, Trip::retrieval, SlotId{58},
                                            BayId{2}, fixture.safety);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK_THAT(refused.error().message, Contains("a person is in bay 2"));
  // Nor is it finished under a latched emergency stop.
  fixture.safety = all_clear(fixture.layout);
  fixture.safety.emergency_stop_latched = true;
  const auto latched = tower::plan_recovery(machine, fixture.layout, fixture.stopped, Trip::retrieval, SlotId{58},
                                            BayId{2}, fixture.safety);
  REQUIRE_FALSE(latched.ok());
  CHECK_THAT(latched.error().message, Contains("emergency stop"));
}

TEST_CASE("the checker holds a door open at the start to the bay interlocks", "[recovery]") {
  StoppedInBay fixture;
  const MachinePlan recovery = planned(tower::plan_recovery(machine, fixture.layout, fixture.stopped, Trip::retrieval,
                                                            SlotId{58}, BayId{2}, fixture.safety));
  SECTION("a person in the bay") {
    SafetyInputs someone = fixture.safety;
    someone.bays[1].person_present = true;
    require_refused(recovery, fixture.layout, someone, "may not open or stand open while a person is in the bay");
  }
  SECTION("its outer door open") {
    SafetyInputs open = fixture.safety;
    open.bays[1].outer_door_closed = false;
    require_refused(recovery, fixture.layout, open, "may not open or stand open while its outer door is open");
  }
  SECTION("the transfer out into the bay with its door said to be closed") {
    MachinePlan closed = recovery;
    closed.door_open_at_start = BayId{};
    std::erase_if(closed.steps, [](const PlanStep& step) { return step.actuator == Actuator::inner_door; });
    tidy(closed);
    require_refused(closed, fixture.layout, fixture.safety, "into bay 2 while its inner door is not fully open");
  }
  SECTION("a bay that does not exist") {
    MachinePlan nowhere = recovery;
    nowhere.door_open_at_start = BayId{9};
    std::erase_if(nowhere.steps, [](const PlanStep& step) { return step.actuator == Actuator::inner_door; });
    tidy(nowhere);
    require_refused(nowhere, fixture.layout, fixture.safety, "does not exist");
  }
}

}  // namespace
}  // namespace tower::testing
