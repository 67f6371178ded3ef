// The gateway's lifecycle and its sequencer: replaying the store, committing commands, following events
// with machine jobs and the live feed, and the simulated machine's feedback.
#include "gateway/gateway.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <boost/asio/post.hpp>

#include "gateway/security.hpp"
#include "tower/catalogue.hpp"
#include "tower/codec.hpp"
#include "tower/random.hpp"

namespace tower::gateway {

namespace {

// Fields a public live feed must not carry: personal data and pickup-code digests.
const char* const private_fields[] = {"name", "identity_digest", "selfie_template", "pickup_code", "comment"};

// Only these events change what the machine has to do; the rest (a claim, an order) leave jobs and ETAs alone.
bool moves_the_machine(const Event& event) {
  return std::holds_alternative<RetrievalStarted>(event.body) || std::holds_alternative<StorageStarted>(event.body) ||
         std::holds_alternative<CarArrivedInBay>(event.body) || std::holds_alternative<CarStoredInSlot>(event.body);
}

bool is_private_event(const Event& event) {
  return std::holds_alternative<CustomerRegistered>(event.body) ||
         std::holds_alternative<CreditScoreChanged>(event.body) ||
         std::holds_alternative<MembershipChanged>(event.body) || std::holds_alternative<SurveyRecorded>(event.body);
}

}  // namespace

Gateway::Gateway(GatewayConfig config)
    : config_(std::move(config)),
      sequencer_(boost::asio::make_strand(io_)),
      tower_(std::move(Tower::create(config_.tower).value())),
      jobs_(config_.machine, config_.tower.layout, config_.machine_speed),
      driver_(std::make_unique<SimulatedDriver>(sequencer_, config_.machine_speed, config_.tower.layout)),
      credit_(std::make_unique<SimulatedCreditProvider>(config_.credit)),
      live_(sequencer_, [this] { return live_snapshot(); }),
      tick_timer_(sequencer_),
      per_customer_(config_.per_customer),
      per_address_(config_.per_address) {
  safety_.bays.resize(config_.tower.layout.bays.size());
}

Result<std::unique_ptr<Gateway>> Gateway::start(GatewayConfig config) {
  if (auto valid = validate(config.tower); !valid) return make_error(ErrorCode::invalid_argument, "tower: " + valid.error().message);
  std::unique_ptr<Gateway> gateway(new Gateway(std::move(config)));
  Gateway& g = *gateway;
  std::error_code fs_error;
  std::filesystem::create_directories(g.config_.data_dir, fs_error);
  if (fs_error)
    return make_error(ErrorCode::invalid_argument, "cannot create the data directory " + g.config_.data_dir + ": " + fs_error.message());
  if (auto opened = g.open_store(); !opened) return opened.error();
  if (auto staff = g.load_staff(); !staff) return staff.error();
  g.driver_->set_feedback({[&g](std::uint64_t job, const MachinePose&) { g.on_machine_done(job); },
                           [&g] { g.dispatch_machine(); }});
  g.declare_metrics();
  g.server_ = std::make_unique<HttpServer>(
      g.io_, g.config_.http, [&g](HttpRequest&& request, Respond respond) { g.handle(std::move(request), std::move(respond)); },
      g.live_);
  auto port = g.server_->start();
  if (!port) return port.error();
  g.port_ = *port;
  // Logged before the threads start: from then on the sequencer alone touches the gateway's state.
  log_json("info", "tower gateway listening",
           {{"port", std::to_string(g.port_)}, {"tower", g.config_.tower.layout.name}, {"data", g.config_.data_dir},
            {"records", std::to_string(g.last_sequence_)}, {"staff_tokens", g.staff_tokens_path_}});
  boost::asio::post(g.sequencer_, [&g] {
    if (g.last_sequence_ == 0) g.stock_new_tower();
    g.dispatch_machine();
    g.schedule_tick();
  });
  for (int i = 0; i < g.config_.io_threads; ++i) g.threads_.emplace_back([&g] { g.io_.run(); });
  return gateway;
}

Gateway::~Gateway() { stop(); }

Status Gateway::open_store() {
  const std::string path = (std::filesystem::path(config_.data_dir) / "tower.db").string();
  Recovered recovered;
  auto store = Store::open(path, recovered);
  if (!store) return store.error();
  store_ = std::move(*store);
  auto code_key = store_->secret("pickup_code_key", [] { return random_bytes(32); });
  if (!code_key) return code_key.error();
  code_key_ = *code_key;
  auto identity_key = store_->secret("identity_key", [] { return random_bytes(32); });
  if (!identity_key) return identity_key.error();
  identity_key_ = *identity_key;
  return replay(recovered);
}

Status Gateway::replay(const Recovered& recovered) {
  if (recovered.snapshot) {
    if (auto restored = restore_snapshot(*recovered.snapshot); !restored) return restored.error();
  }
  last_sequence_ = snapshot_sequence_ = recovered.snapshot_sequence;
  for (const auto& stored : recovered.records) {
    fold_record(stored.sequence, stored.record, false);
    last_sequence_ = stored.sequence;
  }
  return ok_status();
}

Status Gateway::load_staff() {
  staff_tokens_path_ = config_.staff_tokens_file.empty()
                           ? (std::filesystem::path(config_.data_dir) / "staff-tokens").string()
                           : config_.staff_tokens_file;
  if (config_.staff_tokens_file.empty() && !std::filesystem::exists(staff_tokens_path_)) {
    // A new tower gets one administrator token, readable only by the operator's account.
    std::ofstream file(staff_tokens_path_);
    file << "# name token: staff bearer tokens of this tower, one per line\nadmin " << new_token() << "\n";
    file.close();
    std::filesystem::permissions(staff_tokens_path_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  auto tokens = load_staff_tokens(staff_tokens_path_);
  if (!tokens) return tokens.error();
  staff_tokens_ = std::move(*tokens);
  return ok_status();
}

void Gateway::stock_new_tower() {
  Random random(config_.stock_seed);
  const int capacity = static_cast<int>(config_.tower.layout.slots.size());
  const Currency currency = config_.tower.currency;
  if (config_.initial_stock > 0 && !catalogue_prices_in(currency))
    log_json("warn", "the new tower starts empty: the sample catalogue has no prices in its currency; stock it through the API",
             {{"currency", currency.str()}});
  for (const CarSpec& spec : sample_stock(std::min(config_.initial_stock, capacity), random, 1, currency))
    commit_internal(StockCar{spec}, "stocking the new tower");
}

SimTime Gateway::now() const {
  const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return std::max(SimTime{wall.count()}, tower_.now());
}

Result<std::vector<Event>> Gateway::commit(const Command& command, std::vector<Record> extra, Store::Durable on_durable) {
  if (store_failed_) return make_error(ErrorCode::conflict, "the tower cannot record anything right now; please try again later");
  auto events = tower_.apply(command, now());
  if (!events || events->empty()) return events;
  std::vector<Record> records;
  records.reserve(events->size() + extra.size());
  for (const Event& event : *events) records.push_back({"event", to_json(event).dump()});
  const std::size_t event_count = records.size();
  for (auto& record : extra) records.push_back(std::move(record));
  std::vector<Record> gateway_records(records.begin() + static_cast<std::ptrdiff_t>(event_count), records.end());
  const std::uint64_t last = store_->append(std::move(records), std::move(on_durable));
  std::uint64_t sequence = last - (event_count + gateway_records.size()) + 1;
  std::vector<Command> follow_ups;
  for (const Event& event : *events) after_event(sequence++, event, follow_ups);
  for (const Record& record : gateway_records) fold_record(sequence++, record, true);
  last_sequence_ = last;
  maybe_snapshot(last);
  for (const Command& follow_up : follow_ups) commit_internal(follow_up, "following up");
  if (std::any_of(events->begin(), events->end(), moves_the_machine)) dispatch_machine();
  return events;
}

void Gateway::commit_internal(const Command& command, const char* why) {
  auto outcome = commit(command, {}, [](const Status& status, std::uint64_t) {
    if (!status) log_json("error", "the store failed", {{"reason", status.error().message}});
  });
  if (!outcome)
    log_json("warn", "the tower refused the gateway's own command",
             {{"command", command_name(command)}, {"why", why}, {"reason", outcome.error().message}});
}

void Gateway::record(std::vector<Record> records, Store::Durable on_durable) {
  const std::size_t count = records.size();
  std::vector<Record> folded = records;
  const std::uint64_t last = store_->append(std::move(records), std::move(on_durable));
  for (std::size_t i = 0; i < count; ++i) fold_record(last - count + 1 + i, folded[i], true);
  last_sequence_ = last;
  maybe_snapshot(last);
}

BayId Gateway::free_bay() const {
  for (const BayDef& bay : tower_.config().layout.bays)
    if (!tower_.car_at_bay(bay.id).valid()) return bay.id;
  return BayId{};
}

// Replay and live commits share this: a record's effect on the gateway's own state.
void Gateway::fold_record(std::uint64_t sequence, const Record& record, bool live) {
  if (record.kind == "event") {
    auto json = nlohmann::json::parse(record.body, nullptr, false);
    auto event = event_from_json(json);
    if (!event) {
      log_json("error", "a stored event cannot be read", {{"sequence", std::to_string(sequence)}, {"reason", event.error().message}});
      return;
    }
    tower_.fold(*event);
    jobs_.on_event(sequence, *event, tower_);
    return;
  }
  auto body = nlohmann::json::parse(record.body, nullptr, false);
  if (record.kind == "token" && body.is_object()) {
    customer_tokens_[body.value("digest", "")] = CustomerId{body.value("customer", 0u)};
  } else if (record.kind == "pickup_failure" && body.is_object()) {
    ++pickup_failures_[body.value("subject", "")];
  } else if (!live) {
    log_json("warn", "an unknown record kind was skipped", {{"kind", record.kind}, {"sequence", std::to_string(sequence)}});
  }
}

void Gateway::after_event(std::uint64_t sequence, const Event& event, std::vector<Command>& follow_ups) {
  jobs_.on_event(sequence, event, tower_);
  metrics_.add("tower_events_total", {{"type", event_name(event)}});
  if (live_.subscribers() > 0 && !is_private_event(event)) {
    nlohmann::json body = to_json(event);
    for (const char* field : private_fields) body.erase(field);
    live_.broadcast(nlohmann::json{{"type", "event"}, {"sequence", sequence}, {"event", body}}.dump());
  }
  // A car handed back in a bay goes home to a slot on its own; a damaged one waits for the workshop.
  if (const auto* returned = std::get_if<TrialReturned>(&event.body); returned && !returned->damaged)
    follow_ups.push_back(StoreCar{tower_.trial(returned->trial)->car});
  if (const auto* serviced = std::get_if<CarServiced>(&event.body)) follow_ups.push_back(StoreCar{serviced->car});
}

void Gateway::maybe_snapshot(std::uint64_t sequence) {
  if (sequence - snapshot_sequence_ < config_.snapshot_every) return;
  store_->snapshot(sequence, snapshot_body());
  snapshot_sequence_ = sequence;
}

std::string Gateway::snapshot_body() const {
  nlohmann::json tokens = nlohmann::json::object(), failures = nlohmann::json::object();
  for (const auto& [digest, customer] : customer_tokens_) tokens[digest] = customer.value;
  for (const auto& [subject, count] : pickup_failures_) failures[subject] = count;
  return nlohmann::json{{"tower", to_json(tower_.state())}, {"jobs", jobs_.snapshot()}, {"tokens", tokens},
                        {"pickup_failures", failures}}
      .dump();
}

Status Gateway::restore_snapshot(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("tower")) return make_error(ErrorCode::invalid_argument, "the stored snapshot is malformed");
  auto state = state_from_json(json["tower"]);
  if (!state) return make_error(ErrorCode::invalid_argument, "the stored snapshot: " + state.error().message);
  auto tower = Tower::restore(std::move(*state));
  if (!tower) return make_error(ErrorCode::invalid_argument, "the stored snapshot: " + tower.error().message);
  tower_ = std::move(*tower);
  static const nlohmann::json empty = nlohmann::json::object();
  const auto& jobs = json.contains("jobs") ? json["jobs"] : empty;
  const auto& tokens = json.contains("tokens") ? json["tokens"] : empty;
  const auto& failures = json.contains("pickup_failures") ? json["pickup_failures"] : empty;
  if (auto restored = jobs_.restore(jobs); !restored) return restored.error();
  for (const auto& item : tokens.items()) customer_tokens_[item.key()] = CustomerId{item.value().get<std::uint32_t>()};
  for (const auto& item : failures.items()) pickup_failures_[item.key()] = item.value().get<int>();
  return ok_status();
}

void Gateway::dispatch_machine() {
  if (auto next = jobs_.next(*driver_, safety_)) {
    auto& [job, plan] = *next;
    if (plan) {
      jobs_.started(job, now(), *plan);
      driver_->execute(job, *plan);
    } else {
      log_json("error", "a job cannot be planned; the machine waits",
               {{"job", std::to_string(job)}, {"reason", plan.error().message}});
    }
  }
  publish_jobs();
}

void Gateway::on_machine_done(std::uint64_t id) {
  const MachineJob* job = jobs_.find(id);
  if (!job) return;
  if (job->kind == JobKind::retrieval)
    commit_internal(CarArrived{job->car, job->bay}, "the machine delivered a car");
  else
    commit_internal(CarStored{job->car, job->slot}, "the machine stored a car");
  dispatch_machine();
}

void Gateway::publish_jobs() {
  jobs_.update_etas(now(), *driver_, safety_);
  nlohmann::json jobs = nlohmann::json::array();
  double next_eta = 0, last_eta = 0;
  for (const MachineJob* job : jobs_.active()) {
    nlohmann::json item = to_json(*job);
    item.erase("customer");
    jobs.push_back(item);
    if (!job->eta) continue;
    const double seconds = static_cast<double>((*job->eta - now()).us) / 1e6;
    if (jobs.size() == 1) next_eta = seconds;
    last_eta = std::max(last_eta, seconds);
  }
  metrics_.set("tower_jobs_queued", {}, static_cast<double>(jobs_.queued()));
  metrics_.set("tower_job_eta_seconds", {{"job", "next"}}, next_eta);
  metrics_.set("tower_job_eta_seconds", {{"job", "last"}}, last_eta);
  live_.broadcast(nlohmann::json{{"type", "jobs"}, {"jobs", jobs}}.dump());
}

void Gateway::schedule_tick() {
  tick_timer_.expires_after(config_.tick);
  tick_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopping_) return;
    commit_internal(Tick{}, "expiring what is due");
    publish_jobs();
    schedule_tick();
  });
}

