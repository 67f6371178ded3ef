// Shared by the simulator tests: scenarios decoded from JSON text (embedded, so the WASM build needs no
// files), the demand profile of the shipped examples, and a refusal's message.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "tower/codec.hpp"
#include "tower/scenario.hpp"

namespace tower::testing {

// The hourly demand factors of public/scenarios/*.json.
inline const char* const day_profile =
    "[0, 0, 0, 0, 0, 0, 0, 0.3, 0.8, 1.2, 1.4, 1.5, 1.6, 1.4, 1.3, 1.3, 1.4, 1.6, 1.8, 1.6, 1.0, 0.5, 0, 0]";

inline Scenario scenario_of(const std::string& text) {
  auto document = parse_json(text);
  REQUIRE(document.ok());
  auto scenario = scenario_from_json(*document);
  if (!scenario) FAIL(scenario.error().message);
  return *scenario;
}

// The message a scenario the decoder must refuse is refused with.
inline std::string scenario_error(const std::string& text) {
  auto document = parse_json(text);
  REQUIRE(document.ok());
  auto scenario = scenario_from_json(*document);
  REQUIRE_FALSE(scenario.ok());
  return scenario.error().message;
}

}  // namespace tower::testing
