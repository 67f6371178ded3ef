// Crash-safety test of the real gateway: drives a mixed load (registrations, flash-sale claims, orders, cancels)
// at `tower serve`, SIGKILLs it at a random moment, restarts it on the same data directory and checks through the
// API that every acknowledged change survived exactly once, no unit was sold twice and no car is in two live orders.
// Progress goes to stderr, the summary to stdout. Exit 0 only when every check held in every cycle.
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "load_pool.hpp"
#include "load_server.hpp"

namespace tower::load {
namespace {

using json = nlohmann::json;

constexpr const char* usage_text =
    "usage: tower_crash_test --tower PATH [--cycles N] [--seed N]\n"
    "\n"
    "Crash-safety test of 'tower serve'. Each cycle starts the server on one data directory kept across cycles,\n"
    "drives registrations, flash-sale claims, orders and cancels over 16 keep-alive connections, SIGKILLs the\n"
    "server 50-400 ms into the load, restarts it and checks through the API that every acknowledged (2xx) change\n"
    "is there exactly once, the sale is not oversold and no car is held by two live orders.\n"
    "\n"
    "options:\n"
    "  --tower PATH   the tower executable (required)\n"
    "  --cycles N     kill-and-restart cycles (default 50)\n"
    "  --seed N       seed of the load mix and the kill moments (default: random, printed)\n"
    "  --help         print this help\n"
    "\n"
    "exit status: 0 every check held; 1 a check failed (the reason is on stderr); 2 usage error\n";

constexpr int connections = 16;
constexpr int sale_units = 600;

struct Options {
  std::string tower;
  long cycles = 50;
  std::uint64_t seed = std::random_device{}();
};

void progress(const std::string& line) { std::fprintf(stderr, "tower_crash_test: %s\n", line.c_str()); }

[[noreturn]] void usage_error(const std::string& reason) {
  std::fprintf(stderr, "tower_crash_test: %s (try --help)\n", reason.c_str());
  std::exit(2);
}

unsigned long long whole_number(const std::string& name, const char* text, unsigned long long max) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || *text == '-' || value > max)
    usage_error(name + " must be a whole number up to " + std::to_string(max));
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (name == "--help") {
      std::fputs(usage_text, stdout);
      std::exit(0);
    }
    if (name != "--tower" && name != "--cycles" && name != "--seed") usage_error("unknown argument '" + name + "'");
    if (i + 1 >= argc) usage_error(name + " needs a value");
    const char* value = argv[++i];
    if (name == "--tower") options.tower = value;
    else if (name == "--cycles") options.cycles = static_cast<long>(whole_number(name, value, 100'000));
    else options.seed = whole_number(name, value, std::numeric_limits<std::uint64_t>::max());
  }
  if (options.tower.empty()) usage_error("--tower is required");
  if (options.cycles < 1) usage_error("--cycles must be at least 1");
  if (access(options.tower.c_str(), X_OK) != 0) usage_error("--tower " + options.tower + " is not an executable");
  return options;
}

// What the server acknowledged with a 2xx answer: it must all be there after any crash.
struct Ledger {
  struct Customer {
    std::uint64_t id = 0;
    std::string token;
  };
  std::vector<Customer> customers;
  std::map<std::uint64_t, std::uint64_t> claims;  // claim -> customer
  struct Order {
    std::uint64_t car = 0, customer = 0;
    std::size_t customer_index = 0;
    bool cancelled = false;  // a cancel of it was acknowledged
  };
  std::map<std::uint64_t, Order> orders;
  std::size_t cancels = 0;
  std::size_t changes() const { return customers.size() + claims.size() + orders.size() + cancels; }
};

enum class Kind { register_customer, claim, order, cancel };

struct Job {
  Kind kind = Kind::register_customer;
  std::size_t customer = 0;  // index into the ledger's customers
  std::uint64_t target = 0;  // the car of an order, the order of a cancel
  std::string text;
};

struct Answer {
  unsigned status = 0;
  json body;
};

class CrashRun {
 public:
  explicit CrashRun(Options options) : options_(std::move(options)), random_(options_.seed) {}
  int run();

