// Builders shared by the core tests: a default tower, customers of a given score, cars of a given model.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "tower/catalogue.hpp"
#include "tower/tower.hpp"

namespace tower::testing {

inline SimTime at_minute(std::int64_t minute) { return SimTime{} + minutes(minute); }

// Applies a command that must succeed and returns its events; a refusal fails the test with its reason.
inline std::vector<Event> accept(Tower& tower, const Command& command, SimTime now) {
  auto events = tower.apply(command, now);
  if (!events) FAIL("refused: " << events.error().message);
  return *events;
}

// Applies a command that must be refused and returns the error.
inline Error refuse(Tower& tower, const Command& command, SimTime now) {
  const std::uint64_t before = tower.state_hash();
  auto events = tower.apply(command, now);
  if (events) FAIL("accepted, but should have been refused");
  CHECK(tower.state_hash() == before);  // a refusal never changes the state
  return events.error();
}

template <class T>
const T& only_event(const std::vector<Event>& events) {
  REQUIRE(events.size() == 1);
  REQUIRE(std::holds_alternative<T>(events.front().body));
  return std::get<T>(events.front().body);
}

inline Tower default_tower(TowerConfig config = default_tower_config()) {
  auto tower = Tower::create(std::move(config));
  REQUIRE(tower.ok());
  return std::move(*tower);
}

inline CustomerId register_customer(Tower& tower, int score, bool super_member = false, SimTime now = {},
                                    std::string selfie = "selfie-template") {
  static int next = 0;
  const auto events = accept(tower,
                             RegisterCustomer{"Customer " + std::to_string(++next), "id-" + std::to_string(next),
                                              std::move(selfie), score, super_member},
                             now);
  return std::get<CustomerRegistered>(events.front().body).customer;
}

// The catalogue model with this name ("Golf", "GLS", ...).
inline const CatalogueModel& model_named(const std::string& model) {
  for (const auto& entry : catalogue())
    if (model == entry.model) return entry;
  FAIL("no catalogue model " << model);
  return catalogue().front();
}

inline CarId stock_car(Tower& tower, const std::string& model = "Golf", SimTime now = {}, const char* colour = "white") {
  static std::uint32_t serial = 0;
  const auto events = accept(tower, StockCar{make_car(model_named(model), colour, ++serial)}, now);
  return std::get<CarStocked>(events.front().body).car;
}

}  // namespace tower::testing