std::string Gateway::live_snapshot() const {
  nlohmann::json cars = nlohmann::json::array();
  for (const Car& car : tower_.state().cars) {
    nlohmann::json item = to_json(car);
    cars.push_back(item);
  }
  nlohmann::json jobs = nlohmann::json::array();
  for (const MachineJob* job : jobs_.active()) {
    nlohmann::json item = to_json(*job);
    item.erase("customer");
    jobs.push_back(item);
  }
  return nlohmann::json{{"type", "snapshot"},
                        {"sequence", last_sequence_},
                        {"now", tower_.now().us},
                        {"config", to_json(tower_.config())},
                        {"cars", cars},
                        {"jobs", jobs}}
      .dump();
}

void Gateway::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopped_ || stopping_.exchange(true)) {
      return;
    }
  }
  if (server_) server_->stop();
  // In-flight requests finish on the sequencer and are answered once durable; give them a bounded time.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server_ && server_->requests_in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  boost::asio::post(sequencer_, [this] {
    tick_timer_.cancel();
    live_.close_all();
  });
  if (store_) store_->close();
  io_.stop();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  log_json("info", "tower gateway stopped", {{"records", std::to_string(last_sequence_)}});
  std::lock_guard lock(stop_mutex_);
  stopped_ = true;
  stopped_cv_.notify_all();
}

void Gateway::wait() {
  std::unique_lock lock(stop_mutex_);
  stopped_cv_.wait(lock, [this] { return stopped_; });
}

}  // namespace tower::gateway
