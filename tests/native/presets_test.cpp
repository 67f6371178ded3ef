// The presets shipped in public/presets load, validate, and describe the towers the design names.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tower/codec.hpp"
#include "tower/sim.hpp"

using namespace tower;

namespace {
Result<TowerConfig> load_preset(const std::string& name) {
  std::ifstream file(std::string(TOWER_PUBLIC_DIR) + "/presets/" + name);
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  auto json = parse_json(text.str());
  REQUIRE(json.ok());
  return config_from_json(*json);
}
}  // namespace

TEST_CASE("the Autobahn Motors preset is the embedded default tower", "[presets]") {
  auto config = load_preset("autobahn-motors.json");
  REQUIRE(config.ok());
  CHECK(to_json(*config) == to_json(default_tower_config()));
  CHECK(config->layout.slots.size() == 60);
  CHECK(config->layout.bays.size() == 2);
}

TEST_CASE("the Tmall Guangzhou preset holds 42 cars and frees trials for members or high scores", "[presets]") {
  auto config = load_preset("tmall-guangzhou.json");
  REQUIRE(config.ok());
  CHECK(config->layout.slots.size() == 42);
  CHECK(config->credit.free_trial_rule == FreeTrialRule::member_or_score);
}

TEST_CASE("the Carvana preset has 8 storeys, 30 cars and 4 bays, in dollars", "[presets]") {
  auto config = load_preset("carvana-8-storey.json");
  REQUIRE(config.ok());
  CHECK(config->layout.levels == 8);
  CHECK(config->layout.slots.size() == 30);
  CHECK(config->layout.bays.size() == 4);
  CHECK(config->currency == Currency{{'U', 'S', 'D'}});
  CHECK(Tower::create(*config).ok());
}

// The golden test (tests/core/sim_test.cpp) embeds these scenarios so that it runs under Node; this keeps the
// shipped files and those copies the same runs.
TEST_CASE("the shipped example scenarios run to the event logs the golden test pins", "[presets]") {
  const std::pair<const char*, std::uint64_t> shipped[] = {
      {"normal-day.json", 0x38774d8ede2ce153ull},      {"lift-outage-noon.json", 0x31dee9f6d34f028bull},
      {"flash-sale-rush.json", 0x6aafff51e6eb068full}, {"second-bay.json", 0xcab3e6a7953a5d35ull},
      {"two-lifts-rush.json", 0x42fdcf6769915a4eull},     {"test-drive-appointments.json", 0xa3665ce064db7674ull},
  };
  for (const auto& [name, hash] : shipped) {
    INFO(name);
    std::ifstream file(std::string(TOWER_PUBLIC_DIR) + "/scenarios/" + name);
    REQUIRE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    auto scenario = scenario_from_json(*parse_json(text.str()));
    REQUIRE(scenario.ok());
    auto kpis = run_scenario(*scenario);
    REQUIRE(kpis.ok());
    CHECK(kpis->event_log_hash == hash);
  }
}
