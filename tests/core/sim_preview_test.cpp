// What the twin draws and promises comes from the core: sampling a plan gives the machine's pose, doors and
// load exactly as the profiles say; the simulator's lift move re-plans to the simulator's own plan; and a
// walk-in customer's car is fetched under the tower's rules, with the ETA the run then keeps.
#include <catch2/catch.hpp>

#include <cmath>

#include "machine_fixtures.hpp"
#include "tower/sim.hpp"

using namespace tower;
using tower::testing::machine_fixtures::all_clear;
using tower::testing::machine_fixtures::autobahn;

namespace {

Scenario quiet_scenario() {
  Scenario scenario;
  scenario.name = "quiet";
  scenario.stock = 40;
  scenario.duration_hours = 2;
  scenario.demand.buyers_per_hour = 0;
  scenario.demand.trial_pickups_per_hour = 0;
  return scenario;
}

Simulator simulator_of(const Scenario& scenario) {
  auto simulator = Simulator::create(scenario);
  if (!simulator) FAIL(simulator.error().message);
  return std::move(*simulator);
}

CarId stocked_car(const Simulator& simulator, int nth = 0) {
  for (const Car& car : simulator.tower().state().cars)
    if (car.state == CarState::in_slot && !car.hold.held() && nth-- == 0) return car.id;
  FAIL("no car in stock");
  return {};
}

// The plan the simulator is playing, re-planned from its LiftMove.
MachinePlan replan(const Simulator& simulator) {
  const LiftMove& move = simulator.lift_move();
  const auto& config = simulator.scenario().config;
  const SafetyInputs safety = all_clear(config.layout);
  Result<MachinePlan> plan = move.kind == LiftMove::Kind::retrieval
                                 ? plan_retrieval(simulator.scenario().machine, config.layout, move.from, move.slot,
                                                  move.bay, safety)
                             : move.kind == LiftMove::Kind::storage
                                 ? plan_storage(simulator.scenario().machine, config.layout, move.from, move.bay,
                                                move.slot, safety)
                                 : plan_reposition(simulator.scenario().machine, config.layout, move.from, move.to,
                                                   safety);
  REQUIRE(plan.ok());
  return *plan;
}

}  // namespace

TEST_CASE("sampling a retrieval plan follows its profiles, doors and load", "[sim_preview]") {
  const TowerLayout layout = autobahn();
  const MachinePose start{0.0, 0.0, 0.0};
  auto plan = plan_retrieval(MachineConfig{}, layout, start, layout.slots[37].id, BayId{2}, all_clear(layout));
  REQUIRE(plan.ok());

  const MachineFrame first = sample_plan(*plan, layout, Duration{});
  CHECK(first.pose.lift_m == start.lift_m);
  CHECK(first.load == LoadPhase::at_origin);
  CHECK(first.inner_doors == std::vector<double>{0.0, 0.0});

  const MachineFrame last = sample_plan(*plan, layout, plan->duration);
  CHECK(last.pose.lift_m == plan->end_pose.lift_m);
  CHECK(last.pose.turntable_rad == plan->end_pose.turntable_rad);
  CHECK(last.pose.transfer_m == 0.0);
  CHECK(last.load == LoadPhase::delivered);
  CHECK(last.inner_doors[1] == 0.0);
  CHECK(sample_plan(*plan, layout, plan->duration + seconds(5)).pose.lift_m == last.pose.lift_m);

  // Mid-move, every axis sits where its own profile puts it.
  for (const PlanStep& step : plan->steps) {
    if (step.actuator != Actuator::lift) continue;
    const Duration middle{step.start.us + step.duration.us / 2};
    const double expected = step.from + profile_state_at(step.profile, static_cast<double>(middle.us - step.start.us) / 1e6).position_m;
    CHECK(sample_plan(*plan, layout, middle).pose.lift_m == Approx(expected).margin(1e-12));
    CHECK(sample_plan(*plan, layout, middle).load == (step.start.us == 0 ? LoadPhase::at_origin : LoadPhase::on_transfer));
  }

  // The car rides the transfer from the pull to the push; bay 2's door is open when the pallet goes out.
  std::vector<const PlanStep*> strokes;
  for (const PlanStep& step : plan->steps)
    if (step.actuator == Actuator::transfer) strokes.push_back(&step);
  REQUIRE(strokes.size() == 4);
  CHECK(sample_plan(*plan, layout, strokes[0]->start + strokes[0]->duration - microseconds(1)).load == LoadPhase::at_origin);
  CHECK(sample_plan(*plan, layout, strokes[1]->start + microseconds(1)).load == LoadPhase::on_transfer);
  const MachineFrame pushing = sample_plan(*plan, layout, strokes[2]->start + microseconds(strokes[2]->duration.us / 2));
  CHECK(pushing.load == LoadPhase::on_transfer);
  CHECK(pushing.inner_doors[1] == 1.0);
  CHECK(pushing.inner_doors[0] == 0.0);
  CHECK(pushing.pose.transfer_m > 0.0);
  CHECK(sample_plan(*plan, layout, strokes[2]->start + strokes[2]->duration).load == LoadPhase::delivered);
}

