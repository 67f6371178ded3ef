// Scripted demand: customers who come at set times, on top of (or instead of) the Poisson streams. Each goes
// through the tower's own rules like any other customer, and every scripted field is validated by name.
#include <catch2/catch.hpp>

#include <string>

#include "scenario_fixtures.hpp"
#include "tower/sim.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

// The default tower with no random customers at all: only the script comes.
std::string scripted(const std::string& script, const std::string& extra = "") {
  return R"({"name": "script", "stock": 40, "duration_hours": 24, "seed": 3, "restock_hour": -1,
    "arrival_jitter_minutes": 0, "demand": {"buyers_per_hour": 0, "trial_pickups_per_hour": 0, "script": )" +
         script + "}" + extra + "}";
}

Simulator run(const std::string& text) {
  auto simulator = Simulator::create(scenario_of(text));
  if (!simulator) FAIL(simulator.error().message);
  simulator->run();
  return std::move(*simulator);
}

SimTime at_hours(double hours_value) { return SimTime{static_cast<std::int64_t>(hours_value * 3'600'000'000.0 + 0.5)}; }

}  // namespace

TEST_CASE("a scripted buyer comes at their hour and drives their car out", "[sim_script]") {
  const Simulator sim = run(scripted(R"([{"kind": "buyer", "at_hour": 10.25, "credit_score": 800}])"));
  const SimKpis kpis = sim.kpis();
  CHECK(kpis.customers == 1);
  CHECK(kpis.refused == 0);
  CHECK(kpis.purchases_delivered == 1);
  REQUIRE(sim.jobs().size() == 1);
  CHECK(sim.jobs()[0].kind == JobKind::retrieval);
  CHECK(sim.jobs()[0].requested == at_hours(10.25));  // ordered, paid and called for on arrival
  CHECK(sim.jobs()[0].state == JobState::done);
}

TEST_CASE("a scripted customer meets the same credit rules as everyone", "[sim_script]") {
  // An instant purchase needs a score above 750 (DESIGN.md): 700 is refused, and no car moves.
  const Simulator sim = run(scripted(R"([{"kind": "buyer", "at_hour": 9, "credit_score": 700}])"));
  const SimKpis kpis = sim.kpis();
  CHECK(kpis.customers == 1);
  CHECK(kpis.refused_not_eligible == 1);
  CHECK(sim.jobs().empty());
}

TEST_CASE("a scripted test-drive booking announces its pickup; call-ahead has the car waiting", "[sim_script]") {
  const std::string script = R"([{"kind": "trial_booking", "at_hour": 9, "pickup_at_hour": 11.5, "credit_score": 800}])";
  SECTION("first come, first served: the car is called for when the customer reaches the kiosk") {
    const Simulator sim = run(scripted(script));
    REQUIRE(sim.jobs().size() == 1);
    CHECK(sim.jobs()[0].requested == at_hours(11.5));
    CHECK(sim.kpis().booked_pickups == 1);
    CHECK(sim.kpis().ready_on_arrival == 0);
    CHECK(sim.kpis().trials_started == 1);
  }
  SECTION("call-ahead: retrieved before the announced time, ready on arrival") {
    const Simulator sim = run(scripted(script, R"(, "policy": {"schedule": "call_ahead"})"));
    REQUIRE(sim.jobs().size() == 1);
    CHECK(sim.jobs()[0].requested < at_hours(11.5));
    CHECK(sim.jobs()[0].finished <= at_hours(11.5));
    CHECK(sim.kpis().ready_on_arrival == 1);
    CHECK(sim.kpis().wait.max.us == 0);
  }
}

TEST_CASE("a scripted return brings a car out since the start back at its hour, and it is stored", "[sim_script]") {
  const Simulator sim = run(scripted(R"([{"kind": "trial_return", "at_hour": 7}])"));
  const SimKpis kpis = sim.kpis();
  CHECK(kpis.trials_returned == 1);
  REQUIRE(sim.jobs().size() == 1);
  CHECK(sim.jobs()[0].kind == JobKind::storage);
  CHECK(sim.jobs()[0].requested >= at_hours(7));
  CHECK(sim.jobs()[0].state == JobState::done);
  // The car is back in a slot, free for the next customer.
  const Car* car = sim.tower().car(sim.jobs()[0].car);
  REQUIRE(car != nullptr);
  CHECK(car->state == CarState::in_slot);
  CHECK_FALSE(car->hold.held());
}

TEST_CASE("a scripted test drive comes back at its return hour, and the car is stored again", "[sim_script]") {
  const Simulator sim = run(scripted(
      R"([{"kind": "trial_booking", "at_hour": 9, "pickup_at_hour": 10, "return_at_hour": 15, "credit_score": 800}])"));
  CHECK(sim.kpis().trials_started == 1);
  CHECK(sim.kpis().trials_returned == 1);
  REQUIRE(sim.jobs().size() == 2);
  CHECK(sim.jobs()[0].kind == JobKind::retrieval);
  CHECK(sim.jobs()[1].kind == JobKind::storage);
  CHECK(sim.jobs()[1].car == sim.jobs()[0].car);
  CHECK(sim.jobs()[1].requested == at_hours(15));  // a bay is free, so the car is taken in on the hour
  CHECK(sim.jobs()[1].state == JobState::done);
  CHECK(sim.tower().car(sim.jobs()[1].car)->state == CarState::in_slot);
}

TEST_CASE("scripted customers come on top of the random ones, the same on every run", "[sim_script]") {
  const std::string base = R"({"stock": 40, "duration_hours": 24, "seed": 5, "demand": {"buyers_per_hour": 1,
      "trial_pickups_per_hour": 1, "hourly_profile": )" + std::string(day_profile);
  const Simulator plain = run(base + "}}");
  const std::string with_script = base + R"(, "script": [{"kind": "buyer", "at_hour": 12, "credit_score": 900},
      {"kind": "buyer", "at_hour": 12, "credit_score": 910}]}})";
  const Simulator scripted_run = run(with_script);
  CHECK(scripted_run.kpis().customers == plain.kpis().customers + 2);
  CHECK(run(with_script).event_log_hash() == scripted_run.event_log_hash());
  CHECK(scripted_run.event_log_hash() != plain.event_log_hash());
}

