// Fuzzes tower configurations and presets (public/presets/*.json seed it) and the gateway's configuration
// file. A configuration that decodes and validates must round-trip and build a tower; the gateway's reader
// must refuse by name or give a tower that validates.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "gateway/config.hpp"
#include "tower/codec.hpp"
#include "tower/config.hpp"
#include "tower/tower.hpp"

using tower::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto json = tower::parse_json(tower::fuzz::as_text(data, size));
  if (!json) return 0;

  if (auto config = tower::config_from_json(*json)) {
    const nlohmann::json first = tower::to_json(*config);
    auto again = tower::config_from_json(first);
    check(again.ok(), "config round trip", again.ok() ? first.dump() : again.error().message);
    check(tower::to_json(*again) == first, "config round trip", first.dump());
    const auto valid = tower::validate(*config);
    check(valid.ok(), "config_from_json returned an invalid configuration", valid.ok() ? "" : valid.error().message);
    auto built = tower::Tower::create(*config);
    check(built.ok(), "a valid configuration must build a tower", built.ok() ? "" : built.error().message);
  }
  // "tower" may name a preset file relative to the base directory; the committed presets live there.
  if (auto gateway = tower::gateway::gateway_config_from_json(*json, TOWER_PRESETS_DIR)) {
    const auto valid = tower::validate(gateway->tower);
    check(valid.ok(), "the gateway accepted an invalid tower", valid.ok() ? "" : valid.error().message);
  }
  return 0;
}
