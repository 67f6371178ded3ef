// Flash-sale load test of the real gateway on loopback (DESIGN.md section 4): starts `tower serve` pinned to one
// core, measures bare keep-alive GET /healthz, registers customers, opens a sale of K units and lets every
// customer claim once. Prints durable claims/s against the bare rate and checks exactly K winners, none twice.
// Progress goes to stderr, figures to stdout. Exit 0 only when the run was correct and the server exited 0.
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
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

constexpr const char* usage_text =
    "usage: tower_load_bench [--tower PATH] [--connections C] [--customers N] [--units K] [--seconds S]\n"
    "                        [--server-cpu N] [--client-cpu N] [--work-dir DIR] [--json] [--keep]\n"
    "\n"
    "Flash-sale load test of the real gateway on loopback. Starts 'tower serve' on a free port with a fresh data\n"
    "directory, then: (1) C keep-alive connections hammer GET /healthz for S seconds (the bare rate);\n"
    "(2) N customers register; (3) staff open a flash sale of K units; (4) every customer claims once, all at\n"
    "once over the C connections. Reports requests/s and p50/p99/max latencies (send to full response), the\n"
    "ratio of claims/s to the bare rate, and per phase the server's CPU use (share of one core, time its\n"
    "threads were runnable but waited for a CPU, CPU µs per answer) and this client's, from /proc schedstat.\n"
    "\n"
    "options:\n"
    "  --tower PATH      the tower executable (default: ../native/tower next to this program)\n"
    "  --connections C   keep-alive client connections (default 64)\n"
    "  --customers N     customers registered, each claiming once (default 20000)\n"
    "  --units K         units in the sale, at most N (default 10000)\n"
    "  --seconds S       duration of the bare GET /healthz phase in seconds (default 5)\n"
    "  --server-cpu N    the CPU the server is pinned to, -1 for none (default 0)\n"
    "  --client-cpu N    the CPU this client's single I/O thread is pinned to, -1 for none (default 1)\n"
    "  --work-dir DIR    where the temporary data directory is made (default $TMPDIR or /tmp); its file\n"
    "                    system decides what a durable commit (fsync) costs\n"
    "  --json            print the figures as one JSON object instead of the table\n"
    "  --keep            keep the temporary directory (config, store, server log) and print its path\n"
    "  --help            print this help\n"
    "\n"
    "exit status: 0 exactly K winners, no customer won twice, no other status, no connection error and the\n"
    "server exited 0; 1 the run failed (the reason is on stderr); 2 usage error\n";

struct Options {
  std::string tower;
  int connections = 64;
  int customers = 20'000;
  int units = 10'000;
  double seconds = 5;
  int server_cpu = 0;
  int client_cpu = 1;
  std::string work_dir;
  bool json = false;
  bool keep = false;
};

void progress(const std::string& line) { std::fprintf(stderr, "tower_load_bench: %s\n", line.c_str()); }

[[noreturn]] void usage_error(const std::string& reason) {
  std::fprintf(stderr, "tower_load_bench: %s (try --help)\n", reason.c_str());
  std::exit(2);
}

