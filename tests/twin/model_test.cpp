// The twin's model through its commands, as the UI and the browser's test hook drive it: the customer's offer
// and delivery preview (with an ETA the run then keeps), the staff's what-if runs and their comparison, and
// refusals that say what was wrong.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "model.hpp"
#include "tower/machine.hpp"

using namespace tower;
using namespace tower::twin;
using nlohmann::json;

namespace {

std::string error_of(const json& answer) {
  REQUIRE(answer.contains("error"));
  return answer["error"].get<std::string>();
}

void require_ok(const json& answer) {
  INFO(answer.dump());
  REQUIRE(answer.value("ok", false));
}

// A free car in a slot: the first one the customer could buy.
CarId free_car(const TwinModel& model) {
  for (const SceneCar& car : model.scene().cars)
    if (car.state == CarState::in_slot && !car.held) return car.id;
  FAIL("no free car");
  return {};
}

void run_frames(TwinModel& model, int frames, double seconds_each = 1.0 / 60.0) {
  for (int i = 0; i < frames; ++i) model.update(seconds_each);
}

}  // namespace

TEST_CASE("the twin starts on the default tower's normal day", "[twin_model]") {
  TwinModel model;
  CHECK(model.scenario_label() == "normal-day.json");
  REQUIRE(model.scene().config != nullptr);
  CHECK(model.scene().config->layout.levels == 15);
  CHECK(model.scene().cars.size() > 40);
  CHECK(model.mode == Mode::customer);
  CHECK(example_scenarios().size() >= 4);
  CHECK(model.playback().now() == SimTime{(hours(9) + minutes(30)).us});  // a morning's traffic, not a night
  run_frames(model, 10);
  CHECK(model.playback().now() > SimTime{(hours(9) + minutes(30)).us});
}

TEST_CASE("commands refuse bad input and say what was wrong", "[twin_model]") {
  TwinModel model;
  CHECK_THAT(error_of(model.command(json::array())), Catch::Contains("\"do\""));
  CHECK_THAT(error_of(model.command({{"do", "fly"}})), Catch::Contains("unknown command \"fly\""));
  CHECK_THAT(error_of(model.command({{"do", "mode"}, {"value", 5}})), Catch::Contains("customer, staff or live"));
  CHECK_THAT(error_of(model.command({{"do", "speed"}, {"value", -3}})), Catch::Contains("\"value\" must be between"));
  CHECK_THAT(error_of(model.command({{"do", "speed"}, {"value", "fast"}})), Catch::Contains("must be a number"));
  CHECK_THAT(error_of(model.command({{"do", "select_car"}, {"car", 99999}})), Catch::Contains("no car 99999"));
  CHECK_THAT(error_of(model.command({{"do", "buy"}})), Catch::Contains("choose a car first"));
  CHECK_THAT(error_of(model.command({{"do", "load"}, {"example", "nope"}})), Catch::Contains("no example scenario"));
  CHECK_THAT(error_of(model.command({{"do", "load"}, {"scenario", {{"name", "x"}, {"duration_hours", -1}}}})),
             Catch::Contains("duration_hours"));
  CHECK_THAT(model.scenario_error, Catch::Contains("duration_hours"));
  CHECK(model.scenario_label() == "normal-day.json");  // a refused scenario changes nothing
  CHECK_THAT(error_of(model.command({{"do", "compare"}, {"a", 0}, {"b", 1}})), Catch::Contains("two runs"));
  CHECK_THAT(error_of(model.command({{"do", "what_if"}, {"minutes", 30}})), Catch::Contains("connect to a gateway"));
  require_ok(model.command({{"do", "jump"}, {"hours", 11}}));
  CHECK_THAT(error_of(model.command({{"do", "jump"}, {"hours", 10.5}})), Catch::Contains("back in time"));
}

TEST_CASE("the offer shows eligibility with reasons and a financing quote", "[twin_model]") {
  TwinModel model;
  const CarId car = free_car(model);
  require_ok(model.command({{"do", "select_car"}, {"car", car.value}}));
  require_ok(model.command({{"do", "profile"}, {"credit_score", 700}, {"super_member", false}}));
  auto offer = model.offer();
  REQUIRE(offer.has_value());
  CHECK_FALSE(offer->purchase.allowed);
  REQUIRE_FALSE(offer->purchase.reasons.empty());
  CHECK_THAT(offer->purchase.reasons.front(), Catch::Contains("751"));
  REQUIRE(offer->finance.has_value());
  CHECK(offer->down_payment.minor * 10 == offer->spec.price.minor);  // 10% down
  CHECK(offer->finance->monthly_payment.minor > 0);

  CHECK_THAT(error_of(model.command({{"do", "buy"}})), Catch::Contains("751"));
  CHECK_FALSE(model.delivery().has_value());

  require_ok(model.command({{"do", "profile"}, {"credit_score", 820}, {"apr_percent", 0}, {"months", 12}}));
  offer = model.offer();
  CHECK(offer->purchase.allowed);
  CHECK(offer->finance->total_interest.minor == 0);
  CHECK(offer->finance->monthly_payment.minor * 12 >= offer->finance->financed.minor);
  CHECK_THAT(error_of(model.command({{"do", "profile"}, {"months", 0}})), Catch::Contains("months"));
}

