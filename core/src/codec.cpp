// JSON encoding and validating decoding over the field lists in codec_fields.hpp. Times and durations are
// integer microseconds; money is {"minor": cents, "currency": "CNY"}; percentages are strings ("4.99").
#include "tower/codec.hpp"

#include <set>
#include <type_traits>

#include "codec_fields.hpp"
#include "tower/finance.hpp"

namespace tower {

using nlohmann::json;

namespace codec {
namespace {

template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};
template <class T> struct IsId : std::false_type {};
template <class Tag> struct IsId<Id<Tag>> : std::true_type {};

template <class E> constexpr int enum_count = 0;
template <> constexpr int enum_count<CarState> = 7;
template <> constexpr int enum_count<OrderState> = 5;
template <> constexpr int enum_count<TrialState> = 6;
template <> constexpr int enum_count<ClaimState> = 3;
template <> constexpr int enum_count<SizeClass> = 3;
template <> constexpr int enum_count<FreeTrialRule> = 2;

// Each visitor also takes optional(name, value, fallback): a field that may be absent, meaning `fallback`,
// and is left out when encoding a value equal to it.
struct NameCollector {
  std::set<std::string>* names;
  template <class T> void operator()(const char* name, T&) { names->insert(name); }
  template <class T> void optional(const char* name, T&, const T&) { names->insert(name); }
};

json encode(const auto& value);

struct Encoder {
  json* out;
  template <class T> void operator()(const char* name, T& value) { (*out)[name] = encode(value); }
  template <class T> void optional(const char* name, T& value, const T& fallback) {
    if (value != fallback) (*out)[name] = encode(value);
  }
};

json encode(const auto& value) {
  using T = std::decay_t<decltype(value)>;
  if constexpr (IsId<T>::value) return value.value;
  else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int> || std::is_same_v<T, std::int64_t> ||
                     std::is_same_v<T, double> || std::is_same_v<T, std::string>)
    return value;
  else if constexpr (std::is_same_v<T, Money>) return json{{"minor", value.minor}, {"currency", value.currency.str()}};
  else if constexpr (std::is_same_v<T, Currency>) return value.str();
  else if constexpr (std::is_same_v<T, Ppm>) return format_percent(value);
  else if constexpr (std::is_same_v<T, SimTime> || std::is_same_v<T, Duration>) return value.us;
  else if constexpr (std::is_enum_v<T>) return to_string(value);
  else if constexpr (IsVector<T>::value) {
    json array = json::array();
    for (const auto& item : value) array.push_back(encode(item));
    return array;
  } else {
    json object = json::object();
    Encoder encoder{&object};
    // describe() takes a mutable reference so one field list serves both directions; encoding only reads.
    describe(encoder, const_cast<T&>(value));
    return object;
  }
}

Status fail(const std::string& path, const std::string& what) { return make_error(ErrorCode::invalid_argument, path + " " + what); }

Status decode(const json& in, auto& value, const std::string& path, bool strict);

struct Decoder {
  const json* in;
  const std::string* path;
  bool strict;
  Status status = ok_status();
  template <class T> void operator()(const char* name, T& value) {
    if (!status) return;
    const std::string field = path->empty() ? std::string(name) : *path + "." + name;
    const auto found = in->find(name);
    if (found == in->end()) {
      if (strict) status = fail(field, "is missing");
      return;
    }
    status = decode(*found, value, field, strict);
  }
  template <class T> void optional(const char* name, T& value, const T& fallback) {
    if (!status) return;
    if (in->find(name) == in->end()) {
      value = fallback;
      return;
    }
    (*this)(name, value);
  }
};

template <class T>
Status decode_object(const json& in, T& value, const std::string& path, bool strict, std::set<std::string> allowed = {}) {
  if (!in.is_object()) return fail(path.empty() ? "document" : path, "must be an object");
  NameCollector collect{&allowed};
  describe(collect, value);
  for (const auto& item : in.items())
    if (!allowed.count(item.key()))
      return fail(path.empty() ? item.key() : path + "." + item.key(), "is not a known field");
  Decoder decoder{&in, &path, strict};
  describe(decoder, value);
  return decoder.status;
}

template <class I>
Status decode_integer(const json& in, I& value, const std::string& path, std::int64_t low, std::int64_t high) {
  if (!in.is_number_integer()) return fail(path, "must be a whole number");
  const auto number = in.is_number_unsigned() ? static_cast<std::int64_t>(std::min<std::uint64_t>(in.get<std::uint64_t>(), INT64_MAX))
                                              : in.get<std::int64_t>();
  if (number < low || number > high)
    return fail(path, "must be between " + std::to_string(low) + " and " + std::to_string(high));
  value = static_cast<I>(number);
  return ok_status();
}

Status decode(const json& in, auto& value, const std::string& path, bool strict) {
  using T = std::decay_t<decltype(value)>;
  if constexpr (IsId<T>::value) {
    return decode_integer(in, value.value, path, 0, UINT32_MAX);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!in.is_boolean()) return fail(path, "must be true or false");
    value = in.get<bool>();
  } else if constexpr (std::is_same_v<T, int>) {
    return decode_integer(in, value, path, INT32_MIN, INT32_MAX);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return decode_integer(in, value, path, INT64_MIN, INT64_MAX);
  } else if constexpr (std::is_same_v<T, SimTime> || std::is_same_v<T, Duration>) {
    return decode_integer(in, value.us, path, 0, INT64_MAX / 4);
  } else if constexpr (std::is_same_v<T, double>) {
    if (!in.is_number()) return fail(path, "must be a number");
    value = in.get<double>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!in.is_string()) return fail(path, "must be a string");
    value = in.get<std::string>();
  } else if constexpr (std::is_same_v<T, Currency>) {
    if (!in.is_string()) return fail(path, "must be a currency code such as \"CNY\"");
    auto parsed = parse_currency(in.get<std::string>());
    if (!parsed) return fail(path, parsed.error().message);
    value = *parsed;
  } else if constexpr (std::is_same_v<T, Money>) {
    if (!in.is_object() || !in.contains("minor") || !in.contains("currency") || in.size() != 2)
      return fail(path, "must be {\"minor\": <whole cents>, \"currency\": \"CNY\"}");
    if (auto minor = decode_integer(in["minor"], value.minor, path + ".minor", -1'000'000'000'000'000, 1'000'000'000'000'000); !minor)
      return minor;
    return decode(in["currency"], value.currency, path + ".currency", strict);
  } else if constexpr (std::is_same_v<T, Ppm>) {
    if (!in.is_string()) return fail(path, "must be a percentage string such as \"4.99\"");
    auto parsed = parse_percent(in.get<std::string>());
    if (!parsed) return fail(path, parsed.error().message);
    value = *parsed;
  } else if constexpr (std::is_enum_v<T>) {
    if (in.is_string())
      for (int i = 0; i < enum_count<T>; ++i)
        if (in.get<std::string>() == to_string(static_cast<T>(i))) {
          value = static_cast<T>(i);
          return ok_status();
        }
    std::string names;
    for (int i = 0; i < enum_count<T>; ++i) names += std::string(i ? ", " : "") + to_string(static_cast<T>(i));
    return fail(path, "must be one of: " + names);
  } else if constexpr (IsVector<T>::value) {
    if (!in.is_array()) return fail(path, "must be an array");
    if (in.size() > 1'000'000) return fail(path, "has too many items");
    value.clear();
    value.resize(in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
      if (auto item = decode(in[i], value[i], path + "[" + std::to_string(i) + "]", strict); !item) return item;
  } else {
    return decode_object(in, value, path, strict);
  }
  return ok_status();
}

