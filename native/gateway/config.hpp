// The gateway's configuration: which tower, where its data lives, how it listens, and its limits. Read from
// a JSON file (`tower serve --config FILE`), then overridden by flags. Every field has a default, so no file
// at all gives the embedded default tower on port 8080 with data under ./tower-data.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "gateway/http_server.hpp"
#include "gateway/rate_limit.hpp"
#include "tower/config.hpp"
#include "tower/machine.hpp"
#include "tower/money.hpp"
#include "tower/result.hpp"

namespace tower::gateway {

// The simulated credit provider: a score per identity document, from a table or else derived from the
// document's keyed hash, uniformly within [min_score, max_score]. A real provider sits behind the same call.
struct CreditProviderConfig {
  int min_score = 600;
  int max_score = 850;
  // Normalised document number -> score. Like a payment sandbox's test cards, three demo identities have
  // known scores so a first-time user can walk the journeys: buy (DEMOGOOD1), test-drive (DEMOFAIR1), refusal.
  std::map<std::string, int> scores{{"DEMOGOOD1", 800}, {"DEMOFAIR1", 720}, {"DEMOPOOR1", 520}};
};

struct GatewayConfig {
  TowerConfig tower = default_tower_config();
  MachineConfig machine{};
  std::string data_dir = "tower-data";
  std::string public_dir = "public";
  std::string staff_tokens_file;  // empty: <data_dir>/staff-tokens, created with one admin token on first start
  HttpServerOptions http{};
  int io_threads = 2;
  double machine_speed = 1.0;     // the simulated machine runs this many times faster than the wall clock
  int initial_stock = 40;         // cars stocked on the very first start (a demo tower is never empty)
  std::uint64_t stock_seed = 1;
  std::uint64_t snapshot_every = 10'000;  // records between snapshots
  std::chrono::milliseconds tick{1000};   // how often reservations and no-shows are expired
  Duration pickup_code_valid = hours(24 * 7);  // a purchase's pickup code; a test drive's is its pickup window
  int pickup_failures_to_lock = 5;
  Ppm finance_apr = Ppm{49'900};
  int finance_months = 36;
  RateLimit per_customer{2, 10};   // claims, orders, trials, pickups per customer
  RateLimit per_address{50, 200};  // the same plus registrations, per client address
  CreditProviderConfig credit;
};

// Reads a configuration document. Unknown or malformed fields are refused by name ("port must be 0..65535").
// `base_dir` resolves a "tower" given as a preset file path.
Result<GatewayConfig> gateway_config_from_json(const nlohmann::json& json, const std::string& base_dir);
// Reads and parses a file; errors name the file.
Result<GatewayConfig> load_gateway_config(const std::string& path);

// Where credit scores come from. A bureau's client implements it; registration asks it once per customer.
// Called on the sequencer, so an implementation that waits on a network must answer from a cache.
class CreditProvider {
 public:
  virtual ~CreditProvider() = default;
  // `document` is the normalised identity-document number, `identity_digest` its keyed hash.
  virtual Result<int> score(const std::string& document, const std::string& identity_digest) const = 0;
};

// The simulated bureau: the configured table, else a score spread evenly over [min_score, max_score] by the
// document's keyed hash (stable for a tower, different between towers).
class SimulatedCreditProvider final : public CreditProvider {
 public:
  explicit SimulatedCreditProvider(CreditProviderConfig config) : config_(std::move(config)) {}
  Result<int> score(const std::string& document, const std::string& identity_digest) const override;

 private:
  CreditProviderConfig config_;
};

}  // namespace tower::gateway
