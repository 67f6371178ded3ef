// The presets shipped in public/presets load, validate, and describe the towers the design names.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tower/codec.hpp"

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
