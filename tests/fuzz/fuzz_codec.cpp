// Fuzzes the core's JSON decoders: commands, events, snapshots and configurations. Whatever decodes must
// encode, decode again and encode to the same JSON, and a decoded command applied to a fresh default tower
// must answer with events or an Error, never crash.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "tower/codec.hpp"
#include "tower/tower.hpp"

namespace {

using tower::fuzz::check;

// Encodes a decoded value, decodes that and encodes again: both encodings must be the same JSON.
template <class T, class Decode>
void check_round_trip(const T& value, Decode decode, const char* what) {
  const nlohmann::json first = tower::to_json(value);
  auto again = decode(first);
  check(again.ok(), what, again.ok() ? std::string() : again.error().message + "\n" + first.dump());
  const nlohmann::json second = tower::to_json(*again);
  check(first == second, what, first.dump() + "\n" + second.dump());
}

const tower::Tower& fresh_tower() {
  static const tower::Tower tower = *tower::Tower::create(tower::default_tower_config());
  return tower;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto json = tower::parse_json(tower::fuzz::as_text(data, size));
  if (!json) return 0;

  if (auto command = tower::command_from_json(*json)) {
    check_round_trip(*command, tower::command_from_json, "command round trip");
    tower::Tower tower = fresh_tower();
    // At the epoch and three days on, so deadlines and windows are exercised from both sides.
    for (const std::int64_t at : {std::int64_t{0}, tower::days(3).us}) {
      auto events = tower.apply(*command, tower::SimTime{at});
      if (events)
        for (const tower::Event& event : *events) check_round_trip(event, tower::event_from_json, "applied event round trip");
    }
  }
  if (auto event = tower::event_from_json(*json)) check_round_trip(*event, tower::event_from_json, "event round trip");
  if (auto state = tower::state_from_json(*json)) check_round_trip(*state, tower::state_from_json, "state round trip");
  if (auto config = tower::config_from_json(*json)) check_round_trip(*config, tower::config_from_json, "config round trip");
  return 0;
}
