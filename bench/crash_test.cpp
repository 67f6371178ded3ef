// Crash-safety test of the real gateway: drives a mixed load (registrations, flash-sale claims, orders and their down
// payments, cancels, test-drive bookings, pickups at the kiosk, handovers in the bay, returns) at `tower serve` with a
// fast simulated machine, SIGKILLs it at a random moment, in every third cycle leaves a torn final write in the
// store's write-ahead log, restarts it on the same data directory and checks through the API that every acknowledged
// change survived exactly once, no unit was sold beyond stock, no car is in two places and no used pickup code works.
// Progress goes to stderr, the summary with the counts to stdout. Exit 0 only when every check held in every cycle.
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "crash_run.hpp"

namespace tower::load::crash {
namespace {

constexpr const char* usage_text =
    "usage: tower_crash_test --tower PATH [--cycles N] [--seed N]\n"
    "\n"
    "Crash-safety test of 'tower serve'. Each cycle starts the server on one data directory kept across cycles, its\n"
    "simulated machine 1000 times faster than real time, and drives a mixed load over 16 keep-alive connections:\n"
    "registrations, flash-sale claims, orders and their down payments, cancels, test-drive bookings, and for booked\n"
    "test drives and paid orders the pickup at the kiosk, the handover once the car is in the bay and the return of\n"
    "the test drive. It SIGKILLs the server 50-400 ms into the load, in every third cycle appends a torn final write\n"
    "to the store's write-ahead log, restarts the server and checks through the API that every acknowledged (2xx)\n"
    "change is there exactly once, the sale is not oversold, no car is in two places (slots, bays, live orders and\n"
    "test drives) and no used pickup code works again. The summary counts the cycles, the torn writes and the\n"
    "acknowledged changes by kind.\n"
    "\n"
    "options:\n"
    "  --tower PATH   the tower executable (required)\n"
    "  --cycles N     kill-and-restart cycles (default 50)\n"
    "  --seed N       seed of the load mix, the kill moments and the torn writes (default: random, printed)\n"
    "  --help         print this help\n"
    "\n"
    "exit status: 0 every check held; 1 a check failed (the reason is on stderr); 2 usage error\n";


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

}  // namespace

bool CrashRun::start_server() {
  const unsigned short port = free_port();
  host_ = "127.0.0.1:" + std::to_string(port);
  endpoint_ = tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
  const json limit = {{"per_second", 1'000'000}, {"burst", 1'000'000}};
  // A used code is shown again after every restart; a lock after a few refusals would hide whether it still works.
  const json config = {{"port", port}, {"address", "127.0.0.1"}, {"data_dir", (dir_ / "data").string()},
                       {"staff_tokens_file", (dir_ / "staff-tokens").string()}, {"initial_stock", initial_stock},
                       {"machine_speed", machine_speed}, {"pickup_failures_to_lock", 100},
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

Job CrashRun::customer_job(Kind kind, std::size_t customer, const std::string& start_line, const json& body) {
  Job job;
  job.kind = kind;
  job.customer = customer;
  job.text = request_text(start_line, host_, ledger_.customers[customer].token, body.dump());
  return job;
}

// The next job: a waiting follow-up now and then, else the mix.
const std::string& CrashRun::next_request(std::deque<Job>& jobs, std::vector<std::uint64_t>& cars) {
  if (!follow_ups_.empty() && chance(follow_up_share)) {
    jobs.push_back(std::move(follow_ups_.front()));
    follow_ups_.pop_front();
  } else {
    jobs.push_back(new_job(cars));
  }
  if (jobs.back().kind == Kind::trial) ++trials_in_flight_;
  return jobs.back().text;
}

// The mix: mostly registrations and claims, some orders and test drives on available cars, a few cancels.
Job CrashRun::new_job(std::vector<std::uint64_t>& cars) {
  const double roll = std::uniform_real_distribution<double>(0, 1)(random_);
  const std::size_t customers = ledger_.customers.size();
  auto any_customer = [&] { return std::uniform_int_distribution<std::size_t>(0, customers - 1)(random_); };
  if (customers > 0 && roll >= 0.4 && roll < 0.72)
    return customer_job(Kind::claim, any_customer(), "POST /api/v1/flash-sales/" + std::to_string(sale_) + "/claims",
                        json::object());
  if (customers > 0 && roll >= 0.72 && roll < 0.84 && !cars.empty()) {
    const std::size_t customer = any_customer();
    const std::uint64_t car = pick_one(cars);
    Job job = customer_job(Kind::order, customer, "POST /api/v1/orders", {{"car", car}});
    job.car = car;
    return job;
  }
  if (customers > 0 && roll >= 0.84 && roll < 0.9 && !cars.empty() && awaiting_pickup_ + trials_in_flight_ < open_trials) {
    const std::size_t customer = any_customer();
    if (!ledger_.customers[customer].trial_sent) {
      ledger_.customers[customer].trial_sent = true;
      const std::uint64_t car = pick_one(cars);
      Job job = customer_job(Kind::trial, customer, "POST /api/v1/trials", {{"car", car}});
      job.car = car;
      return job;
    }
  }
  if (roll >= 0.9) {
    std::vector<std::uint64_t> live;  // a picked-up car is no longer in its slot, so its order cannot be cancelled
    for (const auto& [id, order] : ledger_.orders)
      if (!order.cancelled && !order.picked_up) live.push_back(id);
    if (!live.empty()) {
      const std::uint64_t id = pick_one(live);
      Ledger::Order& order = ledger_.orders.at(id);
      order.cancel_sent = true;
      Job job = customer_job(Kind::cancel, order.customer_index, "POST /api/v1/orders/" + std::to_string(id) + "/cancel",
                             json::object());
      job.order = id;
      return job;
    }
  }
  const json body = {{"name", "Crash Test"}, {"identity_document", "CRASH" + std::to_string(++next_document_)},
                     {"selfie_template", "selfie-" + std::to_string(next_document_)}};
  Job job;
  job.text = request_text("POST /api/v1/customers", host_, "", body.dump());
  return job;
}

// A 2xx answer is an acknowledged change: remember it, and check it names what was asked.
void CrashRun::record(const Job& job, const Answer& answer, std::vector<std::uint64_t>& cars) {
  if (job.kind == Kind::trial) --trials_in_flight_;
  if (job.kind == Kind::poll && answer.status == 200) return follow_car(job, answer);
  if (answer.status < 200 || answer.status > 299) {
    ++refusals_[answer.status];
    if (answer.status >= 500 || answer.status == 400 || answer.status == 401)
      failed("unexpected status " + std::to_string(answer.status) + " under load: " + answer.body.dump());
    const bool cancelled = job.order != 0 && ledger_.orders.at(job.order).cancelled;
    if ((job.kind == Kind::pickup || job.kind == Kind::return_trial) && answer.status == 409 && !cancelled)
      follow_ups_.push_back(job);  // every bay was busy: try again once one is free
    return;
  }
  const json& body = answer.body;
  if (job.kind == Kind::register_customer) {
    ledger_.customers.push_back({id_of(body.at("customer").at("id")), body.at("token").get<std::string>(), false});
  } else if (job.kind == Kind::claim) {
    const auto customer = ledger_.customers[job.customer].id;
    if (id_of(body.at("customer")) != customer) failed("claim answered for another customer: " + body.dump());
    if (!claimed_.insert(customer).second) ++oversold_, failed("customer " + std::to_string(customer) + " won twice: " + body.dump());
    ledger_.claims[id_of(body.at("id"))] = customer;
  } else if (job.kind == Kind::order || job.kind == Kind::payment || job.kind == Kind::cancel) {
    record_purchase(job, body, cars);
  } else {
    record_visit(job, body, cars);
  }
}

// Orders, their down payments and cancels; half the orders are paid at once, the rest wait to be cancelled.
void CrashRun::record_purchase(const Job& job, const json& body, std::vector<std::uint64_t>& cars) {
  if (job.kind == Kind::order) {
    const auto& order = body.at("order");
    if (id_of(order.at("car")) != job.car) failed("order answered for another car: " + body.dump());
    const std::uint64_t id = id_of(order.at("id"));
    Ledger::Order& entry = ledger_.orders[id];
    entry.car = job.car;
    entry.customer = ledger_.customers[job.customer].id;
    entry.customer_index = job.customer;
    entry.pickup_code = body.at("pickup_code").get<std::string>();
    entry.down_payment = order.at("down_payment");
    std::erase(cars, job.car);
    if (chance(0.5)) {
      Job payment = customer_job(Kind::payment, job.customer, "POST /api/v1/orders/" + std::to_string(id) + "/payment",
                                 {{"amount", entry.down_payment}});
      payment.order = id;
      follow_ups_.push_back(std::move(payment));
    }
  } else if (job.kind == Kind::payment) {
    if (body.at("state") != "paid") failed("the payment of order " + std::to_string(job.order) + " answered " + body.dump());
    ledger_.orders.at(job.order).paid = true;
    ++ledger_.payments;
  } else {
    Ledger::Order& order = ledger_.orders.at(job.order);
    order.cancelled = true;
    ++ledger_.cancels;
    cars.push_back(order.car);
  }
}

// Test drives, and the steps of a visit to the tower for a test drive or a paid order: the pickup at the kiosk, the
// handover in the bay, the return.
void CrashRun::record_visit(const Job& job, const json& body, std::vector<std::uint64_t>& cars) {
  const std::string what = job.order != 0 ? "order " + std::to_string(job.order) : "test drive " + std::to_string(job.trial);
  if (job.kind == Kind::trial) {
    const auto& trial = body.at("trial");
    if (id_of(trial.at("car")) != job.car) failed("test drive answered for another car: " + body.dump());
    Job booked = job;
    booked.trial = id_of(trial.at("id"));
    const std::string code = body.at("pickup_code").get<std::string>();
    ledger_.trials[booked.trial] = {job.car, ledger_.customers[job.customer].id, code, false, false, false};
    follow_ups_.push_back(follow_up(Kind::pickup, booked, code));
    std::erase(cars, job.car);
    ++awaiting_pickup_;
  } else if (job.kind == Kind::pickup) {
    if (!body.at("job").is_null() && id_of(body.at("job").at("car")) != job.car)
      failed("the pickup of " + what + " started a job for another car: " + body.dump());
    if (job.order != 0) ledger_.orders.at(job.order).picked_up = true;
    if (job.trial != 0) {
      ledger_.trials.at(job.trial).picked_up = true;
      if (awaiting_pickup_ > 0) --awaiting_pickup_;
    }
    ++ledger_.pickups;
    follow_ups_.push_back(follow_up(Kind::poll, job));
  } else if (job.kind == Kind::handover) {
    if (body.at("state") != (job.order != 0 ? "delivered" : "out_on_trial"))
      failed("the handover of " + what + " answered " + body.dump());
    if (auto order = ledger_.orders.find(job.order); order != ledger_.orders.end()) order->second.handed_over = true;
    if (auto trial = ledger_.trials.find(job.trial); trial != ledger_.trials.end()) trial->second.handed_over = true;
    ++ledger_.handovers;
    if (job.trial != 0) follow_ups_.push_back(follow_up(Kind::return_trial, job));  // a short drive
  } else {
    if (body.at("state") != "returned") failed("the return of " + what + " answered " + body.dump());
    ledger_.trials.at(job.trial).returned = true;
    ++ledger_.returns;
  }
}

// The next step for the car of `of` (its order or test drive): the pickup at the kiosk, a look at where the car is,
// the handover in the bay, or the return of the test drive.
Job CrashRun::follow_up(Kind kind, const Job& of, const std::string& pickup_code) {
  Job job;
  job.kind = kind;
  job.car = of.car;
  job.order = of.order;
  job.trial = of.trial;
  if (kind == Kind::pickup) job.text = pickup_text(pickup_code);
  if (kind == Kind::poll) job.text = request_text("GET /api/v1/cars/" + std::to_string(of.car), host_, "", "");
  if (kind == Kind::handover) job.text = request_text("POST /api/v1/handovers", host_, staff_token_, json{{"car", of.car}}.dump());
  if (kind == Kind::return_trial)
    job.text = request_text("POST /api/v1/trials/" + std::to_string(of.trial) + "/return", host_, staff_token_, "{}");
  return job;
}

std::string CrashRun::pickup_text(const std::string& code) const {
  return request_text("POST /api/v1/pickups", host_, staff_token_,
                      json{{"pickup_code", code}, {"face_match_permille", face_match_permille}}.dump());
}

// A picked-up car on its way down: look again while it moves, hand it over once it waits in the bay.
void CrashRun::follow_car(const Job& job, const Answer& answer) {
  const std::string state = answer.body.at("state");
  const json& hold = answer.body.at("hold");
  if (state == "moving") follow_ups_.push_back(job);
  else if (state == "in_bay" && id_of(hold.at("order")) == job.order && id_of(hold.at("trial")) == job.trial)
    follow_ups_.push_back(follow_up(Kind::handover, job));
}

// The next cycle's follow-ups, from what the restarted server says: hand over the cars waiting in a bay (or on their
// way down, once there), take back the test drives that are out, and pick up as many cars still in their slots as there are bays, at most one of them
// for an order while half the stock is left (a delivered car is gone for good).
void CrashRun::plan(const World& world) {
  follow_ups_.clear();
  std::size_t delivered = 0;
  for (const auto& [id, car] : world.cars) {
    delivered += car.at("state") == "delivered";
    const std::uint64_t order = id_of(car.at("hold").at("order")), trial = id_of(car.at("hold").at("trial"));
    if (order == 0 && trial == 0) continue;  // a returned car goes home on its own
    Job waiting;
    waiting.car = id;
    waiting.order = order;
    waiting.trial = trial;
    if (car.at("state") == "in_bay") follow_ups_.push_back(follow_up(Kind::handover, waiting));
    if (car.at("state") == "moving" && car.at("to_bay") == true) follow_ups_.push_back(follow_up(Kind::poll, waiting));
  }
  std::vector<Job> pickups, order_pickups;
  auto pickup = [&](std::uint64_t car, std::uint64_t order, std::uint64_t trial, const std::string& code) {
    Job waiting;
    waiting.car = car;
    waiting.order = order;
    waiting.trial = trial;
    (order != 0 ? order_pickups : pickups).push_back(follow_up(Kind::pickup, waiting, code));
  };
  for (const auto& [id, trial] : ledger_.trials) {
    const std::string state = world.trials.at(id - 1).at("state"), car_state = world.cars.at(trial.car).at("state");
    if (state == "out") {
      Job out;
      out.car = trial.car;
      out.trial = id;
      follow_ups_.push_back(follow_up(Kind::return_trial, out));
    } else if (state == "booked" && car_state == "in_slot") {
      pickup(trial.car, 0, id, trial.pickup_code);
    }
  }
  for (const auto& [id, order] : ledger_.orders)
    if (world.orders.at(id - 1).at("state") == "paid" && world.cars.at(order.car).at("state") == "sold")
      pickup(order.car, id, 0, order.pickup_code);
  awaiting_pickup_ = pickups.size();  // test drives only, so far
  std::shuffle(pickups.begin(), pickups.end(), random_);
  std::shuffle(order_pickups.begin(), order_pickups.end(), random_);
  if (!order_pickups.empty() && delivered < initial_stock / 2) pickups.insert(pickups.begin(), order_pickups.front());
  pickups.resize(std::min(pickups.size(), world.bays.size()));
  std::move(pickups.begin(), pickups.end(), std::back_inserter(follow_ups_));
}

// One cycle's load, cut short by SIGKILL after a random delay.
bool CrashRun::load(long cycle) {
  auto listed = get_one("/api/v1/cars?limit=1000", "");
  if (!listed) return false;
  std::vector<std::uint64_t> cars;
  for (const auto& car : listed->body.at("cars")) cars.push_back(id_of(car.at("id")));
  const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 400)(crashes_));
  const std::size_t before = ledger_.changes(), planned = follow_ups_.size();
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
  trials_in_flight_ = 0;
  const PhaseRun run = pool.run(std::move(phase), server_->pid());
  std::string refused;
  for (const auto& [status, count] : refusals_) refused += ", " + std::to_string(count) + " x " + std::to_string(status);
  if (crashed_on_its_own)
    return failed("the server exited before the kill: " + server_->outcome().value_or("status 0") + "\n" +
                  server_->log_tail(20));
  progress("cycle " + std::to_string(cycle) + "/" + std::to_string(options_.cycles) + ": SIGKILL after " +
           std::to_string(delay.count()) + " ms; " + std::to_string(ledger_.changes() - before) + " acknowledged, " +
           std::to_string(planned) + " follow-ups planned, " + std::to_string(run.errors) + " connections cut (" +
           std::to_string(jobs.size() - run.answered) + " requests unanswered" + refused + ")");
  return true;
}

// A write the crash cut short: the start of one more frame after the end of the write-ahead log, its header naming a
// page and carrying the log's salts as the next commit would, then garbage where the checksums and the page go. It is
// shorter than a whole frame, so replay must drop it. Nothing already in the file is touched: those bytes hold
// fsynced, acknowledged commits.
bool CrashRun::tear_wal(long cycle) {
  const std::filesystem::path wal = dir_ / "data" / "tower.db-wal";
  std::error_code ec;
  const auto size = std::filesystem::file_size(wal, ec);
  if (ec) {
    progress("cycle " + std::to_string(cycle) + ": no write-ahead log to tear (" + ec.message() + ")");
    return true;
  }
  unsigned char header[32] = {};  // magic, version, page size, checkpoint, salt-1, salt-2, checksum (big-endian)
  std::ifstream(wal, std::ios::binary).read(reinterpret_cast<char*>(header), sizeof header);
  std::uint32_t page_size = std::uint32_t{header[8]} << 24 | std::uint32_t{header[9]} << 16 |
                            std::uint32_t{header[10]} << 8 | header[11];
  if (page_size == 1) page_size = 65536;
  if (size < sizeof header || page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) page_size = 4096;
  // The frame header: page number, database size in pages after the commit, salt-1, salt-2, checksum-1, checksum-2.
  const auto database_bytes = std::filesystem::file_size(dir_ / "data" / "tower.db", ec);
  const auto pages = static_cast<std::uint32_t>(std::max<std::uintmax_t>(1, ec ? 1 : database_bytes / page_size));
  std::string frame;
  for (const std::uint32_t word : {static_cast<std::uint32_t>(1 + crashes_() % pages), pages})
    for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>((word >> shift) & 0xff);
  frame.append(reinterpret_cast<const char*>(header) + 16, 8);
  while (frame.size() < page_size + 24) frame += static_cast<char>(std::uniform_int_distribution<int>(0, 255)(crashes_));
  frame.resize(std::uniform_int_distribution<std::size_t>(1, page_size + 23)(crashes_));
  std::ofstream out(wal, std::ios::binary | std::ios::app);
  out.write(frame.data(), static_cast<std::streamsize>(frame.size()));
  out.close();
  if (!out) return failed("cannot append to " + wal.string());
  ++torn_writes_;
  progress("cycle " + std::to_string(cycle) + ": tore the final write: " + std::to_string(frame.size()) +
           " bytes of a frame appended to the " + std::to_string(size) + "-byte write-ahead log (page size " +
           std::to_string(page_size) + ")");
  return true;
}

int CrashRun::run() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = (std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / "tower-crash-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return failed(std::string("mkdtemp: ") + std::strerror(errno)), 1;
  dir_ = pattern;
  staff_token_ = random_token(48);
  torn_phase_ = std::uniform_int_distribution<long>(0, torn_every - 1)(crashes_);
  progress("seed " + std::to_string(options_.seed) + "; data in " + dir_.string());
  try {
    write_file(dir_ / "staff-tokens", "crash " + staff_token_ + "\n");
    bool ok = start_server() && create_sale();
    for (long cycle = 1; ok && cycle <= options_.cycles; ++cycle)
      ok = load(cycle) && failures_.empty() && (cycle % torn_every != torn_phase_ || tear_wal(cycle)) && start_server() &&
           verify(cycle);
    if (server_ && server_->running()) {
      if (auto exit = server_->stop(std::chrono::seconds(30))) failed("the server " + *exit + " on SIGTERM");
    }
  } catch (const std::exception& error) {  // an answer of an unexpected shape
    failed(error.what());
  }
  if (failures_.empty()) {
    std::printf("%ld cycles, %zu with a torn final write: %zu acknowledged changes (%s), all present exactly once; "
                "%zu oversold; %zu cars in two places; no used pickup code accepted again; the store replayed cleanly "
                "every time\n", options_.cycles, torn_writes_, ledger_.changes(), ledger_.counts().c_str(), oversold_,
                misplaced_);
    std::filesystem::remove_all(dir_);
    return 0;
  }
  std::printf("FAILED after %zu acknowledged changes (%s) and %zu torn final writes: %s\n(kept %s: config, store and one "
              "log per server start)\n", ledger_.changes(), ledger_.counts().c_str(), torn_writes_,
              failures_.front().substr(0, failures_.front().find('\n')).c_str(), dir_.c_str());
  return 1;
}

}  // namespace tower::load::crash

int main(int argc, char** argv) {
  using namespace tower::load::crash;
  try {
    return CrashRun(parse_options(argc, argv)).run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tower_crash_test: %s\n", error.what());
    return 1;
  }
}