template <class Variant>
Result<Variant> decode_variant(const json& in, const char* const* names, const char* what, std::set<std::string> extra) {
  if (!in.is_object()) return make_error(ErrorCode::invalid_argument, std::string(what) + " must be a JSON object");
  const auto type = in.find("type");
  if (type == in.end() || !type->is_string())
    return make_error(ErrorCode::invalid_argument, std::string(what) + " needs a \"type\" string");
  const std::string name = type->get<std::string>();
  Result<Variant> result = make_error(ErrorCode::invalid_argument, std::string("unknown ") + what + " type '" + name + "'");
  auto try_index = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
    if (name != names[I]) return;
    std::variant_alternative_t<I, Variant> body{};
    extra.insert("type");
    const bool strict = std::string(what) == "event";
    if (auto status = decode_object(in, body, name, strict, extra); !status) result = status.error();
    else result = Variant{std::move(body)};
  };
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (try_index(std::integral_constant<std::size_t, I>{}), ...);
  }(std::make_index_sequence<std::variant_size_v<Variant>>{});
  return result;
}

}  // namespace
}  // namespace codec

Result<json> parse_json(std::string_view text) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  // Parse again with a handler to learn where and why: the customer or operator fixing the file needs both.
  struct Locator : nlohmann::json_sax<json> {
    std::string message = "not valid JSON";
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
      message = error.what();
      if (const auto bracket = message.find("] "); bracket != std::string::npos) message = message.substr(bracket + 2);
      return false;
    }
  } locator;
  json::sax_parse(text.begin(), text.end(), &locator, nlohmann::detail::input_format_t::json, true);
  return make_error(ErrorCode::invalid_argument, "not valid JSON: " + locator.message);
}

