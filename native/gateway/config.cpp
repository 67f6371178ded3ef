// Reading the gateway's configuration strictly: every key known, every value in range, errors by name.
#include "gateway/config.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tower/codec.hpp"

namespace tower::gateway {

namespace {

Error bad(const std::string& message) { return make_error(ErrorCode::invalid_argument, message); }

// Reads `json[key]` into `out` if present; false (with `error` set) when it has the wrong type or range.
template <class T>
bool read_number(const nlohmann::json& json, const char* key, T& out, double min, double max, std::string& error) {
  if (!json.contains(key)) return true;
  const auto& value = json[key];
  if (!value.is_number() || value.get<double>() < min || value.get<double>() > max ||
      (std::is_integral_v<T> && !value.is_number_integer())) {
    std::ostringstream message;
    message << key << " must be a " << (std::is_integral_v<T> ? "whole number" : "number") << " from " << min << " to "
            << max;
    error = message.str();
    return false;
  }
  out = value.get<T>();
  return true;
}

bool read_string(const nlohmann::json& json, const char* key, std::string& out, std::string& error) {
  if (!json.contains(key)) return true;
  if (!json[key].is_string() || json[key].get<std::string>().empty()) {
    error = std::string(key) + " must be a non-empty string";
    return false;
  }
  out = json[key].get<std::string>();
  return true;
}

Result<RateLimit> read_rate_limit(const nlohmann::json& json, const std::string& name) {
  RateLimit limit;
  if (!json.is_object()) return bad("rate_limits." + name + " must be an object");
  std::string error;
  for (const auto& item : json.items())
    if (item.key() != "per_second" && item.key() != "burst")
      return bad("rate_limits." + name + "." + item.key() + " is not a known field");
  if (!read_number(json, "per_second", limit.per_second, 0.001, 1e9, error) ||
      !read_number(json, "burst", limit.burst, 1, 1e9, error))
    return bad("rate_limits." + name + "." + error);
  return limit;
}

Result<TowerConfig> read_tower(const nlohmann::json& json, const std::string& base_dir) {
  if (json.is_object()) {
    auto config = config_from_json(json);
    if (!config) return bad("tower: " + config.error().message);
    return config;
  }
  if (!json.is_string()) return bad("tower must be a preset object or the path of a preset file");
  std::filesystem::path path = json.get<std::string>();
  if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
  std::ifstream file(path);
  if (!file) return bad("tower: cannot read " + path.string());
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = parse_json(text.str());
  if (!parsed) return bad(path.string() + ": " + parsed.error().message);
  auto config = config_from_json(*parsed);
  if (!config) return bad(path.string() + ": " + config.error().message);
  return config;
}

Result<CreditProviderConfig> read_credit(const nlohmann::json& json) {
  CreditProviderConfig credit;
  std::string error;
  if (!json.is_object()) return bad("credit_provider must be an object");
  for (const auto& item : json.items())
    if (item.key() != "min_score" && item.key() != "max_score" && item.key() != "scores")
      return bad("credit_provider." + item.key() + " is not a known field");
  if (!read_number(json, "min_score", credit.min_score, 0, 1000, error) ||
      !read_number(json, "max_score", credit.max_score, 0, 1000, error))
    return bad("credit_provider." + error);
  if (credit.min_score > credit.max_score) return bad("credit_provider.min_score must not exceed max_score");
  if (json.contains("scores")) {
    if (!json["scores"].is_object()) return bad("credit_provider.scores must map document numbers to scores");
    for (const auto& item : json["scores"].items()) {
      if (!item.value().is_number_integer() || item.value().get<int>() < 0 || item.value().get<int>() > 1000)
        return bad("credit_provider.scores." + item.key() + " must be a whole number from 0 to 1000");
      credit.scores[item.key()] = item.value().get<int>();
    }
  }
  return credit;
}

}  // namespace

Result<GatewayConfig> gateway_config_from_json(const nlohmann::json& json, const std::string& base_dir) {
  if (!json.is_object()) return bad("the configuration must be a JSON object");
  static const char* known[] = {"tower", "machine_speed", "data_dir", "public_dir", "staff_tokens_file", "address",
                                "port", "io_threads", "body_limit_bytes", "request_timeout_ms", "idle_timeout_ms",
                                "initial_stock", "stock_seed", "snapshot_every", "tick_ms", "pickup_code_valid_hours",
                                "pickup_failures_to_lock", "finance_apr_percent", "finance_months", "rate_limits",
                                "credit_provider", "max_connections"};
  for (const auto& item : json.items())
    if (std::find(std::begin(known), std::end(known), item.key()) == std::end(known))
      return bad(item.key() + " is not a known field");

  GatewayConfig config;
  std::string error;
  long long request_ms = config.http.request_timeout.count(), idle_ms = config.http.idle_timeout.count();
  long long tick_ms = config.tick.count(), valid_hours = config.pickup_code_valid.us / hours(1).us;
  int port = config.http.port;
  bool ok = read_number(json, "machine_speed", config.machine_speed, 0.01, 1000, error) &&
            read_string(json, "data_dir", config.data_dir, error) &&
            read_string(json, "public_dir", config.public_dir, error) &&
            read_string(json, "staff_tokens_file", config.staff_tokens_file, error) &&
            read_string(json, "address", config.http.address, error) && read_number(json, "port", port, 0, 65535, error) &&
            read_number(json, "io_threads", config.io_threads, 1, 64, error) &&
            read_number(json, "body_limit_bytes", config.http.body_limit, 256, 16 << 20, error) &&
            read_number(json, "request_timeout_ms", request_ms, 10, 600'000, error) &&
            read_number(json, "idle_timeout_ms", idle_ms, 10, 3'600'000, error) &&
            read_number(json, "max_connections", config.http.max_connections, 1, 1'000'000, error) &&
            read_number(json, "initial_stock", config.initial_stock, 0, 100'000, error) &&
            read_number(json, "stock_seed", config.stock_seed, 0, 9e15, error) &&
            read_number(json, "snapshot_every", config.snapshot_every, 1, 1e9, error) &&
            read_number(json, "tick_ms", tick_ms, 10, 3'600'000, error) &&
            read_number(json, "pickup_code_valid_hours", valid_hours, 1, 24 * 365, error) &&
            read_number(json, "pickup_failures_to_lock", config.pickup_failures_to_lock, 1, 100, error) &&
            read_number(json, "finance_months", config.finance_months, 1, 120, error);
  if (!ok) return bad(error);
  config.http.port = static_cast<unsigned short>(port);
  config.http.request_timeout = std::chrono::milliseconds(request_ms);
  config.http.idle_timeout = std::chrono::milliseconds(idle_ms);
  config.tick = std::chrono::milliseconds(tick_ms);
  config.pickup_code_valid = hours(valid_hours);
  if (json.contains("finance_apr_percent")) {
    const auto& apr = json["finance_apr_percent"];
    auto parsed = parse_percent(apr.is_string() ? apr.get<std::string>() : apr.dump());
    if (!parsed) return bad("finance_apr_percent: " + parsed.error().message);
    config.finance_apr = *parsed;
  }
  if (json.contains("tower")) {
    auto tower = read_tower(json["tower"], base_dir);
    if (!tower) return tower.error();
    // The machine driver runs one lift; several lifts are modelled in the simulator and the twin so far.
    if (tower->layout.lifts > 1)
      return bad("tower: the layout has " + std::to_string(tower->layout.lifts) +
                 " lifts; tower serve drives a tower with one lift (try a tower of several lifts in tower sim)");
    config.tower = std::move(*tower);
  }
  if (json.contains("rate_limits")) {
    const auto& limits = json["rate_limits"];
    if (!limits.is_object()) return bad("rate_limits must be an object");
    for (const auto& item : limits.items()) {
      if (item.key() != "per_customer" && item.key() != "per_address")
        return bad("rate_limits." + item.key() + " is not a known field");
      auto limit = read_rate_limit(item.value(), item.key());
      if (!limit) return limit.error();
      (item.key() == "per_customer" ? config.per_customer : config.per_address) = *limit;
    }
  }
  if (json.contains("credit_provider")) {
    auto credit = read_credit(json["credit_provider"]);
    if (!credit) return credit.error();
    config.credit = std::move(*credit);
  }
  return config;
}

Result<GatewayConfig> load_gateway_config(const std::string& path) {
  std::ifstream file(path);
  if (!file) return bad("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = parse_json(text.str());
  if (!parsed) return bad(path + ": " + parsed.error().message);
  auto config = gateway_config_from_json(*parsed, std::filesystem::path(path).parent_path().string());
  if (!config) return bad(path + ": " + config.error().message);
  return config;
}

Result<int> SimulatedCreditProvider::score(const std::string& document, const std::string& identity_digest) const {
  const CreditProviderConfig& config = config_;
  if (auto found = config.scores.find(document); found != config.scores.end()) return found->second;
  if (identity_digest.size() < 8) return make_error(ErrorCode::invalid_argument, "the identity digest is malformed");
  // The digest is uniform hex, so its first 8 digits spread scores evenly over the range.
  const std::uint64_t spread = std::stoull(identity_digest.substr(0, 8), nullptr, 16);
  const auto range = static_cast<std::uint64_t>(config.max_score - config.min_score + 1);
  return config.min_score + static_cast<int>(spread % range);
}

}  // namespace tower::gateway
