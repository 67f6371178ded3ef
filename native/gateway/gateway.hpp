// The tower gateway: the system of record for one tower. The core's Tower behind one sequencer (a strand),
// a durable store, the machine driver, the HTTP/WebSocket edge and the operational figures.
//
// A request is parsed on an I/O thread, then authenticated, checked and turned into a command on the
// sequencer; the events go to the store and the answer is sent only once they are durable. Events also
// create and finish machine jobs and are broadcast on the live feed. Restarting replays the store.
//
// [SECTION] Lifecycle
// [SECTION] Internals: sequencer, records, machine
// [SECTION] Internals: the API (api_*.cpp, one file per resource family)
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include "gateway/config.hpp"
#include "gateway/http_server.hpp"
#include "gateway/jobs.hpp"
#include "gateway/machine_driver.hpp"
#include "gateway/metrics.hpp"
#include "gateway/rate_limit.hpp"
#include "gateway/store.hpp"
#include "tower/tower.hpp"

namespace tower::gateway {

// Who is calling, from the bearer token.
struct Caller {
  enum class Role { anonymous, customer, staff };
  Role role = Role::anonymous;
  CustomerId customer{};
  std::string staff_name;
};

// Who may call a route. Customers reach only their own records: the handlers check ownership.
enum class Access { anyone, customer, staff, customer_or_staff };

class Gateway;

// One API request on its way through the sequencer.
struct Call {
  HttpRequest request;
  Respond respond;
  Caller caller;
  std::vector<std::uint32_t> ids;  // the {id} segments of the route, in order
  nlohmann::json body;             // the parsed body (null when there is none)
};

struct Route {
  const char* method;
  const char* pattern;  // "/api/v1/orders/{id}/payment"
  Access access;
  void (Gateway::*handle)(Call& call);
  const char* limited = nullptr;  // a rate-limit bucket name ("claims", "pickups", ...), or none
};

// The API's routes, in matching order. The OpenAPI document must describe each one (a test checks).
const std::vector<Route>& api_routes();
// The OpenAPI 3 document served at /api/v1/openapi.json.
const std::string& openapi_document();

class Gateway {
 public:
  // [SECTION] Lifecycle