TEST_CASE("a script is validated field by field", "[sim_script]") {
  CHECK(scenario_error(scripted(R"({"kind": "buyer"})")) == "scenario.demand.script must be a list of scripted customers");
  CHECK(scenario_error(scripted(R"([{"kind": "walker", "at_hour": 1}])")) ==
        "scenario.demand.script[0].kind must be \"buyer\", \"trial_booking\" or \"trial_return\"");
  CHECK(scenario_error(scripted(R"([{"kind": "buyer", "at_hour": 1}, {"kind": "buyer"}])")) ==
        "scenario.demand.script[1].at_hour is required: when the customer comes, in hours from the start");
  CHECK(scenario_error(scripted(R"([{"kind": "trial_booking", "at_hour": 3}])")) ==
        "scenario.demand.script[0].pickup_at_hour is required for a trial_booking: the pickup time announced when "
        "booking");
  CHECK(scenario_error(scripted(R"([{"kind": "trial_booking", "at_hour": 3, "pickup_at_hour": 2}])")) ==
        "scenario.demand.script[0].pickup_at_hour must not be before at_hour (the booking)");
  CHECK(scenario_error(scripted(R"([{"kind": "buyer", "at_hour": 3, "pickup_at_hour": 4}])")) ==
        "scenario.demand.script[0].pickup_at_hour is only for a trial_booking");
  CHECK(scenario_error(scripted(R"([{"kind": "trial_return", "at_hour": 3, "credit_score": 800}])")) ==
        "scenario.demand.script[0].credit_score is not for a trial_return (the driver has already passed the check)");
  CHECK(scenario_error(scripted(R"([{"kind": "buyer", "at_hour": 3, "credit_score": 980}])")) ==
        "scenario.demand.script[0].credit_score must be 350..950");
  CHECK(scenario_error(scripted(R"([{"kind": "buyer", "at_hour": 30}])")) ==
        "scenario.demand.script[0].at_hour must be within the run (duration_hours 24)");
  CHECK(scenario_error(R"({"duration_hours": 100, "demand": {"script": [{"kind": "trial_return", "at_hour": 80}]}})") ==
        "scenario.demand.script[0].at_hour must be within the 72-hour test drive of a car out since the start");
  CHECK(scenario_error(scripted(R"([{"kind": "buyer", "at_hour": 3, "return_at_hour": 4}])")) ==
        "scenario.demand.script[0].return_at_hour is only for a trial_booking");
  CHECK(scenario_error(scripted(R"([{"kind": "trial_booking", "at_hour": 3, "pickup_at_hour": 5, "return_at_hour": 5}])")) ==
        "scenario.demand.script[0].return_at_hour must be after pickup_at_hour (the driver needs the car first)");
  CHECK(scenario_error(scripted(R"([{"kind": "trial_booking", "at_hour": 3, "pickup_at_hour": 5, "return_at_hour": 25}])")) ==
        "scenario.demand.script[0].return_at_hour must be within the run (duration_hours 24)");
  CHECK(scenario_error(R"({"duration_hours": 100, "demand": {"script": [{"kind": "trial_booking", "at_hour": 1,
      "pickup_at_hour": 2, "return_at_hour": 75}]}})") ==
        "scenario.demand.script[0].return_at_hour must be within the 72-hour test drive from pickup_at_hour");
  CHECK(scenario_error(scripted(R"([{"kind": "buyer", "at_hour": 3, "car": 4}])")) ==
        "scenario.demand.script[0].car is not a known field");
}
