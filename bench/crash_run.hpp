// The crash-safety test of the real gateway (bench/crash_test.cpp drives the load and the kills,
// bench/crash_checks.cpp reads the restarted server back and checks it): what the two share.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "load_pool.hpp"
#include "load_server.hpp"

namespace tower::load::crash {

using json = nlohmann::json;

constexpr int connections = 16;
constexpr int sale_units = 600;
constexpr int initial_stock = 60;         // every slot: a delivered car leaves the tower for good
constexpr double machine_speed = 1000;    // a retrieval takes about 60 ms, so picked-up cars reach the bay in a cycle
constexpr double follow_up_share = 0.1;   // of requests, while follow-ups wait: spread over the cycle, some cut by the kill
constexpr std::size_t open_trials = 2;    // test drives booked and not yet picked up: about what two bays serve a cycle
constexpr int face_match_permille = 990;  // above the kiosk's threshold of 900
constexpr long torn_every = 3;            // cycles

struct Options {
  std::string tower;
  long cycles = 50;
  std::uint64_t seed = std::random_device{}();
};

inline void progress(const std::string& line) { std::fprintf(stderr, "tower_crash_test: %s\n", line.c_str()); }

inline bool one_of(const std::string& value, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* candidate) { return value == candidate; });
}

inline std::uint64_t id_of(const json& value) { return value.get<std::uint64_t>(); }

// What the server acknowledged with a 2xx answer: it must all be there after any crash. A flag is set when its
// change was acknowledged, except cancel_sent: a cancel whose answer the crash cut off may still have happened.
struct Ledger {
  struct Customer {
    std::uint64_t id = 0;
    std::string token;
    bool trial_sent = false;  // one test drive each keeps clear of the quota of one at a time, each model once
  };
  std::vector<Customer> customers;
  std::map<std::uint64_t, std::uint64_t> claims;  // claim -> customer
  struct Order {
    std::uint64_t car = 0, customer = 0;
    std::size_t customer_index = 0;
    std::string pickup_code;
    json down_payment;
    bool paid = false, picked_up = false, handed_over = false, cancelled = false, cancel_sent = false;
  };
  std::map<std::uint64_t, Order> orders;
  struct Trial {
    std::uint64_t car = 0, customer = 0;
    std::string pickup_code;
    bool picked_up = false, handed_over = false, returned = false;
  };
  std::map<std::uint64_t, Trial> trials;
  std::size_t payments = 0, pickups = 0, handovers = 0, returns = 0, cancels = 0;

  std::size_t changes() const {
    return customers.size() + claims.size() + orders.size() + payments + trials.size() + pickups + handovers + returns +
           cancels;
  }
  std::string counts() const {
    return std::to_string(customers.size()) + " customers, " + std::to_string(claims.size()) + " claims, " +
           std::to_string(orders.size()) + " orders, " + std::to_string(payments) + " payments, " +
           std::to_string(trials.size()) + " trials, " + std::to_string(pickups) + " pickups, " +
           std::to_string(handovers) + " handovers, " + std::to_string(returns) + " returns, " +
           std::to_string(cancels) + " cancels";
  }
};

// poll reads a picked-up car until it is in the bay; every other kind is a change.
enum class Kind { register_customer, claim, order, payment, cancel, trial, pickup, poll, handover, return_trial };

struct Job {
  Kind kind = Kind::register_customer;
  std::size_t customer = 0;  // index into the ledger's customers
  std::uint64_t car = 0, order = 0, trial = 0;
  std::string text;
};

struct Answer {
  unsigned status = 0;
  json body;
};

// What the restarted server says, read once per cycle for the checks and the next cycle's follow-ups.
struct World {
  std::vector<json> orders, trials;  // by id - 1
  std::map<std::uint64_t, json> cars;
  json bays;  // the tower's: id, name and the car in, or moving to or from, each
};

class CrashRun {
 public:
  explicit CrashRun(Options options)
      : options_(std::move(options)), random_(options_.seed), crashes_(options_.seed ^ 0x9e3779b97f4a7c15) {}
  int run();

 private:
  bool start_server();
  bool create_sale();
  bool load(long cycle);
  bool tear_wal(long cycle);
  const std::string& next_request(std::deque<Job>& jobs, std::vector<std::uint64_t>& cars);
  Job new_job(std::vector<std::uint64_t>& cars);
  Job customer_job(Kind kind, std::size_t customer, const std::string& start_line, const json& body);
  void record(const Job& job, const Answer& answer, std::vector<std::uint64_t>& cars);
  void record_purchase(const Job& job, const json& body, std::vector<std::uint64_t>& cars);
  void record_visit(const Job& job, const json& body, std::vector<std::uint64_t>& cars);
  void follow_car(const Job& job, const Answer& answer);
  Job follow_up(Kind kind, const Job& of, const std::string& pickup_code = "");
  std::string pickup_text(const std::string& code) const;
  void plan(const World& world);
  bool verify(long cycle);
  bool verify_customers();
  bool verify_claims();
  bool verify_orders(const World& world);
  bool verify_trials(const World& world);
  bool verify_places(const World& world);
  bool verify_pickup_codes();
  std::optional<World> observe();
  std::optional<std::vector<Answer>> send_all(const std::vector<std::string>& texts);
  std::optional<std::vector<Answer>> get_all(const std::vector<std::pair<std::string, std::string>>& gets);
  std::optional<std::vector<json>> probe(const std::string& collection);
  std::optional<Answer> get_one(const std::string& path, const std::string& token);
  bool chance(double probability) { return std::uniform_real_distribution<double>(0, 1)(random_) < probability; }
  template <class T> const T& pick_one(const std::vector<T>& items) {
    return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(random_)];
  }
  bool failed(const std::string& reason) {
    failures_.push_back(reason);
    progress("FAILED: " + reason);
    return false;
  }

  Options options_;
  std::mt19937_64 random_;
  // The kill moments and the torn writes draw from their own stream: the mix draws as often as the server answers,
  // so they stay the same for a seed however fast the load went.
  std::mt19937_64 crashes_;
  std::filesystem::path dir_;
  std::string host_, staff_token_;
  asio::io_context io_{1};
  tcp::endpoint endpoint_;
  std::unique_ptr<ServerProcess> server_;
  int starts_ = 0;
  std::uint64_t sale_ = 0;
  std::size_t next_document_ = 0;
  Ledger ledger_;
  std::set<std::uint64_t> claimed_;  // customers with an acknowledged claim
  std::deque<Job> follow_ups_;       // the next steps of acknowledged changes, and what the last restart found ready
  std::size_t awaiting_pickup_ = 0, trials_in_flight_ = 0;
  long torn_phase_ = 0;  // the cycles with a torn write are those equal to this modulo torn_every
  std::size_t torn_writes_ = 0, oversold_ = 0, misplaced_ = 0;
  std::map<unsigned, std::size_t> refusals_;  // non-2xx answers under load, by status
  std::vector<std::string> failures_;
};

}  // namespace tower::load::crash