TEST_CASE("a customer's delivery preview: the car comes down when the countdown said", "[twin_model]") {
  TwinModel model;
  require_ok(model.command({{"do", "jump"}, {"hours", 10.5}}));
  const CarId car = free_car(model);
  require_ok(model.command({{"do", "select_car"}, {"car", car.value}}));
  require_ok(model.command({{"do", "profile"}, {"credit_score", 820}}));
  require_ok(model.command({{"do", "buy"}}));
  REQUIRE(model.delivery().has_value());
  REQUIRE(model.delivery()->arrives.has_value());
  const SimTime first_prediction = *model.delivery()->arrives;
  CHECK(first_prediction > model.playback().now());
  CHECK(model.scene().highlight == car);
  CHECK_THAT(model.customer_message, Catch::Contains("on its way"));

  // A second purchase of the same car is refused: it is promised.
  CHECK_THAT(error_of(model.command({{"do", "buy"}})), Catch::Contains("already on its way"));

  require_ok(model.command({{"do", "speed"}, {"value", 20}}));
  bool seen_on_machine = false;
  for (int frame = 0; frame < 60 * 60 && !model.delivery()->arrived; ++frame) {
    model.update(1.0 / 60.0);
    for (const SceneCar& drawn : model.scene().cars)
      if (drawn.id == car && drawn.place == CarPlace::on_machine) seen_on_machine = true;
  }
  REQUIRE(model.delivery()->arrived);
  CHECK(seen_on_machine);
  // The countdown shown at the start was right to the microsecond: well within the 1 s the customer is promised.
  CHECK(std::abs((*model.delivery()->arrives - first_prediction).us) <= 1'000'000);
  CHECK(*model.delivery()->arrives == first_prediction);
  const auto shown = model.state()["customer"]["delivery"];
  CHECK(shown["arrived"] == true);
  CHECK(shown["countdown_s"].get<double>() == 0.0);
}

TEST_CASE("staff runs what-ifs with progress and compares them", "[twin_model]") {
  TwinModel model;
  require_ok(model.command({{"do", "mode"}, {"value", "staff"}}));
  require_ok(model.command({{"do", "run"}, {"example", "normal-day"}}));
  require_ok(model.command({{"do", "run"}, {"example", "lift-outage-noon.json"}}));
  REQUIRE(model.runs().size() == 2);
  CHECK(model.runs()[0].progress() < 1.0);
  int frames = 0;
  while ((!model.runs()[0].finished() || !model.runs()[1].finished()) && frames < 100000) {
    model.update(1.0 / 60.0);
    ++frames;
  }
  REQUIRE(model.runs()[1].kpis.has_value());
  CHECK(model.compare_a == 0);
  CHECK(model.compare_b == 1);
  // Copies: a later run grows runs() and would leave references dangling (AddressSanitizer caught one).
  const SimKpis normal = *model.runs()[0].kpis;
  const SimKpis outage = *model.runs()[1].kpis;
  CHECK(outage.wait.p95 >= normal.wait.p95);
  CHECK(outage.lift_out_time > Duration{});

  // The same scenario run again, instantly, gives the same KPIs: the twin's runs are the simulator's.
  require_ok(model.command({{"do", "instant"}, {"value", true}}));
  require_ok(model.command({{"do", "run"}, {"example", "normal-day.json"}, {"label", "again"}}));
  REQUIRE(model.runs()[2].kpis.has_value());
  CHECK(model.runs()[2].kpis->event_log_hash == normal.event_log_hash);

  // A scenario file opened in the editor (the browser's drop, the desktop's --scenario) is checked first.
  CHECK_THAT(error_of(model.command({{"do", "set_scenario_text"}, {"text", "{\"name\": 3}"}})), Catch::Contains("name"));
  require_ok(model.command({{"do", "set_scenario_text"}, {"text", example_scenarios()[0].text}}));
  CHECK(model.mode == Mode::staff);

  require_ok(model.command({{"do", "edit_run"}, {"index", 1}}));
  CHECK_THAT(model.scenario_text, Catch::Contains("lift_out"));
  model.scenario_text = "{\"name\": \"typo\", \"stokc\": 5}";
  CHECK_THAT(error_of(model.command({{"do", "run"}, {"scenario_text", true}})), Catch::Contains("stokc"));
  CHECK(model.runs().size() == 3);
}