TEST_CASE("a walk-in buyer's car is fetched and the lift move is the simulator's own plan", "[sim_preview]") {
  Simulator simulator = simulator_of(quiet_scenario());
  simulator.run_until(SimTime{minutes(10).us});
  const CarId car = stocked_car(simulator, 5);

  auto visitor = simulator.walk_in(WalkIn{car, false, 800, false});
  REQUIRE(visitor.ok());
  const Job* job = simulator.visitor_job(*visitor);
  REQUIRE(job != nullptr);
  CHECK(job->car == car);
  CHECK(job->state == JobState::running);
  CHECK(simulator.tower().car(car)->state == CarState::moving);

  const LiftMove& move = simulator.lift_move();
  REQUIRE(move.kind == LiftMove::Kind::retrieval);
  CHECK(move.car == car);
  const MachinePlan plan = replan(simulator);
  CHECK(plan.duration == move.duration);
  CHECK(move.started + move.duration == job->eta);
  CHECK(move.elapsed(move.started + seconds(1)) == seconds(1));
  CHECK(move.elapsed(move.started + move.duration + seconds(9)) == move.duration);

  // The ETA the run showed at the start is when the car reaches the bay.
  const SimTime promised = job->eta;
  while (simulator.visitor_job(*visitor)->state != JobState::done) REQUIRE(simulator.step());
  CHECK(simulator.visitor_job(*visitor)->finished == promised);
  CHECK(simulator.tower().car(car)->state == CarState::in_bay);
}

TEST_CASE("a walk-in is refused by the tower's own rules", "[sim_preview]") {
  Simulator simulator = simulator_of(quiet_scenario());
  const CarId car = stocked_car(simulator);

  auto poor = simulator.walk_in(WalkIn{car, false, 700, false});
  REQUIRE_FALSE(poor.ok());
  CHECK(poor.error().code == ErrorCode::not_eligible);
  CHECK_FALSE(simulator.walk_in(WalkIn{car, false, 20, false}).ok());

  REQUIRE(simulator.walk_in(WalkIn{car, true, 720, false}).ok());
  auto twice = simulator.walk_in(WalkIn{car, false, 900, false});
  REQUIRE_FALSE(twice.ok());  // a car is never promised twice
  CHECK(twice.error().code == ErrorCode::conflict);
}

TEST_CASE("an outage freezes the lift move where it is and it resumes from there", "[sim_preview]") {
  Scenario scenario = quiet_scenario();
  scenario.faults.push_back(FaultDef{FaultKind::lift_out, BayId{}, 1.0 / 60.0 * 10.5, 0.5});
  Simulator simulator = simulator_of(scenario);
  simulator.run_until(SimTime{minutes(10).us});
  CarId car{};  // the highest car in stock: its retrieval is the longest
  int level = 0;
  for (const Car& candidate : simulator.tower().state().cars) {
    const SlotDef& slot = scenario.config.layout.slots[candidate.slot.value - 1];
    if (candidate.state == CarState::in_slot && !candidate.hold.held() && slot.level > level) {
      level = slot.level;
      car = candidate.id;
    }
  }
  auto visitor = simulator.walk_in(WalkIn{car, false, 900, false});
  REQUIRE(visitor.ok());

  simulator.run_until(SimTime{minutes(11).us});
  REQUIRE(simulator.lift_out_of_service());
  const LiftMove move = simulator.lift_move();
  REQUIRE(move.halted);
  const Duration frozen = move.elapsed(SimTime{minutes(20).us});
  CHECK(frozen == move.elapsed(SimTime{minutes(29).us}));
  CHECK(frozen == SimTime{seconds(630).us} - move.started);

  simulator.run_until(SimTime{minutes(30).us});
  CHECK_FALSE(simulator.lift_out_of_service());
  CHECK(simulator.visitor_job(*visitor)->state == JobState::running);
  CHECK(simulator.lift_move().elapsed(SimTime{minutes(30).us}) == frozen);
  while (simulator.visitor_job(*visitor)->state != JobState::done) REQUIRE(simulator.step());
  CHECK(simulator.visitor_job(*visitor)->finished == SimTime{minutes(30).us} + (move.duration - frozen));
}