  // Opens the store (replaying it), stocks a brand-new tower, binds the port and starts serving on
  // config.io_threads threads. Fails naming what could not be done (bad data directory, port in use, ...).
  static Result<std::unique_ptr<Gateway>> start(GatewayConfig config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  unsigned short port() const { return port_; }
  const std::string& staff_tokens_path() const { return staff_tokens_path_; }
  // Graceful: stops accepting, lets in-flight requests finish and be answered, flushes the store, stops the
  // threads. Idempotent; safe from any thread except the gateway's own.
  void stop();
  // Blocks until stop() has finished.
  void wait();
  // Answers one request as the HTTP sessions do, with no socket (the request fuzzer's seam). `respond` is
  // called exactly once, maybe later on another of the gateway's threads; a throw here is the server's 500.
  void serve(HttpRequest&& request, Respond respond) { handle(std::move(request), std::move(respond)); }

 private:
  explicit Gateway(GatewayConfig config);
  Status open_store();
  Status replay(const Recovered& recovered);
  Status load_staff();
  void stock_new_tower();
  void declare_metrics();

  // [SECTION] Internals: sequencer, records, machine
  SimTime now() const;
  // On the sequencer. Applies `command` and, when it caused events, appends them (and `extra` records) to the
  // store. `on_durable` runs on the store's writer thread once they are durable (or failed); with no events it
  // is not called. Follow-up commands of the gateway (storing a returned car) are applied right after.
  Result<std::vector<Event>> commit(const Command& command, std::vector<Record> extra, Store::Durable on_durable);
  // Applies a command of the gateway itself (machine feedback, ticks); refusals are logged.
  void commit_internal(const Command& command, const char* why);
  // Appends gateway records (no tower command) and folds them now.
  void record(std::vector<Record> records, Store::Durable on_durable);
  // The first bay with no car in it or on its way; none when all are busy.
  BayId free_bay() const;
  void fold_record(std::uint64_t sequence, const Record& record, bool live);
  void after_event(std::uint64_t sequence, const Event& event, std::vector<Command>& follow_ups);
  void maybe_snapshot(std::uint64_t sequence);
  std::string snapshot_body() const;
  Status restore_snapshot(const std::string& body);
  void dispatch_machine();
  void on_machine_done(std::uint64_t job);
  void publish_jobs();
  void schedule_tick();
  std::string live_snapshot() const;

  // request plumbing (api.cpp)
  void handle(HttpRequest&& request, Respond respond);
  void serve_static(const HttpRequest& request, Respond& respond);
  void on_sequencer(Call call, const Route* route);
  Caller authenticate(const HttpRequest& request) const;
  bool rate_limited(Call& call, const char* bucket);
  // Answers a successful mutation once its records are durable; refusals at once.
  void submit(Call& call, const Command& command, std::vector<Record> extra,
              std::function<nlohmann::json(const std::vector<Event>&)> answer, int status = 200);
  bool owns_or_staff(Call& call, CustomerId owner);

  // the API (api_*.cpp)
  void get_tower(Call& call);
  void list_cars(Call& call);
  void get_car(Call& call);
  void stock_car(Call& call);
  void register_customer(Call& call);
  void get_customer(Call& call);
  void get_eligibility(Call& call);
  void set_membership(Call& call);
  void place_order(Call& call);
  void get_order(Call& call);
  void pay_order(Call& call);
  void cancel_order(Call& call);
  void book_trial(Call& call);
  void get_trial(Call& call);
  void cancel_trial(Call& call);
  void return_trial(Call& call);
  void convert_trial(Call& call);
  void create_sale(Call& call);
  void get_sale(Call& call);
  void claim_sale(Call& call);
  void get_claim(Call& call);
  void pay_claim(Call& call);
  void start_pickup(Call& call);
  void hand_over(Call& call);
  void list_jobs(Call& call);
  void get_job(Call& call);
  void submit_survey(Call& call);
  void get_machine(Call& call);
  void raise_fault(Call& call);
  void clear_fault(Call& call);
  void set_machine_mode(Call& call);
  void manual_delivery(Call& call);
  void service_done(Call& call);
  friend const std::vector<Route>& api_routes();

  GatewayConfig config_;
  boost::asio::io_context io_;
  boost::asio::strand<boost::asio::io_context::executor_type> sequencer_;
  std::unique_ptr<Store> store_;
  Tower tower_;
  JobBoard jobs_;
  std::unique_ptr<MachineDriver> driver_;
  std::unique_ptr<CreditProvider> credit_;
  SafetyInputs safety_;
  LiveHub live_;
  std::unique_ptr<HttpServer> server_;
  Metrics metrics_;
  boost::asio::steady_timer tick_timer_;

  // secrets and the gateway's own records (all on the sequencer)
  std::string code_key_;      // signs pickup codes
  std::string identity_key_;  // keys identity-document hashes
  std::unordered_map<std::string, CustomerId> customer_tokens_;  // token digest -> customer
  std::map<std::string, std::string> staff_tokens_;              // token digest -> staff name
  std::unordered_map<std::string, int> pickup_failures_;         // "order:3" -> failed attempts
  RateLimiter per_customer_;
  RateLimiter per_address_;

  std::uint64_t last_sequence_ = 0;
  std::uint64_t snapshot_sequence_ = 0;
  std::atomic<bool> store_failed_{false};
  std::atomic<bool> stopping_{false};
  std::string staff_tokens_path_;
  unsigned short port_ = 0;
  std::vector<std::thread> threads_;
  std::mutex stop_mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;
};

}  // namespace tower::gateway
