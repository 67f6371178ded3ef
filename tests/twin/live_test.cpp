// The live mirror reads the gateway's feed in the gateway's own shapes (the core codec's), refuses what it
// cannot read without changing anything, and what-if-from-now forks the mirrored tower into local runs.
#include <catch2/catch.hpp>

#include "model.hpp"
#include "tower/codec.hpp"

using namespace tower;
using namespace tower::twin;
using nlohmann::json;

namespace {

// A snapshot message as the gateway writes it (Gateway::live_snapshot), from a simulated tower's state.
json snapshot_of(const Tower& tower, std::uint64_t sequence) {
  json cars = json::array();
  for (const Car& car : tower.state().cars) cars.push_back(to_json(car));
  return json{{"type", "snapshot"}, {"sequence", sequence}, {"now", tower.now().us}, {"config", to_json(tower.config())},
              {"cars", cars}, {"jobs", json::array()}};
}

Playback playback() {
  Scenario scenario;
  scenario.stock = 30;
  scenario.demand.buyers_per_hour = 0;
  scenario.demand.trial_pickups_per_hour = 0;
  auto made = Playback::create(scenario);
  REQUIRE(made.ok());
  return std::move(*made);
}

CarId car_in_slot(const Tower& tower) {
  for (const Car& car : tower.state().cars)
    if (car.state == CarState::in_slot) return car.id;
  FAIL("no car");
  return {};
}

}  // namespace

TEST_CASE("the mirror follows a snapshot, events and jobs", "[twin_live]") {
  const Playback source = playback();
  const Tower& tower = source.simulator().tower();
  LiveMirror mirror;
  REQUIRE(mirror.receive(snapshot_of(tower, 7).dump(), 100.0).ok());
  REQUIRE(mirror.has_snapshot());
  CHECK(mirror.cars().size() == tower.state().cars.size());
  CHECK(mirror.sequence() == 7);
  CHECK(mirror.now(101.5) == tower.now() + seconds(1) + microseconds(500'000));

  const CarId car = car_in_slot(tower);
  const SlotId slot = tower.car(car)->slot;
  // The feed leaves the pickup code out of an order, as Gateway::after_event does; the order still holds the car.
  OrderPlaced order{OrderId{1}, CustomerId{1}, car, cny(1000), cny(100), tower.now() + minutes(30), "secret", false};
  json redacted = to_json(Event{tower.now() + seconds(1), order});
  redacted.erase("pickup_code");
  REQUIRE(mirror.receive(json{{"type", "event"}, {"sequence", 8}, {"event", redacted}}.dump(), 101.0).ok());
  CHECK(mirror.cars()[car.value - 1].hold.order == OrderId{1});
  json wrong = redacted;
  wrong.erase("car");
  CHECK_THAT(mirror.receive(json{{"type", "event"}, {"sequence", 100}, {"event", wrong}}.dump(), 101.0).error().message,
             Catch::Contains("car"));
  Event started{tower.now() + seconds(2), RetrievalStarted{car, slot, BayId{1}, OrderId{}, TrialId{}}};
  REQUIRE(mirror.receive(json{{"type", "event"}, {"sequence", 9}, {"event", to_json(started)}}.dump(), 102.0).ok());
  CHECK(mirror.cars()[car.value - 1].state == CarState::moving);
  // An event already in the snapshot is not applied twice.
  REQUIRE(mirror.receive(json{{"type", "event"}, {"sequence", 9}, {"event", to_json(started)}}.dump(), 102.0).ok());

  const SimTime at = tower.now() + seconds(2);
  json job{{"id", 9}, {"kind", "retrieval"}, {"state", "running"}, {"car", car.value}, {"slot", slot.value}, {"bay", 1},
           {"requested", at.us}, {"started", at.us}, {"finished", 0}, {"planned_s", 40.0}, {"eta", nullptr}};
  REQUIRE(mirror.receive(json{{"type", "jobs"}, {"jobs", {job}}}.dump(), 102.0).ok());
  REQUIRE(mirror.jobs().size() == 1);
  CHECK_FALSE(mirror.jobs()[0].eta.has_value());  // halted: no honest ETA

  const MachineFrame early = mirror.machine_at(at + seconds(1), MachineConfig{});
  const MachineFrame later = mirror.machine_at(at + seconds(8), MachineConfig{});
  CHECK(later.pose.lift_m > early.pose.lift_m);  // travelling up to the slot

  Event arrived{at + seconds(50), CarArrivedInBay{car, BayId{1}}};
  REQUIRE(mirror.receive(json{{"type", "event"}, {"sequence", 10}, {"event", to_json(arrived)}}.dump(), 150.0).ok());
  CHECK(mirror.cars()[car.value - 1].state == CarState::in_bay);
  REQUIRE(mirror.receive(json{{"type", "jobs"}, {"jobs", json::array()}}.dump(), 150.0).ok());
  CHECK(mirror.machine_at(at + seconds(60), MachineConfig{}).pose.lift_m == 0.0);  // back at the bays
}

TEST_CASE("the mirror refuses what it cannot read and keeps its state", "[twin_live]") {
  const Playback source = playback();
  LiveMirror mirror;
  CHECK_THAT(mirror.receive("{\"type\": \"jobs\", \"jobs\": []}", 0).error().message, Catch::Contains("before the snapshot"));
  REQUIRE(mirror.receive(snapshot_of(source.simulator().tower(), 3).dump(), 0).ok());
  const auto cars = mirror.cars().size();
  CHECK_THAT(mirror.receive("not json", 0).error().message, Catch::Contains("live feed"));
  CHECK_THAT(mirror.receive("{\"kind\": 1}", 0).error().message, Catch::Contains("\"type\""));
  CHECK_THAT(mirror.receive("{\"type\": \"gossip\"}", 0).error().message, Catch::Contains("unknown message type"));
  CHECK_THAT(mirror.receive("{\"type\": \"jobs\", \"jobs\": [{\"id\": \"x\"}]}", 0).error().message,
             Catch::Contains("job is malformed"));
  CHECK_THAT(mirror.receive("{\"type\": \"event\", \"sequence\": 4, \"event\": {\"type\": \"Nope\"}}", 0).error().message,
             Catch::Contains("event"));
  CHECK_THAT(mirror.receive("{\"type\": \"snapshot\", \"config\": 1, \"cars\": []}", 0).error().message,
             Catch::Contains("snapshot"));
  CHECK(mirror.cars().size() == cars);
  CHECK(mirror.sequence() == 3);
  CHECK_FALSE(mirror.last_error().empty());
}

TEST_CASE("live mode draws the mirror and what-if forks it into two runs", "[twin_live]") {
  const Playback source = playback();
  TwinModel model;
  REQUIRE(model.live().receive(snapshot_of(source.simulator().tower(), 1).dump(), model.wall_seconds()).ok());
  model.live().set_connected(true, model.wall_seconds());
  REQUIRE(model.command({{"do", "mode"}, {"value", "live"}}).value("ok", false));
  CHECK(model.scene().cars.size() == source.scene().cars.size());
  CHECK(model.state()["live"]["connected"] == true);

  auto answer = model.command({{"do", "what_if"}, {"fault", "lift_out"}, {"minutes", 90}});
  INFO(answer.dump());
  REQUIRE(answer.value("ok", false));
  CHECK(model.mode == Mode::staff);
  REQUIRE(model.runs().size() == 2);
  CHECK(model.runs()[1].scenario.faults.size() == 1);
  CHECK(model.runs()[0].scenario.stock == 30);
  CHECK_THAT(model.runs()[1].label, Catch::Contains("lift out 90 min"));
}
