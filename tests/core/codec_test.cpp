// Codecs: every command and event survives JSON, snapshots restore the same state, and malformed input is
// refused with the field named.
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "tower/codec.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

// A tower that has been through every kind of event.
struct Journey {
  Tower tower = default_tower();
  std::vector<Event> log;
  std::vector<Command> commands;
  std::vector<SimTime> times;

  void run(const Command& command, SimTime now) {
    commands.push_back(command);
    times.push_back(now);
    const auto events = accept(tower, command, now);
    log.insert(log.end(), events.begin(), events.end());
  }
};

Journey full_journey() {
  Journey j;
  j.run(RegisterCustomer{"Li Wei", "digest-li-wei", "selfie-li-wei", 800, false}, at_minute(0));
  const CustomerId rich{1};
  j.run(StockCar{make_car(model_named("Golf"), "blue", 9001)}, at_minute(0));
  j.run(StockCar{make_car(model_named("Model 3"), "red", 9002)}, at_minute(0));
  j.run(StockCar{make_car(model_named("Han"), "white", 9003)}, at_minute(0));
  const CarId golf{1}, tesla{2}, han{3};
  j.run(UpdateCreditScore{rich, 820}, at_minute(1));
  j.run(SetMembership{rich, true}, at_minute(1));
  j.run(PlaceOrder{rich, golf, "code-order"}, at_minute(2));
  j.run(PayOrder{OrderId{1}, Money{1'598'000, Currency{}}}, at_minute(3));
  j.run(StartPickup{OrderId{1}, {}, "code-order", 950, BayId{1}}, at_minute(4));
  j.run(CarArrived{golf, BayId{1}}, at_minute(5));
  j.run(HandOver{golf}, at_minute(6));
  j.run(SubmitSurvey{rich, OrderId{1}, {}, 5, "quick and honest", false}, at_minute(7));
  j.run(BookTrial{rich, tesla, "code-trial"}, at_minute(8));
  j.run(StartPickup{{}, TrialId{1}, "code-trial", 990, BayId{2}}, at_minute(9));
  j.run(CarArrived{tesla, BayId{2}}, at_minute(10));
  j.run(HandOver{tesla}, at_minute(11));
  j.run(ReturnTrial{TrialId{1}, BayId{2}, false}, at_minute(12));
  j.run(StoreCar{tesla}, at_minute(13));
  j.run(CarStored{tesla, j.tower.car(tesla)->slot}, at_minute(14));
  j.run(PlaceOrder{rich, han, "code-2"}, at_minute(15));
  j.run(CancelOrder{OrderId{2}, rich}, at_minute(16));
  j.run(CreateFlashSale{"Maserati", "Ghibli", "blue", 100, cny(698'800), at_minute(20)}, at_minute(17));
  j.run(ClaimFlashSale{SaleId{1}, rich}, at_minute(20));
  j.run(PayClaim{ClaimId{1}, cny(69'880)}, at_minute(21));
  j.run(Tick{}, at_minute(60));
  return j;
}

}  // namespace

TEST_CASE("every command round-trips through JSON", "[codec]") {
  const auto journey = full_journey();
  for (const auto& command : journey.commands) {
    const auto json = to_json(command);
    auto decoded = command_from_json(json);
    REQUIRE(decoded.ok());
    CHECK(to_json(*decoded) == json);
  }
}

TEST_CASE("every event round-trips through JSON", "[codec]") {
  const auto journey = full_journey();
  REQUIRE(journey.log.size() > 20);
  for (const auto& event : journey.log) {
    const auto json = to_json(event);
    auto decoded = event_from_json(json);
    REQUIRE(decoded.ok());
    CHECK(to_json(*decoded) == json);
  }
}

TEST_CASE("state is the fold of the events: replaying the log rebuilds the same state", "[codec]") {
  const auto journey = full_journey();
  Tower replayed = default_tower();
  for (const auto& event : journey.log) replayed.fold(*event_from_json(to_json(event)));
  CHECK(replayed.state_hash() == journey.tower.state_hash());
  CHECK(replayed.undelivered_cars() == journey.tower.undelivered_cars());
}

TEST_CASE("a snapshot restores the same state, and the restored tower keeps working", "[codec]") {
  auto journey = full_journey();
  const std::string text = to_json(journey.tower.state()).dump();
  auto state = state_from_json(*parse_json(text));
  REQUIRE(state.ok());
  auto restored = Tower::restore(std::move(*state));
  REQUIRE(restored.ok());
  CHECK(restored->state_hash() == journey.tower.state_hash());
  // The derived indices came back too: the flash-sale claimer is still known, the Han is free again.
  const auto again = restored->apply(ClaimFlashSale{SaleId{1}, CustomerId{1}}, at_minute(61));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::limit_reached);
  CHECK(restored->apply(PlaceOrder{CustomerId{1}, CarId{3}, "c"}, at_minute(61)).ok());
  // The Golf was handed over: no longer the tower's stock, but its VIN stays taken.
  CHECK(restored->undelivered_cars() == std::vector<CarId>{CarId{2}, CarId{3}});
  const auto golf_again = restored->apply(StockCar{make_car(model_named("Golf"), "blue", 9001)}, at_minute(62));
  REQUIRE_FALSE(golf_again.ok());
  CHECK(golf_again.error().code == ErrorCode::conflict);
}

TEST_CASE("a snapshot whose cars share a slot is refused", "[codec]") {
  auto journey = full_journey();
  TowerState state = journey.tower.state();
  state.cars[2].slot = state.cars[1].slot;
  const auto restored = Tower::restore(state);
  REQUIRE_FALSE(restored.ok());
  CHECK_THAT(restored.error().message, Catch::Contains("two cars claim slot"));
}

TEST_CASE("malformed commands are refused with the field named", "[codec]") {
  const auto check = [](const char* text, const char* expected) {
    INFO(text);
    auto json = parse_json(text);
    REQUIRE(json.ok());
    auto command = command_from_json(*json);
    REQUIRE_FALSE(command.ok());
    CHECK(command.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(command.error().message, Catch::Contains(expected));
  };
  check(R"({"customer": 1})", "\"type\"");
  check(R"({"type": "buy_everything"})", "unknown command type 'buy_everything'");
  check(R"({"type": "place_order", "customer": "one", "car": 2})", "place_order.customer must be a whole number");
  check(R"({"type": "place_order", "customer": -1, "car": 2})", "place_order.customer must be between");
  check(R"({"type": "place_order", "customer": 1, "cra": 2})", "place_order.cra is not a known field");
  check(R"({"type": "pay_order", "order": 1, "amount": 12.5})", "pay_order.amount must be {\"minor\"");
  check(R"({"type": "pay_order", "order": 1, "amount": {"minor": 5, "currency": "yuan"}})", "pay_order.amount.currency");
  check(R"({"type": "return_trial", "trial": 1, "bay": 1, "damaged": "no"})", "return_trial.damaged must be true or false");
  check(R"([1, 2])", "command must be a JSON object");
}

TEST_CASE("text that is not JSON is refused with where it broke", "[codec]") {
  const auto parsed = parse_json(R"({"type": "tick",,})");
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.error().message, Catch::Contains("not valid JSON") && Catch::Contains("column"));
}

TEST_CASE("a configuration may describe its layout compactly and override any policy", "[codec]") {
  const auto json = parse_json(R"({
    "layout": {"name": "Carvana 8-storey", "levels": 8, "slots_per_level": 4, "lowest_level_slots": 2, "bays": 4},
    "credit": {"free_trial_rule": "member_or_score", "instant_purchase_min_score": 701},
    "sales": {"reservation_hold": 600000000}
  })");
  REQUIRE(json.ok());
  auto config = config_from_json(*json);
  REQUIRE(config.ok());
  CHECK(config->layout.slots.size() == 30);
  CHECK(config->layout.bays.size() == 4);
  CHECK(config->credit.free_trial_rule == FreeTrialRule::member_or_score);
  CHECK(config->credit.instant_purchase_min_score == 701);
  CHECK(config->credit.free_trial_min_score == 701);  // untouched defaults stay
  CHECK(config->sales.reservation_hold == minutes(10));
  CHECK(config_from_json(to_json(*config))->layout.slots.size() == 30);
}

TEST_CASE("a configuration with contradictions is refused", "[codec]") {
  const auto check = [](const char* text, const char* expected) {
    INFO(text);
    auto config = config_from_json(*parse_json(text));
    REQUIRE_FALSE(config.ok());
    CHECK_THAT(config.error().message, Catch::Contains(expected));
  };
  check(R"({"layout": {"levels": 0, "slots_per_level": 4}})", "1..200 levels");
  check(R"({"credit": {"min_score": 900, "max_score": 400}})", "min_score");
  check(R"({"credit": {"free_trial_rule": "sometimes"}})", "member_and_score, member_or_score");
  check(R"({"trials": {"max_trials_in_window": 0}})", "max_trials_in_window");
  check(R"({"colour": "red"})", "colour is not a known field");
}

// Found by tests/fuzz/fuzz_codec: an event without "at" was read out of bounds instead of refused.
TEST_CASE("an event without its time is refused by name", "[codec]") {
  auto document = parse_json(R"({"order": 1, "type": "order_paid"})");
  REQUIRE(document.ok());
  auto decoded = event_from_json(*document);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().message == "event.at is missing");
}

TEST_CASE("a layout of several lifts round-trips, and a one-lift layout is written as before", "[codec]") {
  const auto json = parse_json(R"({"layout": {"levels": 4, "slots_per_level": 4, "bays": 3, "lifts": 2}})");
  REQUIRE(json.ok());
  auto config = config_from_json(*json);
  REQUIRE(config.ok());
  CHECK(config->layout.lifts == 2);
  CHECK(config->layout.slots.size() == 32);
  CHECK(config->layout.bays[2].lift == LiftId{1});
  const nlohmann::json encoded = to_json(*config);
  CHECK(encoded["layout"]["slots"][16]["lift"] == 2);
  auto decoded = config_from_json(encoded);
  REQUIRE(decoded.ok());
  CHECK(to_json(*decoded) == encoded);

  // Stored states and event logs from before lifts existed read and hash the same.
  const nlohmann::json single = to_json(default_tower_config());
  CHECK_FALSE(single["layout"].contains("lifts"));
  CHECK_FALSE(single["layout"]["slots"][0].contains("lift"));
  CHECK_FALSE(single["layout"]["bays"][0].contains("lift"));

  auto refused = config_from_json(*parse_json(R"({"layout": {"levels": 4, "slots_per_level": 4, "bays": 1, "lifts": 2}})"));
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("no more than the bays"));
  nlohmann::json orphan = encoded;
  orphan["layout"]["bays"][1]["lift"] = 1;  // lift 2 left without a bay
  auto lonely = config_from_json(orphan);
  REQUIRE_FALSE(lonely.ok());
  CHECK(lonely.error().message == "lift 2 needs at least one slot and one bay");
}