namespace {

// The default tower with a second lift and four bays (two per lift), through a flash-sale rush at 18:00 that
// an emergency stop interrupts at 18:15 for six minutes.
json two_lift_scenario() {
  return json::parse(R"({
    "name": "two lifts, rush, e-stop", "preset": "autobahn-motors", "lifts": 2, "bays": 4, "stock": 60,
    "duration_hours": 24, "seed": 1,
    "demand": {"buyers_per_hour": 0.5, "trial_pickups_per_hour": 0.5, "trials_out_at_start": 4},
    "flash_rush": {"at_hour": 18, "pickups": 40, "over_minutes": 45},
    "faults": [{"kind": "emergency_stop", "at_hour": 18.25, "reset_after_minutes": 6}]
  })");
}

// What the frames of a busy period showed, lift by lift.
struct LiftWatch {
  double lowest_m = 1e9, highest_m = -1e9;
  bool carried = false;         // a car of this lift's running retrieval rode its machine
  bool faced_own_slot = false;  // its transfer reached out at the angle of the slot in its own shaft
  bool opened_own_bay = false;  // an inner door of one of its own bays opened
};

void watch_lift(const TwinModel& model, const SceneLift& lift, LiftWatch& seen) {
  const Simulator& simulator = model.playback().simulator();
  const TowerLayout& layout = model.scene().config->layout;
  const TowerLayout& shaft = simulator.shaft(lift.id);
  seen.lowest_m = std::min(seen.lowest_m, lift.machine.pose.lift_m);
  seen.highest_m = std::max(seen.highest_m, lift.machine.pose.lift_m);
  REQUIRE(lift.machine.inner_doors.size() == layout.bays.size());
  for (std::size_t i = 0; i < layout.bays.size(); ++i) {
    if (lift.machine.inner_doors[i] <= 0.0) continue;
    REQUIRE(layout.bays[i].lift == lift.id);  // a lift opens only its own shaft's doors
    seen.opened_own_bay = true;
  }
  const LiftMove& move = simulator.lift_move(lift.id);
  const bool reaching = lift.machine.pose.transfer_m > 0.5 * simulator.scenario().machine.transfer_stroke_m;
  if (move.kind == LiftMove::Kind::retrieval && reaching && lift.machine.pose.lift_m > 1.0) {
    const SlotDef* slot = nullptr;
    for (const SlotDef& def : shaft.slots)
      if (def.id == move.slot) slot = &def;
    REQUIRE(slot != nullptr);
    // Angles depend on how many slots share the level: 4 in a shaft, 8 in the whole layout.
    CHECK(lift.machine.pose.turntable_rad == Approx(slot_angle_rad(*slot, shaft)).margin(1e-6));
    seen.faced_own_slot = true;
  }
  for (const SceneCar& car : model.scene().cars) {
    if (car.place != CarPlace::on_machine || car.lift != lift.id) continue;
    CHECK(lift.car == car.id);
    CHECK(lift.machine.load == LoadPhase::on_transfer);
    if (move.kind == LiftMove::Kind::retrieval) seen.carried = true;
  }
}

}  // namespace

TEST_CASE("a two-lift tower plays back with each lift sampled in its own shaft", "[twin_model]") {
  TwinModel model;
  require_ok(model.command({{"do", "load"}, {"scenario", two_lift_scenario()}}));
  REQUIRE(model.scene().config->layout.lifts == 2);
  REQUIRE(model.scene().lifts.size() == 2);
  CHECK(model.state()["tower"]["lifts"].size() == 2);
  require_ok(model.command({{"do", "jump"}, {"hours", 18.0}}));
  require_ok(model.command({{"do", "speed"}, {"value", 30}}));

  LiftWatch seen[2];
  bool stopped = false, recovered = false;
  while (model.playback().now() < SimTime{(hours(18) + minutes(40)).us}) {
    model.update(1.0 / 60.0);
    const Scene& scene = model.scene();
    REQUIRE(scene.lifts.size() == 2);
    for (const SceneLift& lift : scene.lifts) watch_lift(model, lift, seen[lift.id.value - 1]);
    for (const SceneCar& car : scene.cars)
      if (car.place == CarPlace::on_machine) CHECK(scene.lift(car.lift)->car == car.id);
    if (scene.emergency_stop) {
      stopped = true;
      CHECK(scene.lifts[0].halted);
      CHECK(scene.lifts[1].halted);
      CHECK(model.state()["tower"]["emergency_stop"] == true);
    }
    for (LiftId lift : {LiftId{1}, LiftId{2}})
      recovered = recovered || model.playback().simulator().lift_move(lift).kind == LiftMove::Kind::recovery;
  }
  for (const LiftWatch& lift : seen) {
    CHECK(lift.highest_m - lift.lowest_m > 10.0);  // both lifts travel during the rush
    CHECK(lift.carried);
    CHECK(lift.faced_own_slot);
    CHECK(lift.opened_own_bay);
  }
  CHECK(stopped);
  CHECK(recovered);
  CHECK_FALSE(model.scene().emergency_stop);
}