 private:
  bool start_server();
  bool create_sale();
  bool load(long cycle);
  const std::string& next_request(std::deque<Job>& jobs, std::vector<std::uint64_t>& cars);
  void record(const Job& job, const Answer& answer, std::vector<std::uint64_t>& cars);
  bool verify(long cycle);
  bool verify_customers();
  bool verify_claims();
  bool verify_orders();
  std::optional<std::vector<Answer>> get_all(const std::vector<std::pair<std::string, std::string>>& gets);
  std::optional<std::vector<json>> probe(const std::string& collection);
  std::optional<Answer> get_one(const std::string& path, const std::string& token);
  bool failed(const std::string& reason) {
    failures_.push_back(reason);
    progress("FAILED: " + reason);
    return false;
  }

  Options options_;
  std::mt19937_64 random_;
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
  std::size_t oversold_ = 0, doubly_held_ = 0;
  std::map<unsigned, std::size_t> refusals_;  // non-2xx answers under load, by status
  std::vector<std::string> failures_;
};

bool CrashRun::start_server() {
  const unsigned short port = free_port();
  host_ = "127.0.0.1:" + std::to_string(port);
  endpoint_ = tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
  const json limit = {{"per_second", 1'000'000}, {"burst", 1'000'000}};
  const json config = {{"port", port}, {"address", "127.0.0.1"}, {"data_dir", (dir_ / "data").string()},
                       {"staff_tokens_file", (dir_ / "staff-tokens").string()}, {"initial_stock", 30},
                       {"io_threads", 1}, {"rate_limits", {{"per_customer", limit}, {"per_address", limit}}},
                       {"credit_provider", {{"min_score", 760}, {"max_score", 800}}}};
  write_file(dir_ / "config.json", config.dump(2) + "\n");
  const std::string log = (dir_ / ("server-" + std::to_string(++starts_) + ".log")).string();
  server_.reset();
  server_ = std::make_unique<ServerProcess>(options_.tower, (dir_ / "config.json").string(), log, -1);
  if (!server_->started()) return failed(std::string("fork: ") + std::strerror(errno));
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  const std::string request = request_text("GET /healthz", host_, "", "");
  std::string error = "no answer";
  while (Clock::now() < deadline) {
    if (!server_->running())  // it could not replay its store
      return failed("the server " + server_->outcome().value_or("exited with status 0") + " on start " +
                    std::to_string(starts_) + "; its log " + log + " ends:\n" + server_->log_tail(20));
    auto response = fetch(io_, endpoint_, request, std::chrono::milliseconds(1000), error);
    if (response && response->result_int() == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return failed("GET /healthz did not answer 200 within 20 s (" + error + "); the log ends:\n" + server_->log_tail(20));
}

std::optional<Answer> CrashRun::get_one(const std::string& path, const std::string& token) {
  std::string error;
  auto response = fetch(io_, endpoint_, request_text("GET " + path, host_, token, ""), std::chrono::seconds(10), error);
  if (!response) {
    failed("GET " + path + ": " + error);
    return std::nullopt;
  }
  return Answer{response->result_int(), json::parse(response->body(), nullptr, false)};
}

bool CrashRun::create_sale() {
  const json body = {{"make", "BYD"}, {"model", "Seal"}, {"colour", "blue"}, {"units", sale_units}, {"price", "180000"}};
  std::string error;
  auto response = fetch(io_, endpoint_, request_text("POST /api/v1/flash-sales", host_, staff_token_, body.dump()),
                        std::chrono::seconds(10), error);
  if (!response) return failed("POST /api/v1/flash-sales: " + error);
  const auto answer = json::parse(response->body(), nullptr, false);
  if (response->result_int() != 201 || !answer.is_object() || !answer.contains("id"))
    return failed("creating the sale answered " + std::to_string(response->result_int()) + " " + response->body());
  sale_ = answer["id"].get<std::uint64_t>();
  return true;
}

// The next job of the mix: mostly registrations and claims, some orders on available cars, a few cancels.
const std::string& CrashRun::next_request(std::deque<Job>& jobs, std::vector<std::uint64_t>& cars) {
  Job job;
  const double roll = std::uniform_real_distribution<double>(0, 1)(random_);
  const std::size_t customers = ledger_.customers.size();
  auto any_customer = [&] { return std::uniform_int_distribution<std::size_t>(0, customers - 1)(random_); };
  std::vector<std::uint64_t> live;
  if (roll >= 0.9)
    for (const auto& [id, order] : ledger_.orders)
      if (!order.cancelled) live.push_back(id);
  if (customers > 0 && roll >= 0.4 && roll < 0.75) {
    job.kind = Kind::claim;
    job.customer = any_customer();
    job.text = request_text("POST /api/v1/flash-sales/" + std::to_string(sale_) + "/claims", host_,
                            ledger_.customers[job.customer].token, "{}");
  } else if (customers > 0 && roll >= 0.75 && roll < 0.9 && !cars.empty()) {
    job.kind = Kind::order;
    job.customer = any_customer();
    job.target = cars[std::uniform_int_distribution<std::size_t>(0, cars.size() - 1)(random_)];
    job.text = request_text("POST /api/v1/orders", host_, ledger_.customers[job.customer].token,
                            json{{"car", job.target}}.dump());
  } else if (!live.empty()) {
    job.kind = Kind::cancel;
    job.target = live[std::uniform_int_distribution<std::size_t>(0, live.size() - 1)(random_)];
    job.customer = ledger_.orders[job.target].customer_index;
    job.text = request_text("POST /api/v1/orders/" + std::to_string(job.target) + "/cancel", host_,
                            ledger_.customers[job.customer].token, "{}");
  } else {
    const json body = {{"name", "Crash Test"}, {"identity_document", "CRASH" + std::to_string(++next_document_)},
                       {"selfie_template", "selfie-" + std::to_string(next_document_)}};
    job.text = request_text("POST /api/v1/customers", host_, "", body.dump());
  }
  jobs.push_back(std::move(job));
  return jobs.back().text;
}

// A 2xx answer is an acknowledged change: remember it, and check it names what was asked.
void CrashRun::record(const Job& job, const Answer& answer, std::vector<std::uint64_t>& cars) {
  if (answer.status < 200 || answer.status > 299) {
    ++refusals_[answer.status];
    if (answer.status >= 500 || answer.status == 400 || answer.status == 401)
      failed("unexpected status " + std::to_string(answer.status) + " under load: " + answer.body.dump());
    return;
  }
  const json& body = answer.body;
  if (job.kind == Kind::register_customer) {
    ledger_.customers.push_back({body.at("customer").at("id").get<std::uint64_t>(), body.at("token").get<std::string>()});
  } else if (job.kind == Kind::claim) {
    const auto customer = ledger_.customers[job.customer].id;
    if (body.at("customer").get<std::uint64_t>() != customer) failed("claim answered for another customer: " + body.dump());
    if (!claimed_.insert(customer).second) ++oversold_, failed("customer " + std::to_string(customer) + " won twice: " + body.dump());
    ledger_.claims[body.at("id").get<std::uint64_t>()] = customer;
  } else if (job.kind == Kind::order) {
    const auto& order = body.at("order");
    if (order.at("car").get<std::uint64_t>() != job.target) failed("order answered for another car: " + body.dump());
    ledger_.orders[order.at("id").get<std::uint64_t>()] = {job.target, ledger_.customers[job.customer].id, job.customer, false};
    std::erase(cars, job.target);
  } else {
    ledger_.orders[job.target].cancelled = true;
    ++ledger_.cancels;
    cars.push_back(ledger_.orders[job.target].car);
  }
}

// One cycle's load, cut short by SIGKILL after a random delay.
bool CrashRun::load(long cycle) {
  auto listed = get_one("/api/v1/cars?limit=1000", "");
  if (!listed) return false;
  std::vector<std::uint64_t> cars;
  for (const auto& car : listed->body.at("cars")) cars.push_back(car.at("id").get<std::uint64_t>());
  const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 400)(random_));
  const std::size_t before = ledger_.changes();
  Pool pool(io_, endpoint_, connections);
  std::string error;
  if (!pool.connect(error)) return failed(error);
  std::deque<Job> jobs;
  bool crashed_on_its_own = false;
  asio::steady_timer killer(io_, delay);
  killer.async_wait([&](beast::error_code ec) {
    if (!ec) crashed_on_its_own = !server_->sigkill();
  });
  Phase phase;
  phase.count = std::numeric_limits<std::size_t>::max();  // until the kill breaks every connection
  phase.request = [&](std::size_t job) -> const std::string& {
    if (job != jobs.size()) throw std::logic_error("jobs out of order");
    return next_request(jobs, cars);
  };
  phase.answer = [&](std::size_t job, Response& response, Clock::time_point, double) {
    record(jobs[job], {response.result_int(), json::parse(response.body(), nullptr, false)}, cars);
  };
  refusals_.clear();
  const PhaseRun run = pool.run(std::move(phase), server_->pid());
  std::string refused;
  for (const auto& [status, count] : refusals_) refused += ", " + std::to_string(count) + " x " + std::to_string(status);
  if (crashed_on_its_own)
    return failed("the server exited before the kill: " + server_->outcome().value_or("status 0") + "\n" +
                  server_->log_tail(20));
  progress("cycle " + std::to_string(cycle) + "/" + std::to_string(options_.cycles) + ": SIGKILL after " +
           std::to_string(delay.count()) + " ms; " + std::to_string(ledger_.changes() - before) + " acknowledged, " +
           std::to_string(run.errors) + " connections cut (" + std::to_string(jobs.size() - run.answered) +
           " requests unanswered" + refused + ")");
  return true;
}

// GETs over the keep-alive pool, answers in order; nullopt when a connection failed.
std::optional<std::vector<Answer>> CrashRun::get_all(const std::vector<std::pair<std::string, std::string>>& gets) {
  std::vector<std::string> texts;
  for (const auto& [path, token] : gets) texts.push_back(request_text("GET " + path, host_, token, ""));
  std::vector<Answer> answers(gets.size());
  Pool pool(io_, endpoint_, connections);
  std::string error;
  if (!pool.connect(error)) return failed(error), std::nullopt;
  Phase phase;
  phase.count = gets.size();
  phase.request = [&](std::size_t job) -> const std::string& { return texts[job]; };
  phase.answer = [&](std::size_t job, Response& response, Clock::time_point, double) {
    answers[job] = {response.result_int(), json::parse(response.body(), nullptr, false)};
  };
  const PhaseRun run = pool.run(std::move(phase), server_->pid());
  if (run.errors > 0) return failed("verifying: " + run.first_error), std::nullopt;
  return answers;
}

// Every record of a collection whose ids are dense (1, 2, ...): fetched in batches until the first 404.
std::optional<std::vector<json>> CrashRun::probe(const std::string& collection) {
  std::vector<json> found;
  for (std::uint64_t start = 1;; start += 64) {
    std::vector<std::pair<std::string, std::string>> gets;
    for (std::uint64_t id = start; id < start + 64; ++id)
      gets.emplace_back("/api/v1/" + collection + "/" + std::to_string(id), staff_token_);
    auto answers = get_all(gets);
    if (!answers) return std::nullopt;
    for (const Answer& answer : *answers) {
      if (answer.status == 404) return found;
      if (answer.status != 200) return failed(collection + " answered " + std::to_string(answer.status)), std::nullopt;
      found.push_back(answer.body);
    }
  }
}

bool CrashRun::verify_customers() {
  std::vector<std::pair<std::string, std::string>> gets;
  for (const auto& customer : ledger_.customers)
    gets.emplace_back("/api/v1/customers/" + std::to_string(customer.id), customer.token);
  auto answers = get_all(gets);
  if (!answers) return false;
  bool ok = true;
  for (std::size_t i = 0; i < answers->size(); ++i) {
    const Answer& answer = (*answers)[i];
    if (answer.status != 200 || answer.body.value("id", std::uint64_t{0}) != ledger_.customers[i].id)
      ok = failed("acknowledged customer " + std::to_string(ledger_.customers[i].id) + " (with its token) answered " +
                  std::to_string(answer.status) + " " + answer.body.dump());
  }
  return ok;
}

bool CrashRun::verify_claims() {
  auto claims = probe("claims");
  if (!claims) return false;
  bool ok = true;
  std::set<std::uint64_t> winners;
  long held = 0;  // claims of the sale that still hold a unit
  for (std::size_t i = 0; i < claims->size(); ++i) {
    const json& claim = (*claims)[i];
    if (claim.at("sale").get<std::uint64_t>() != sale_) continue;
    const std::string state = claim.at("state").get<std::string>();
    if (state == "reserved" || state == "paid") ++held;
    if (!winners.insert(claim.at("customer").get<std::uint64_t>()).second)
      ++oversold_, ok = failed("customer " + claim.at("customer").dump() + " holds two claims: " + claim.dump());
  }
  for (const auto& [id, customer] : ledger_.claims) {
    if (id > claims->size()) {
      ok = failed("acknowledged claim " + std::to_string(id) + " of customer " + std::to_string(customer) + " is missing");
    } else if ((*claims)[id - 1].at("customer").get<std::uint64_t>() != customer) {
      ok = failed("acknowledged claim " + std::to_string(id) + " now belongs to another customer: " + (*claims)[id - 1].dump());
    }
  }
  auto sale = get_one("/api/v1/flash-sales/" + std::to_string(sale_), "");
  if (!sale) return false;
  const long units = sale->body.value("units", -1L), taken = sale->body.value("reserved", 0L) + sale->body.value("sold", 0L);
  if (taken > units) ++oversold_, ok = failed("the sale is oversold: " + sale->body.dump());
  if (taken != held)
    ok = failed("the sale counts " + std::to_string(taken) + " units taken but " + std::to_string(held) +
                " claims hold one: " + sale->body.dump());
  return ok;
}

bool CrashRun::verify_orders() {
  auto orders = probe("orders");
  if (!orders) return false;
  bool ok = true;
  std::map<std::uint64_t, std::uint64_t> holder;  // car -> live order
  for (const json& order : *orders) {
    const std::string state = order.at("state").get<std::string>();
    if (state != "awaiting_payment" && state != "paid") continue;
    const auto car = order.at("car").get<std::uint64_t>(), id = order.at("id").get<std::uint64_t>();
    if (auto [at, fresh] = holder.emplace(car, id); !fresh)
      ++doubly_held_, ok = failed("car " + std::to_string(car) + " is held by live orders " + std::to_string(at->second) +
                                  " and " + std::to_string(id));
  }
  for (const auto& [id, expected] : ledger_.orders) {
    if (id > orders->size()) {
      ok = failed("acknowledged order " + std::to_string(id) + " for car " + std::to_string(expected.car) + " is missing");
      continue;
    }
    const json& order = (*orders)[id - 1];
    if (order.at("car").get<std::uint64_t>() != expected.car || order.at("customer").get<std::uint64_t>() != expected.customer)
      ok = failed("acknowledged order " + std::to_string(id) + " changed: " + order.dump());
    if (expected.cancelled && order.at("state") != "cancelled")
      ok = failed("the acknowledged cancel of order " + std::to_string(id) + " is lost: " + order.dump());
  }
  return ok;
}

bool CrashRun::verify(long cycle) {
  const bool customers = verify_customers(), claims = verify_claims(), orders = verify_orders();
  if (customers && claims && orders)
    progress("after cycle " + std::to_string(cycle) + ": restart verified " + std::to_string(ledger_.customers.size()) +
             " customers, " + std::to_string(ledger_.claims.size()) + " claims, " + std::to_string(ledger_.orders.size()) +
             " orders (" + std::to_string(ledger_.cancels) + " cancelled)");
  return customers && claims && orders;
}

int CrashRun::run() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = (std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / "tower-crash-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return failed(std::string("mkdtemp: ") + std::strerror(errno)), 1;
  dir_ = pattern;
  staff_token_ = random_token(48);
  progress("seed " + std::to_string(options_.seed) + "; data in " + dir_.string());
  try {
    write_file(dir_ / "staff-tokens", "crash " + staff_token_ + "\n");
    bool ok = start_server() && create_sale();
    for (long cycle = 1; ok && cycle <= options_.cycles; ++cycle)
      ok = load(cycle) && failures_.empty() && start_server() && verify(cycle);
    if (server_ && server_->running()) {
      if (auto exit = server_->stop(std::chrono::seconds(30))) failed("the server " + *exit + " on SIGTERM");
    }
  } catch (const std::exception& error) {  // an answer of an unexpected shape
    failed(error.what());
  }
  if (failures_.empty()) {
    std::printf("%ld cycles: %zu acknowledged changes, all present exactly once; %zu oversold; %zu cars in two places; "
                "store replayed cleanly every time\n", options_.cycles, ledger_.changes(), oversold_, doubly_held_);
    std::filesystem::remove_all(dir_);
    return 0;
  }
  std::printf("FAILED after %zu acknowledged changes: %s\n(kept %s: config, store and one log per server start)\n",
              ledger_.changes(), failures_.front().substr(0, failures_.front().find('\n')).c_str(), dir_.c_str());
  return 1;
}

}  // namespace
}  // namespace tower::load

int main(int argc, char** argv) {
  using namespace tower::load;
  try {
    return CrashRun(parse_options(argc, argv)).run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tower_crash_test: %s\n", error.what());
    return 1;
  }
}
