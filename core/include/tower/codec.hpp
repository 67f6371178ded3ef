// JSON codecs for commands, events, snapshots and configurations. Decoding is validation: a malformed
// document gets an Error naming the field ("place_order.car must be a positive whole number"), never a crash.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "tower/commands.hpp"
#include "tower/config.hpp"
#include "tower/events.hpp"
#include "tower/result.hpp"
#include "tower/tower.hpp"

namespace tower {

// Parses JSON text without exceptions; the error gives the byte offset of the problem.
Result<nlohmann::json> parse_json(std::string_view text);

// {"type": "place_order", "customer": 1, "car": 7, ...}. Missing fields keep their defaults; the rules in
// Tower::apply then say what is missing in words.
nlohmann::json to_json(const Command& command);
Result<Command> command_from_json(const nlohmann::json& json);
// The type names of every command, in variant order ("register_customer", ...).
const char* command_name(const Command& command);

// {"at": 1234, "type": "order_placed", ...}. Events are ours: every field is required.
nlohmann::json to_json(const Event& event);
Result<Event> event_from_json(const nlohmann::json& json);
const char* event_name(const Event& event);

// A snapshot: the whole state, canonical (sorted keys), so equal states give equal text.
nlohmann::json to_json(const TowerState& state);
Result<TowerState> state_from_json(const nlohmann::json& json);

// A configuration or preset. Anything missing keeps the default. A layout may be given compactly as
// {"name", "levels", "slots_per_level", "lowest_level_slots", "bays"} or as explicit "slots" and "bays" lists.
nlohmann::json to_json(const TowerConfig& config);
Result<TowerConfig> config_from_json(const nlohmann::json& json);

// Records as the API and the twin show them.
nlohmann::json to_json(const Customer& customer);
nlohmann::json to_json(const Car& car);
nlohmann::json to_json(const Order& order);
nlohmann::json to_json(const Trial& trial);
nlohmann::json to_json(const FlashSale& sale);
nlohmann::json to_json(const Claim& claim);
nlohmann::json to_json(const Decision& decision);
nlohmann::json to_json(const TrialTerms& terms);

}  // namespace tower
