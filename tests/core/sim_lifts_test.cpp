// Towers with several lifts and the emergency stop: each lift serves only its own shaft's slots and bays,
// a second lift shortens a pickup rush, and an emergency stop halts every lift, then each caught move is
// finished from where it stopped by a plan the independent checker accepts.
#include <catch2/catch.hpp>

#include <string>

#include "scenario_fixtures.hpp"
#include "tower/codec.hpp"
#include "tower/machine.hpp"
#include "tower/sim.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

// The flash-sale rush of public/scenarios/ on `lifts` lifts sharing `bays` bays, with extra JSON fields.
std::string rush_json(int lifts, int bays, const std::string& extra = "", int over_minutes = 45) {
  return std::string(R"({"name": "rush", "preset": "autobahn-motors", "stock": 60, "duration_hours": 24, "seed": 1,
    "demand": {"buyers_per_hour": 0.5, "trial_pickups_per_hour": 0.5, "trials_out_at_start": 4, "hourly_profile": )") +
         day_profile + R"(}, "flash_rush": {"at_hour": 18, "pickups": 40, "over_minutes": )" + std::to_string(over_minutes) +
         R"(}, "lifts": )" +
         std::to_string(lifts) + R"(, "bays": )" + std::to_string(bays) + extra + "}";
}

Simulator simulator_of(const Scenario& scenario) {
  auto simulator = Simulator::create(scenario);
  if (!simulator) FAIL(simulator.error().message);
  return std::move(*simulator);
}

SimTime at_hours(double hours_value) { return SimTime{static_cast<std::int64_t>(hours_value * 3'600'000'000.0 + 0.5)}; }

// Every lift's current move re-planned in its own shaft and passed through the independent checker.
void check_every_move(const Simulator& simulator) {
  const TowerLayout& layout = simulator.scenario().config.layout;
  SafetyInputs safety;
  safety.bays.resize(layout.bays.size());
  for (int number = 1; number <= simulator.lifts(); ++number) {
    const LiftId lift{static_cast<std::uint32_t>(number)};
    const LiftMove& move = simulator.lift_move(lift);
    if (move.kind == LiftMove::Kind::none) continue;
    auto plan = simulator.plan_of(move, lift);
    REQUIRE(plan.ok());
    const Status checked = check_plan(simulator.scenario().machine, simulator.shaft(lift), *plan,
                                      shaft_safety(layout, lift, safety));
    INFO("lift " << number << ": " << (checked ? std::string("ok") : checked.error().message));
    CHECK(checked.ok());
    if (move.kind == LiftMove::Kind::retrieval || move.kind == LiftMove::Kind::storage) {
      CHECK(lift_of(layout, move.slot) == lift);
      CHECK(lift_of(layout, move.bay) == lift);
    }
  }
}

}  // namespace

TEST_CASE("a scenario's lifts copy the preset's shaft and share the bays out in turn", "[sim_lifts]") {
  const Scenario scenario = scenario_of(rush_json(2, 4));
  const TowerLayout& layout = scenario.config.layout;
  REQUIRE(layout.lifts == 2);
  CHECK(layout.slots.size() == 120);
  CHECK(lift_of(layout, SlotId{60}) == LiftId{1});
  CHECK(lift_of(layout, SlotId{61}) == LiftId{2});
  CHECK(lift_of(layout, BayId{1}) == LiftId{1});
  CHECK(lift_of(layout, BayId{2}) == LiftId{2});
  CHECK(lift_of(layout, BayId{3}) == LiftId{1});
  const TowerLayout second = shaft_layout(layout, LiftId{2});
  CHECK(second.lifts == 1);
  CHECK(second.slots.size() == 60);
  CHECK(second.slots.front().id == SlotId{61});
  REQUIRE(second.bays.size() == 2);
  CHECK(second.bays[1].id == BayId{4});
}

TEST_CASE("every retrieval and storage runs in the shaft of its car's lift", "[sim_lifts]") {
  Simulator simulator = simulator_of(scenario_of(rush_json(2, 4)));
  int moves_checked = 0;
  // Through the rush, minute by minute: both lifts at work, each move checked in its own shaft.
  for (SimTime at = at_hours(17.5); at < at_hours(20.0); at = at + minutes(1)) {
    simulator.run_until(at);
    check_every_move(simulator);
    ++moves_checked;
  }
  simulator.run();
  const TowerLayout& layout = simulator.scenario().config.layout;
  int by_lift[2] = {0, 0};
  for (const Job& job : simulator.jobs()) {
    if (job.state != JobState::done) continue;
    CHECK(lift_of(layout, job.slot) == job.lift);
    CHECK(lift_of(layout, job.bay) == job.lift);
    ++by_lift[job.lift.value - 1];
  }
  CHECK(by_lift[0] > 10);
  CHECK(by_lift[1] > 10);
  const SimKpis kpis = simulator.kpis();
  CHECK(kpis.lifts == 2);
  // Refused only for want of a car or of credit, never by the machine rules (a bay of the wrong shaft).
  CHECK(kpis.refused == kpis.refused_no_car + kpis.refused_not_eligible);
  CHECK(moves_checked == 150);
}

TEST_CASE("a second lift shortens the waits of a rush that one lift cannot keep up with", "[sim_lifts]") {
  // 40 pickups in 15 minutes: about 37 minutes of lift work. The four bays are shared out two to a lift, so a
  // customer whose shaft's bays are both taken still waits, and the gain is less than half.
  const auto one = run_scenario(scenario_of(rush_json(1, 4, "", 15)));
  const auto two = run_scenario(scenario_of(rush_json(2, 4, "", 15)));
  REQUIRE(one.ok());
  REQUIRE(two.ok());
  CHECK(two->purchases_delivered == one->purchases_delivered);
  CHECK(two->wait.mean.us * 10 < one->wait.mean.us * 7);
  CHECK(two->wait.p50.us * 2 < one->wait.p50.us);
  CHECK(two->lift_utilisation < one->lift_utilisation);  // the same work over two lifts
}

TEST_CASE("an emergency stop halts every lift until reset, then finishes each caught move from where it stopped",
          "[sim_lifts]") {
  const Scenario scenario = scenario_of(rush_json(2, 4, R"(, "faults": [{"kind": "emergency_stop", "at_hour": 18.25,
      "reset_after_minutes": 6}])"));
  Simulator simulator = simulator_of(scenario);
  simulator.run_until(at_hours(18.25));
  REQUIRE(simulator.emergency_stop_latched());
  for (LiftId lift : {LiftId{1}, LiftId{2}}) {
    CHECK(simulator.lift_out_of_service(lift));
    CHECK(simulator.lift_back_at(lift) == at_hours(18.35));
    REQUIRE(simulator.lift_move(lift).kind != LiftMove::Kind::none);  // the rush keeps both lifts busy
    CHECK(simulator.lift_move(lift).halted);
  }
  const LiftMove caught = simulator.lift_move(LiftId{2});
  simulator.run_until(at_hours(18.3));
  CHECK(simulator.lift_move(LiftId{2}).elapsed(simulator.now()) == caught.elapsed(at_hours(18.25)));  // nothing moved
  // The promise made during the stop counts the reset and the recovery from where the lift stands.
  const Job* running = nullptr;
  for (const Job& job : simulator.jobs())
    if (job.state == JobState::running && job.lift == LiftId{2}) running = &job;
  REQUIRE(running);
  const std::size_t running_index = static_cast<std::size_t>(running - simulator.jobs().data());
  const SimTime promised = running->eta;

  simulator.run_until(at_hours(18.35));
  CHECK_FALSE(simulator.emergency_stop_latched());
  for (LiftId lift : {LiftId{1}, LiftId{2}}) {
    CHECK_FALSE(simulator.lift_out_of_service(lift));
    const LiftMove& move = simulator.lift_move(lift);
    CHECK_FALSE(move.halted);
    CHECK((move.kind == LiftMove::Kind::recovery || move.kind == LiftMove::Kind::reposition));
  }
  const LiftMove& recovery = simulator.lift_move(LiftId{2});
  CHECK(recovery.started + recovery.duration == promised);
  CHECK(simulator.jobs()[running_index].eta == promised);
  if (recovery.kind == LiftMove::Kind::recovery) {
    CHECK(recovery.slot == caught.slot);
    CHECK(recovery.bay == caught.bay);
    // Finishing from a standstill takes at least what the interrupted plan had left.
    CHECK(recovery.duration >= caught.duration - caught.elapsed(at_hours(18.25)));
  }
  check_every_move(simulator);

  simulator.run();
  const SimKpis kpis = simulator.kpis();
  CHECK(kpis.emergency_stops == 1);
  CHECK(kpis.lift_out_time == minutes(12));  // six minutes for each of two lifts
  CHECK(kpis.refused == kpis.refused_no_car + kpis.refused_not_eligible);
  for (const Job& job : simulator.jobs()) CHECK(job.state == JobState::done);
}

TEST_CASE("an emergency stop at any moment of a move is recovered by a checked plan", "[sim_lifts]") {
  // One lift, one walk-in retrieval, the stop pressed at a different instant of it each time.
  Scenario scenario;
  scenario.stock = 40;
  scenario.duration_hours = 1;
  scenario.demand.buyers_per_hour = 0;
  scenario.demand.trial_pickups_per_hour = 0;
  for (int second = 1; second < 60; second += 2) {
    Scenario stopped = scenario;
    const double stop_hours = 0.1 + second / 3600.0;
    stopped.faults.push_back(FaultDef{FaultKind::emergency_stop, BayId{}, stop_hours, stop_hours + 0.05});
    Simulator simulator = simulator_of(stopped);
    simulator.run_until(at_hours(0.1));
    CarId car;
    for (const Car& candidate : simulator.tower().state().cars)
      if (candidate.state == CarState::in_slot && simulator.scenario().config.layout.slots[candidate.slot.value - 1].level > 8)
        car = candidate.id;
    REQUIRE(car.valid());
    const auto visitor = simulator.walk_in(WalkIn{car});
    REQUIRE(visitor.ok());
    simulator.run_until(at_hours(stop_hours + 0.05));
    INFO("stopped " << second << " s into the retrieval");
    check_every_move(simulator);
    simulator.run();
    const Job* job = simulator.visitor_job(*visitor);
    REQUIRE(job);
    CHECK(job->state == JobState::done);
    CHECK(simulator.tower().car(car)->state != CarState::in_slot);
  }
}

TEST_CASE("lifts and stops in a scenario are validated by name", "[sim_lifts]") {
  CHECK(scenario_error(rush_json(3, 2)) == "scenario.bays must be at least the number of lifts (3): each lift needs a bay");
  CHECK(scenario_error(R"({"lifts": 9})") == "scenario.lifts must be a whole number in 1..8");
  CHECK(scenario_error(rush_json(2, 2, R"(, "faults": [{"kind": "lift_out", "lift": 3, "from_hour": 1, "to_hour": 2}])")) ==
        "scenario.faults[0].lift must be 1..2 (the tower's lifts)");
  CHECK(scenario_error(R"({"faults": [{"kind": "emergency_stop", "at_hour": 1}]})") ==
        "scenario.faults[0].reset_after_minutes is required for an emergency_stop fault");
  CHECK(scenario_error(R"({"faults": [{"kind": "emergency_stop", "lift": 1, "at_hour": 1, "reset_after_minutes": 5}]})")
            .find("scenario.faults[0].lift applies only to") == 0);
}

TEST_CASE("a lift out of service leaves the other lift serving its own shaft", "[sim_lifts]") {
  const auto calm = run_scenario(scenario_of(rush_json(2, 4)));
  const auto out = run_scenario(scenario_of(rush_json(2, 4, R"(, "faults": [{"kind": "lift_out", "lift": 2,
      "from_hour": 17.5, "to_hour": 20}])")));
  REQUIRE(calm.ok());
  REQUIRE(out.ok());
  CHECK(out->lift_out_time == minutes(150));
  CHECK(out->wait.max > calm->wait.max);
  CHECK(out->purchases_delivered == calm->purchases_delivered);  // lift 2's customers wait for it; nobody is lost
}