json to_json(const Command& command) {
  json out = std::visit([](const auto& body) { return codec::encode(body); }, command);
  out["type"] = command_name(command);
  return out;
}
const char* command_name(const Command& command) { return codec::command_names[command.index()]; }
Result<Command> command_from_json(const json& json_value) {
  return codec::decode_variant<Command>(json_value, codec::command_names, "command", {});
}

json to_json(const Event& event) {
  json out = std::visit([](const auto& body) { return codec::encode(body); }, event.body);
  out["type"] = event_name(event);
  out["at"] = event.at.us;
  return out;
}
const char* event_name(const Event& event) { return codec::event_names[event.body.index()]; }
Result<Event> event_from_json(const json& json_value) {
  auto body = codec::decode_variant<EventBody>(json_value, codec::event_names, "event", {"at"});
  if (!body) return body.error();
  Event event{{}, std::move(*body)};
  // Looked up, not indexed: a const json's operator[] on a missing key reads out of bounds (found by fuzz_codec).
  const auto at_field = json_value.find("at");
  if (at_field == json_value.end()) return make_error(ErrorCode::invalid_argument, "event.at is missing");
  if (auto at = codec::decode(*at_field, event.at, "event.at", true); !at) return at.error();
  return event;
}

json to_json(const TowerState& state) { return codec::encode(state); }
Result<TowerState> state_from_json(const json& json_value) {
  TowerState state;
  if (auto status = codec::decode_object(json_value, state, "", true); !status) return status.error();
  return state;
}

json to_json(const TowerConfig& config) { return codec::encode(config); }
Result<TowerConfig> config_from_json(const json& json_value) {
  TowerConfig config = default_tower_config();
  json rest = json_value;
  // The compact layout form: a grid described by its counts instead of every slot.
  if (rest.is_object() && rest.contains("layout") && rest["layout"].is_object() && rest["layout"].contains("slots_per_level")) {
    const json compact = rest["layout"];
    struct Grid {
      std::string name = "Tower";
      int levels = 0, slots_per_level = 0, lowest_level_slots = -1, bays = 1, lifts = 1;
      double level_pitch_m = 2.7;
    } grid;
    auto describe_grid = [&](auto& v) {
      v("name", grid.name); v("levels", grid.levels); v("slots_per_level", grid.slots_per_level);
      v("lowest_level_slots", grid.lowest_level_slots); v("bays", grid.bays); v("level_pitch_m", grid.level_pitch_m);
      v("lifts", grid.lifts);
    };
    std::set<std::string> allowed;
    codec::NameCollector collect{&allowed};
    describe_grid(collect);
    for (const auto& item : compact.items())
      if (!allowed.count(item.key())) return make_error(ErrorCode::invalid_argument, "layout." + item.key() + " is not a known field");
    const std::string path = "layout";
    codec::Decoder decoder{&compact, &path, false};
    describe_grid(decoder);
    if (!decoder.status) return decoder.status.error();
    if (grid.levels < 1 || grid.levels > 200 || grid.slots_per_level < 1 || grid.slots_per_level > 64 || grid.bays < 1 || grid.bays > 16)
      return make_error(ErrorCode::invalid_argument, "layout needs 1..200 levels, 1..64 slots a level and 1..16 bays");
    if (grid.lifts < 1 || grid.lifts > max_lifts || grid.lifts > grid.bays)
      return make_error(ErrorCode::invalid_argument, "layout.lifts must be 1.." + std::to_string(max_lifts) +
                                                         " and no more than the bays (each lift needs a bay)");
    config.layout = make_layout(grid.name, grid.levels, grid.slots_per_level, grid.bays,
                                grid.lowest_level_slots < 0 ? grid.slots_per_level : grid.lowest_level_slots, grid.lifts);
    config.layout.level_pitch_m = grid.level_pitch_m;
    rest.erase("layout");
  }
  if (auto status = codec::decode_object(rest, config, "", false); !status) return status.error();
  if (auto valid = validate(config); !valid) return valid.error();
  return config;
}

json to_json(const Customer& customer) { return codec::encode(customer); }
json to_json(const Car& car) { return codec::encode(car); }
json to_json(const Order& order) { return codec::encode(order); }
json to_json(const Trial& trial) { return codec::encode(trial); }
json to_json(const FlashSale& sale) { return codec::encode(sale); }
json to_json(const Claim& claim) { return codec::encode(claim); }
json to_json(const Decision& decision) { return json{{"allowed", decision.allowed}, {"reasons", decision.reasons}}; }
json to_json(const TrialTerms& terms) {
  return json{{"free", terms.free}, {"fee", codec::encode(terms.fee)}, {"deposit", codec::encode(terms.deposit)},
              {"discount", format_percent(terms.discount)}, {"reasons", terms.reasons}};
}

}  // namespace tower