long whole_number(const std::string& name, const char* text, long min, long max) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
    usage_error(name + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  options.tower = (self.parent_path().parent_path() / "native" / "tower").string();
  const char* tmp = std::getenv("TMPDIR");
  options.work_dir = tmp && *tmp ? tmp : "/tmp";
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (name == "--help") {
      std::fputs(usage_text, stdout);
      std::exit(0);
    }
    if (name == "--json" || name == "--keep") {
      (name == "--json" ? options.json : options.keep) = true;
      continue;
    }
    static const std::set<std::string> valued = {"--tower", "--work-dir", "--connections", "--customers", "--units",
                                                 "--seconds", "--server-cpu", "--client-cpu"};
    if (!valued.count(name)) usage_error(name.rfind("--", 0) == 0 ? "unknown option '" + name + "'" : "unexpected argument '" + name + "'");
    if (i + 1 >= argc) usage_error(name + " needs a value");
    const char* value = argv[++i];
    if (name == "--tower") options.tower = value;
    else if (name == "--work-dir") options.work_dir = value;
    else if (name == "--connections") options.connections = static_cast<int>(whole_number(name, value, 1, 10'000));
    else if (name == "--customers") options.customers = static_cast<int>(whole_number(name, value, 1, 10'000'000));
    else if (name == "--units") options.units = static_cast<int>(whole_number(name, value, 1, 1'000'000));
    else if (name == "--seconds") options.seconds = static_cast<double>(whole_number(name, value, 1, 3600));
    else if (name == "--server-cpu") options.server_cpu = static_cast<int>(whole_number(name, value, -1, CPU_SETSIZE - 1));
    else options.client_cpu = static_cast<int>(whole_number(name, value, -1, CPU_SETSIZE - 1));
  }
  if (options.units > options.customers) usage_error("--units must not exceed --customers (every winner is a customer)");
  if (access(options.tower.c_str(), X_OK) != 0) usage_error("--tower " + options.tower + " is not an executable");
  return options;
}

struct Latency {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

Latency latency_of(std::vector<double> micros) {
  if (micros.empty()) return {};
  std::sort(micros.begin(), micros.end());
  const auto rank = [&](double q) {  // nearest rank
    const auto index = static_cast<std::size_t>(std::ceil(q * static_cast<double>(micros.size())));
    return micros[std::min(micros.size() - 1, index == 0 ? 0 : index - 1)] / 1000;
  };
  return {rank(0.50), rank(0.99), micros.back() / 1000};
}

nlohmann::json to_json(const Latency& latency) {
  return {{"p50_ms", latency.p50_ms}, {"p99_ms", latency.p99_ms}, {"max_ms", latency.max_ms}};
}

std::string grouped(double value) {  // 98000 -> "98,000"
  std::string digits = std::to_string(static_cast<long long>(std::llround(value)));
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

// What a phase measured, as printed and as JSON.
struct Figures {
  std::size_t answers = 0;
  double seconds = 0, per_second = 0;
  Latency latency;
  double server_cpu = 0, client_cpu = 0;  // share of one core over the phase
  double server_waiting = 0;              // the server's threads runnable but off-CPU, in cores (0.5: half a core)
  double server_us_per_answer = 0;        // server CPU per answer [µs]: its cost, even on a busy machine
};

Figures figures_of(const PhaseRun& run, std::vector<double> latencies_us) {
  Figures figures;
  figures.answers = run.answered;
  figures.seconds = run.seconds;
  figures.per_second = run.seconds > 0 ? static_cast<double>(run.answered) / run.seconds : 0;
  figures.latency = latency_of(std::move(latencies_us));
  if (run.seconds > 0) {
    figures.server_cpu = run.server.running_s / run.seconds;
    figures.client_cpu = run.client.running_s / run.seconds;
    figures.server_waiting = run.server.waiting_s / run.seconds;
  }
  if (run.answered > 0) figures.server_us_per_answer = 1e6 * run.server.running_s / static_cast<double>(run.answered);
  return figures;
}

nlohmann::json to_json(const Figures& figures) {
  return {{"answers", figures.answers},         {"seconds", figures.seconds},
          {"per_second", figures.per_second},   {"latency", to_json(figures.latency)},
          {"server_cpu", figures.server_cpu},   {"client_cpu", figures.client_cpu},
          {"server_waiting_for_cpu", figures.server_waiting}, {"server_cpu_us_per_answer", figures.server_us_per_answer}};
}

std::string describe(const char* name, const Figures& figures) {
  char line[400];
  std::snprintf(line, sizeof line,
                "%s: %zu in %.2f s = %s/s  p50 %.2f ms  p99 %.2f ms  max %.2f ms  server CPU %.0f%% (waited for a CPU "
                "%.0f%%, %.1f µs an answer)  client CPU %.0f%%",
                name, figures.answers, figures.seconds, grouped(figures.per_second).c_str(), figures.latency.p50_ms,
                figures.latency.p99_ms, figures.latency.max_ms, 100 * figures.server_cpu, 100 * figures.server_waiting,
                figures.server_us_per_answer, 100 * figures.client_cpu);
  return line;
}

struct ClaimFigures {
  Figures all;
  Latency winning;
  double wins_per_second = 0;
  std::size_t winners = 0, sold_out = 0, duplicates = 0, wrong_customer = 0, other = 0;
  std::string other_example;
};

std::string error_code_of(const nlohmann::json& answer) {  // {"error": {"code": ...}}, or ""
  if (!answer.is_object() || !answer.contains("error") || !answer["error"].is_object()) return "";
  return answer["error"].value("code", "");
}

// One run: the server, the connections and the figures, step by step. A failed step records why and ends it.
class LoadRun {
 public:
  explicit LoadRun(Options options) : options_(std::move(options)) {}
  int run();

 private:
  bool start_server();
  bool wait_healthy();
  bool bare_phase();
  bool register_customers();
  bool open_sale();
  bool claim_phase();
  void tally_claims(const std::vector<int>& statuses, const std::vector<std::string>& bodies);
  bool check_sale();
  void stop_server();
  void scan_server_log();
  void report() const;
  bool failed(const std::string& reason) {
    failures_.push_back(reason);
    progress("FAILED: " + reason);
    return false;
  }
  bool phase_ok(const char* name, const PhaseRun& run, std::size_t expected) {
    if (run.reconnects > 0)
      progress(std::string(name) + ": the server closed " + std::to_string(run.reconnects) + " keep-alive connection(s)");
    if (run.errors > 0)
      return failed(std::string(name) + ": " + std::to_string(run.errors) + " connection error(s), first " + run.first_error);
    if (expected > 0 && run.answered != expected)
      return failed(std::string(name) + ": " + std::to_string(run.answered) + " answers of " + std::to_string(expected));
    return true;
  }

  Options options_;
  std::filesystem::path dir_;
  std::string filesystem_;
  unsigned short port_ = 0;
  std::string host_;
  std::string staff_token_;
  asio::io_context io_{1};  // one thread: no locking inside Asio
  tcp::endpoint endpoint_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Pool> pool_;
  std::vector<std::string> tokens_;
  std::vector<std::uint64_t> customer_ids_;
  std::uint64_t sale_ = 0;
  Figures bare_, registrations_;
  ClaimFigures claims_;
  std::optional<std::string> server_exit_;  // why the server did not exit 0
  bool server_reported_ = false;            // its early death is already among the failures
  std::vector<std::string> server_complaints_;
  std::vector<std::string> failures_;
};

bool LoadRun::start_server() {
  std::string pattern = (std::filesystem::path(options_.work_dir) / "tower-load-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return failed("cannot make a directory in " + options_.work_dir + ": " + std::strerror(errno));
  dir_ = pattern;
  filesystem_ = file_system_of(dir_.string());
  port_ = free_port();
  host_ = "127.0.0.1:" + std::to_string(port_);
  endpoint_ = tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_);
  staff_token_ = random_token(48);
  write_file(dir_ / "staff-tokens", "bench " + staff_token_ + "\n");
  const nlohmann::json limit = {{"per_second", 1'000'000}, {"burst", 1'000'000}};
  const nlohmann::json config = {{"port", port_}, {"address", "127.0.0.1"}, {"data_dir", (dir_ / "data").string()},
                                 {"staff_tokens_file", (dir_ / "staff-tokens").string()}, {"initial_stock", 0},
                                 {"io_threads", 1}, {"snapshot_every", 100'000'000},
                                 {"rate_limits", {{"per_customer", limit}, {"per_address", limit}}},
                                 {"credit_provider", {{"min_score", 760}, {"max_score", 800}}},
                                 {"max_connections", 100'000}};
  write_file(dir_ / "config.json", config.dump(2) + "\n");
  progress("data in " + dir_.string() + " (" + filesystem_ + "); starting " + options_.tower + " serve on " + host_ +
           (options_.server_cpu >= 0 ? ", pinned to CPU " + std::to_string(options_.server_cpu) : ", unpinned"));
  server_ = std::make_unique<ServerProcess>(options_.tower, (dir_ / "config.json").string(),
                                            (dir_ / "server.log").string(), options_.server_cpu);
  if (!server_->started()) return failed(std::string("fork: ") + std::strerror(errno));
  return wait_healthy();
}

bool LoadRun::wait_healthy() {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  const std::string request = request_text("GET /healthz", host_, "", "");
  std::string error = "no answer";
  while (Clock::now() < deadline) {
    if (!server_->running()) {
      server_reported_ = true;
      return failed("the server " + server_->outcome().value_or("exited with status 0") +
                    " before it was healthy; its log ends:\n" + server_->log_tail(20));
    }
    auto response = fetch(io_, endpoint_, request, std::chrono::milliseconds(1000), error);
    if (response && response->result_int() == 200) return true;
    if (response) error = "status " + std::to_string(response->result_int());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return failed("GET /healthz did not answer 200 within 20 s (" + error + "); the server's log ends:\n" +
                server_->log_tail(20));
}

bool LoadRun::bare_phase() {
  progress("bare: " + std::to_string(options_.connections) + " keep-alive connections on GET /healthz for " +
           std::to_string(static_cast<int>(options_.seconds)) + " s");
  const std::string request = request_text("GET /healthz", host_, "", "");
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  std::size_t not_ok = 0;
  Phase phase;
  phase.count = std::numeric_limits<std::size_t>::max();
  phase.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.seconds));
  phase.request = [&](std::size_t) -> const std::string& { return request; };
  phase.answer = [&](std::size_t, Response& response, Clock::time_point, double latency_us) {
    latencies.push_back(latency_us);
    if (response.result_int() != 200) ++not_ok;
  };
  const PhaseRun run = pool_->run(std::move(phase), server_->pid());
  bare_ = figures_of(run, std::move(latencies));
  progress(describe("bare", bare_));
  if (!phase_ok("bare", run, 0)) return false;
  if (not_ok > 0) return failed("bare: " + std::to_string(not_ok) + " answers to GET /healthz were not 200");
  return true;
}

bool LoadRun::register_customers() {
  const auto count = static_cast<std::size_t>(options_.customers);
  progress("registering " + std::to_string(count) + " customers");
  std::vector<std::string> requests(count), bodies(count);
  std::vector<int> statuses(count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    char document[32];
    std::snprintf(document, sizeof document, "BENCH%07zu", i);
    const nlohmann::json body = {{"name", "Bench " + std::to_string(i)}, {"identity_document", document}, {"selfie_template", "t"}};
    requests[i] = request_text("POST /api/v1/customers", host_, "", body.dump());
  }
  std::vector<double> latencies;
  latencies.reserve(count);
  Phase phase;
  phase.count = count;
  phase.request = [&](std::size_t job) -> const std::string& { return requests[job]; };
  phase.answer = [&](std::size_t job, Response& response, Clock::time_point, double latency_us) {
    latencies.push_back(latency_us);
    statuses[job] = response.result_int();
    bodies[job] = std::move(response.body());
  };
  const PhaseRun run = pool_->run(std::move(phase), server_->pid());
  registrations_ = figures_of(run, std::move(latencies));
  progress(describe("registrations", registrations_));
  if (!phase_ok("registrations", run, count)) return false;
  for (std::size_t i = 0; i < count; ++i) {
    const auto json = nlohmann::json::parse(bodies[i], nullptr, false);
    if (statuses[i] != 201 || !json.is_object() || !json.contains("token") || !json.contains("customer"))
      return failed("registration " + std::to_string(i) + " answered " + std::to_string(statuses[i]) + ": " + bodies[i]);
    tokens_.push_back(json["token"].get<std::string>());
    customer_ids_.push_back(json["customer"]["id"].get<std::uint64_t>());
  }
  return true;
}

bool LoadRun::open_sale() {
  const nlohmann::json body = {{"make", "BYD"}, {"model", "Seal"}, {"colour", "blue"}, {"units", options_.units}, {"price", "180000"}};
  std::string error;
  auto response = fetch(io_, endpoint_, request_text("POST /api/v1/flash-sales", host_, staff_token_, body.dump()),
                        std::chrono::milliseconds(10'000), error);
  if (!response) return failed("POST /api/v1/flash-sales: " + error);
  const auto json = nlohmann::json::parse(response->body(), nullptr, false);
  if (response->result_int() != 201 || !json.is_object() || !json.contains("id"))
    return failed("POST /api/v1/flash-sales answered " + std::to_string(response->result_int()) + ": " + response->body());
  sale_ = json["id"].get<std::uint64_t>();
  progress("flash sale " + std::to_string(sale_) + " open with " + std::to_string(options_.units) + " units");
  return true;
}

bool LoadRun::claim_phase() {
  const std::size_t count = tokens_.size();
  progress("claims: " + std::to_string(count) + " customers claim once each over " + std::to_string(options_.connections) +
           " connections");
  const std::string start_line = "POST /api/v1/flash-sales/" + std::to_string(sale_) + "/claims";
  std::vector<std::string> requests(count), bodies(count);
  for (std::size_t i = 0; i < count; ++i) requests[i] = request_text(start_line, host_, tokens_[i], "{}");
  std::vector<int> statuses(count, 0);
  std::vector<double> latencies, winning;
  latencies.reserve(count);
  Clock::time_point last_win{};
  Phase phase;
  phase.count = count;
  phase.request = [&](std::size_t job) -> const std::string& { return requests[job]; };
  phase.answer = [&](std::size_t job, Response& response, Clock::time_point answered, double latency_us) {
    latencies.push_back(latency_us);
    statuses[job] = response.result_int();
    bodies[job] = std::move(response.body());
    if (statuses[job] == 201) {
      winning.push_back(latency_us);
      last_win = answered;
    }
  };
  const PhaseRun run = pool_->run(std::move(phase), server_->pid());
  claims_.all = figures_of(run, std::move(latencies));
  claims_.winning = latency_of(winning);
  const double win_seconds = std::chrono::duration<double>(last_win - pool_->first_send()).count();
  claims_.wins_per_second = win_seconds > 0 ? static_cast<double>(winning.size()) / win_seconds : 0;
  progress(describe("claims", claims_.all));
  if (!phase_ok("claims", run, count)) return false;
  tally_claims(statuses, bodies);
  return true;
}

// Exactly K winners, each a different customer who is the one who claimed, and every loser told "sold_out".
void LoadRun::tally_claims(const std::vector<int>& statuses, const std::vector<std::string>& bodies) {
  std::set<std::uint64_t> winners, claim_ids;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const auto json = nlohmann::json::parse(bodies[i], nullptr, false);
    if (statuses[i] == 201 && json.is_object() && json.contains("customer") && json.contains("id")) {
      ++claims_.winners;
      const auto customer = json["customer"].get<std::uint64_t>();
      if (!winners.insert(customer).second || !claim_ids.insert(json["id"].get<std::uint64_t>()).second)
        ++claims_.duplicates;
      if (customer != customer_ids_[i]) ++claims_.wrong_customer;
    } else if (statuses[i] == 409 && error_code_of(json) == "sold_out") {
      ++claims_.sold_out;
    } else if (claims_.other++ == 0) {
      claims_.other_example = std::to_string(statuses[i]) + " " + bodies[i];
    }
  }
  const auto units = static_cast<std::size_t>(options_.units);
  if (claims_.winners != units)
    failed(std::to_string(claims_.winners) + " winners, not exactly K=" + std::to_string(units));
  if (claims_.duplicates > 0) failed(std::to_string(claims_.duplicates) + " duplicate winners");
  if (claims_.wrong_customer > 0) failed(std::to_string(claims_.wrong_customer) + " wins credited to another customer");
  if (claims_.other > 0)
    failed(std::to_string(claims_.other) + " claims answered neither 201 nor 409 sold_out, e.g. " + claims_.other_example);
}

// The server's own account must agree: K units reserved, none left.
bool LoadRun::check_sale() {
  std::string error;
  auto response = fetch(io_, endpoint_, request_text("GET /api/v1/flash-sales/" + std::to_string(sale_), host_, "", ""),
                        std::chrono::milliseconds(10'000), error);
  if (!response) return failed("GET the sale after the claims: " + error);
  const auto json = nlohmann::json::parse(response->body(), nullptr, false);
  if (response->result_int() != 200 || !json.is_object() || json.value("reserved", -1) != options_.units ||
      json.value("available", -1) != 0)
    return failed("the sale after the claims is " + std::to_string(response->result_int()) + " " + response->body() +
                  "; expected reserved " + std::to_string(options_.units) + ", available 0");
  return true;
}

void LoadRun::stop_server() {
  pool_.reset();  // our connections close first, so shutdown does not wait on them
  progress("stopping the server (SIGTERM)");
  server_exit_ = server_->stop(std::chrono::seconds(30));
  if (server_exit_ && !server_reported_) failed("the server " + *server_exit_ + "; its log ends:\n" + server_->log_tail(20));
  scan_server_log();
}

// Error and warning lines in the server's log are worth a look even when the run passed.
void LoadRun::scan_server_log() {
  std::ifstream file(dir_ / "server.log");
  for (std::string line; std::getline(file, line);)
    if (line.find("\"level\":\"error\"") != std::string::npos || line.find("\"level\":\"warn") != std::string::npos)
      server_complaints_.push_back(line);
  for (std::size_t i = 0; i < std::min<std::size_t>(server_complaints_.size(), 10); ++i)
    progress("server log: " + server_complaints_[i]);
  if (server_complaints_.size() > 10) progress("server log: ... " + std::to_string(server_complaints_.size() - 10) + " more");
}

void LoadRun::report() const {
  const double ratio = bare_.per_second > 0 ? claims_.all.per_second / bare_.per_second : 0;
  if (options_.json) {
    const nlohmann::json json = {
        {"ok", failures_.empty()}, {"failures", failures_},
        {"parameters", {{"connections", options_.connections}, {"customers", options_.customers}, {"units", options_.units},
                        {"seconds", options_.seconds}, {"server_cpu", options_.server_cpu}, {"client_cpu", options_.client_cpu},
                        {"file_system", filesystem_}}},
        {"bare", to_json(bare_)}, {"registrations", to_json(registrations_)},
        {"claims", {{"all", to_json(claims_.all)}, {"winning", to_json(claims_.winning)},
                    {"wins_per_second", claims_.wins_per_second}, {"winners", claims_.winners},
                    {"sold_out", claims_.sold_out}, {"duplicates", claims_.duplicates},
                    {"wrong_customer", claims_.wrong_customer}, {"other_statuses", claims_.other}}},
        {"ratio_claims_to_bare", ratio},
        {"server", {{"exit", server_exit_.value_or("0")}, {"log_errors_and_warnings", server_complaints_.size()}}}};
    std::printf("%s\n", json.dump(2).c_str());
    return;
  }
  // Only the phases that ran; the failures themselves are on stderr in full.
  if (bare_.answers > 0)
    std::printf("bare keep-alive GET /healthz: %s req/s  p50 %.2f ms  p99 %.2f ms  (server CPU %.0f%%, client CPU %.0f%%)\n",
                grouped(bare_.per_second).c_str(), bare_.latency.p50_ms, bare_.latency.p99_ms, 100 * bare_.server_cpu,
                100 * bare_.client_cpu);
  if (registrations_.answers > 0)
    std::printf("registrations: %s/s  p50 %.2f ms  p99 %.2f ms\n", grouped(registrations_.per_second).c_str(),
                registrations_.latency.p50_ms, registrations_.latency.p99_ms);
  if (claims_.all.answers > 0) {
    std::printf("durable claims: %s/s  p50 %.2f ms  p99 %.2f ms  max %.2f ms  (K=%d: %zu winners, %zu duplicates, %zu other)\n",
                grouped(claims_.all.per_second).c_str(), claims_.all.latency.p50_ms, claims_.all.latency.p99_ms,
                claims_.all.latency.max_ms, options_.units, claims_.winners, claims_.duplicates, claims_.other);
    std::printf("durable wins: %s/s  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", grouped(claims_.wins_per_second).c_str(),
                claims_.winning.p50_ms, claims_.winning.p99_ms, claims_.winning.max_ms);
    std::printf("server CPU during claims: %.0f%% of one core, runnable but waiting for it %.0f%%, %.1f µs a claim "
                "(bare: %.1f µs a request); client CPU %.0f%%  (data on %s)\n", 100 * claims_.all.server_cpu,
                100 * claims_.all.server_waiting, claims_.all.server_us_per_answer, bare_.server_us_per_answer,
                100 * claims_.all.client_cpu, filesystem_.c_str());
    std::printf("ratio claims/bare: %.2f\n", ratio);
  }
  const std::string first = failures_.empty() ? "" : failures_.front().substr(0, failures_.front().find('\n'));
  std::printf("%s\n", failures_.empty() ? "result: ok" : ("result: FAILED (" + first + ")").c_str());
}

int LoadRun::run() {
  if (!pin_to_cpu(0, options_.client_cpu)) progress("warning: cannot pin the client to CPU " + std::to_string(options_.client_cpu));
  try {
    if (start_server()) {
      pool_ = std::make_unique<Pool>(io_, endpoint_, options_.connections);
      std::string error;
      if (!pool_->connect(error)) failed(error);
      else if (bare_phase() && register_customers() && open_sale() && claim_phase()) check_sale();
    }
  } catch (const std::exception& error) {  // an answer of an unexpected shape, a file we could not write
    failed(error.what());
  }
  if (server_) stop_server();
  report();
  if (!dir_.empty()) {
    if (options_.keep) progress("kept " + dir_.string());
    else std::filesystem::remove_all(dir_);
  }
  return failures_.empty() ? 0 : 1;
}

// The CPUs this process may run on, before it pins itself.
void check_cpu(const char* option, int cpu) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (cpu < 0 || sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
  if (!CPU_ISSET(cpu, &allowed))
    usage_error(std::string(option) + " " + std::to_string(cpu) + " is not a CPU this process may use (it has " +
                std::to_string(CPU_COUNT(&allowed)) + ")");
}

}  // namespace
}  // namespace tower::load

int main(int argc, char** argv) {
  using namespace tower::load;
  const Options options = parse_options(argc, argv);
  check_cpu("--server-cpu", options.server_cpu);
  check_cpu("--client-cpu", options.client_cpu);
  if (options.server_cpu >= 0 && options.server_cpu == options.client_cpu)
    progress("warning: the server and the client share CPU " + std::to_string(options.server_cpu));
  try {
    return LoadRun(options).run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tower_load_bench: %s\n", error.what());
    return 1;
  }
}
