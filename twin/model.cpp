// The twin's model: commands in, state out. Every control of the UI and every call of the browser's test hook
// goes through command(), which validates its input and says in words what was wrong.
#include "model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "tower/codec.hpp"
#include "tower/credit.hpp"

namespace tower::twin {

namespace {

using json = nlohmann::json;

json refuse(const std::string& message) { return json{{"error", message}}; }
json done() { return json{{"ok", true}}; }
double in_seconds(SimTime time) { return static_cast<double>(time.us) / 1e6; }

// A finite number in [low, high] at `key`, or the reason it is not.
std::optional<double> number_in(const json& command, const char* key, double low, double high, std::string& why) {
  if (!command.contains(key) || !command[key].is_number()) {
    why = std::string("\"") + key + "\" must be a number";
    return std::nullopt;
  }
  const double value = command[key].get<double>();
  if (!std::isfinite(value) || value < low || value > high) {
    why = std::string("\"") + key + "\" must be between " + json(low).dump() + " and " + json(high).dump();
    return std::nullopt;
  }
  return value;
}

// The string at `key`, or empty: never throws on a wrong type (the browser build has no exceptions).
std::string text_at(const json& command, const char* key) {
  return command.contains(key) && command[key].is_string() ? command[key].get<std::string>() : std::string();
}

std::optional<bool> flag(const json& command, const char* key, std::string& why) {
  if (!command.contains(key) || !command[key].is_boolean()) {
    why = std::string("\"") + key + "\" must be true or false";
    return std::nullopt;
  }
  return command[key].get<bool>();
}

// What-if runs get this much wall time per frame so the UI keeps drawing; `instant` runs finish at once.
constexpr auto run_slice = std::chrono::milliseconds(8);

}  // namespace

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::customer: return "customer";
    case Mode::staff: return "staff";
    case Mode::live: return "live";
  }
  return "customer";
}

double Run::progress() const {
  if (finished()) return 1.0;
  if (!simulator || simulator->end().us <= 0) return 0.0;
  return std::clamp(static_cast<double>(simulator->now().us) / static_cast<double>(simulator->end().us), 0.0, 1.0);
}

TwinModel::TwinModel() {
  const auto& examples = example_scenarios();
  const auto normal = std::find_if(examples.begin(), examples.end(), [](const auto& e) { return e.file == "normal-day.json"; });
  if (normal != examples.end()) load_scenario(normal->text, normal->file);
  // The day's first customers come at seven; open on a morning's traffic rather than a tower asleep.
  if (playback_) playback_->jump_to(SimTime{(hours(9) + minutes(30)).us});
  if (!playback_) {  // the examples are compiled in, so this is only a guard against an edited build
    auto fallback = Playback::create(Scenario{});
    playback_ = std::make_unique<Playback>(std::move(*fallback));
    scenario_label_ = "default tower";
  }
  refresh_scene();
}

void TwinModel::update(double real_seconds) {
  wall_seconds_ += std::max(0.0, real_seconds);
  playback_->advance(real_seconds);
  predict_delivery();
  const auto deadline = std::chrono::steady_clock::now() + run_slice;
  for (Run& run : runs_) {
    if (run.finished() || !run.simulator) continue;
    Simulator& simulator = *run.simulator;
    do {
      for (int i = 0; i < 256 && simulator.step(); ++i) {
      }
    } while (!simulator.finished() && (instant || std::chrono::steady_clock::now() < deadline));
    if (simulator.finished()) {
      run.kpis = simulator.kpis();
      run.simulator.reset();
    }
    if (std::chrono::steady_clock::now() >= deadline && !instant) break;
  }
  refresh_scene();
}

// [SECTION] Commands

const char* TwinModel::command_help() {
  return "mode {value: customer|staff|live}; load {example | scenario | scenario_text: true}; speed {value}; "
         "pause {value}; jump {hours}; select_car {car}; profile {credit_score, super_member, apr_percent, months}; "
         "buy; book_trial; run {example | scenario | scenario_text: true, label?}; compare {a, b}; instant {value}; "
         "edit_run {index}; set_scenario_text {text}; what_if {fault: lift_out, minutes}; watch_car {car}; probe_pixels";
}

json TwinModel::command(const json& command) {
  json answer = dispatch(command);
  refresh_scene();
  return answer;
}

json TwinModel::dispatch(const json& command) {
  if (!command.is_object() || !command.contains("do") || !command["do"].is_string())
    return refuse(std::string("a command is {\"do\": name, ...}; the names: ") + command_help());
  const std::string name = command["do"].get<std::string>();
  std::string why;

  if (name == "mode") {
    const std::string value = text_at(command, "value");
    if (value == "customer") mode = Mode::customer;
    else if (value == "staff") mode = Mode::staff;
    else if (value == "live") mode = Mode::live;
    else return refuse("\"value\" must be customer, staff or live");
    return done();
  }
  if (name == "load" || name == "run") {
    std::string text, label = text_at(command, "label");
    if (command.contains("example")) {
      const std::string file = text_at(command, "example");
      const auto& examples = example_scenarios();
      const auto found = std::find_if(examples.begin(), examples.end(),
                                      [&](const auto& e) { return e.file == file || e.file == file + ".json"; });
      if (found == examples.end()) return refuse("no example scenario \"" + file + "\"");
      text = found->text;
      if (label.empty()) label = found->file;
    } else if (command.contains("scenario")) {
      text = command["scenario"].dump();
    } else if (command.contains("scenario_text") && command["scenario_text"] == true) {
      text = scenario_text;
    } else {
      return refuse("say which scenario: \"example\", \"scenario\" or \"scenario_text\": true");
    }
    if (label.empty()) label = name == "run" ? "run " + std::to_string(runs_.size() + 1) : "edited scenario";
    return name == "load" ? load_scenario(text, label) : start_run(text, label);
  }
  if (name == "speed") {
    const auto value = number_in(command, "value", 0.01, 100000.0, why);
    if (!value) return refuse(why);
    playback_->speed = *value;
    return done();
  }
  if (name == "pause") {
    const auto value = flag(command, "value", why);
    if (!value) return refuse(why);
    playback_->paused = *value;
    return done();
  }
  if (name == "jump") {
    const auto hours = number_in(command, "hours", 0.0, 24.0 * 365.0, why);
    if (!hours) return refuse(why);
    const SimTime target{static_cast<std::int64_t>(*hours * 3'600'000'000.0)};
    if (target < playback_->now()) return refuse("the simulation cannot go back in time; load it again to restart");
    playback_->jump_to(target);
    predict_delivery();
    return done();
  }
  if (name == "select_car" || name == "watch_car") {
    const auto car = number_in(command, "car", 0, 1e9, why);
    if (!car) return refuse(why);
    const CarId id{static_cast<std::uint32_t>(*car)};
    if (name == "watch_car") {
      selected = id;
      return done();
    }
    const Car* found = playback_->simulator().tower().car(id);
    if (!found) return refuse("there is no car " + std::to_string(id.value) + " in this tower");
    selected = id;
    return json{{"ok", true}, {"offer", state()["customer"]["offer"]}};
  }
  if (name == "profile") {
    CustomerProfile next = profile;
    if (command.contains("credit_score")) {
      const auto score = number_in(command, "credit_score", 350, 950, why);
      if (!score) return refuse(why);
      next.credit_score = static_cast<int>(*score);
    }
    if (command.contains("super_member")) {
      const auto member = flag(command, "super_member", why);
      if (!member) return refuse(why);
      next.super_member = *member;
    }
    if (command.contains("apr_percent")) {
      const auto apr = number_in(command, "apr_percent", 0, 100, why);
      if (!apr) return refuse(why);
      next.apr_percent = *apr;
    }
    if (command.contains("months")) {
      const auto months = number_in(command, "months", 1, 120, why);
      if (!months) return refuse(why);
      next.months = static_cast<int>(*months);
    }
    profile = next;
    return done();
  }
  if (name == "buy" || name == "book_trial") return walk_in(name == "book_trial");
  if (name == "compare") {
    const auto a = number_in(command, "a", 0, static_cast<double>(runs_.size()) - 1, why);
    if (!a) return refuse(runs_.size() < 2 ? "compare needs two runs" : why);
    const auto b = number_in(command, "b", 0, static_cast<double>(runs_.size()) - 1, why);
    if (!b) return refuse(why);
    compare_a = static_cast<int>(*a);
    compare_b = static_cast<int>(*b);
    return done();
  }
  if (name == "instant") {
    const auto value = flag(command, "value", why);
    if (!value) return refuse(why);
    instant = *value;
    return done();
  }
  if (name == "edit_run") {
    const auto index = number_in(command, "index", 0, static_cast<double>(runs_.size()) - 1, why);
    if (!index) return refuse(runs_.empty() ? "there are no runs yet" : why);
    scenario_text = runs_[static_cast<std::size_t>(*index)].scenario_json;
    scenario_error.clear();
    return done();
  }
  if (name == "set_scenario_text") {
    if (!command.contains("text") || !command["text"].is_string()) return refuse("\"text\" must be the scenario's JSON");
    auto document = parse_json(command["text"].get<std::string>());
    if (!document) return refuse(scenario_error = "the scenario is not JSON: " + document.error().message);
    if (auto scenario = scenario_from_json(*document); !scenario) return refuse(scenario_error = scenario.error().message);
    scenario_text = document->dump(2);
    scenario_error.clear();
    mode = Mode::staff;
    return done();
  }
  if (name == "what_if") return what_if_from_now(command);
  if (name == "probe_pixels") {
    probe_requested = true;
    probe_colours = -1;
    return done();
  }
  return refuse("unknown command \"" + name + "\"; the commands: " + command_help());
}

json TwinModel::load_scenario(const std::string& text, const std::string& label) {
  auto document = parse_json(text);
  if (!document) return refuse(scenario_error = "the scenario is not JSON: " + document.error().message);
  auto scenario = scenario_from_json(*document);
  if (!scenario) return refuse(scenario_error = scenario.error().message);
  auto playback = Playback::create(*scenario);
  if (!playback) return refuse(scenario_error = playback.error().message);
  const double speed = playback_ ? playback_->speed : 30.0;
  playback_ = std::make_unique<Playback>(std::move(*playback));
  playback_->speed = speed;
  scenario_label_ = label;
  scenario_text = document->dump(2);
  scenario_error.clear();
  selected = CarId{};
  delivery_.reset();
  customer_message.clear();
  return done();
}

json TwinModel::start_run(const std::string& text, const std::string& label) {
  auto document = parse_json(text);
  if (!document) return refuse(scenario_error = "the scenario is not JSON: " + document.error().message);
  auto scenario = scenario_from_json(*document);
  if (!scenario) return refuse(scenario_error = scenario.error().message);
  auto simulator = Simulator::create(*scenario);
  if (!simulator) return refuse(scenario_error = simulator.error().message);
  scenario_error.clear();
  Run run;
  run.label = label;
  run.scenario = *scenario;
  run.scenario_json = document->dump(2);
  run.simulator = std::make_unique<Simulator>(std::move(*simulator));
  if (instant) {
    run.simulator->run();
    run.kpis = run.simulator->kpis();
    run.simulator.reset();
  }
  runs_.push_back(std::move(run));
  const int index = static_cast<int>(runs_.size()) - 1;
  if (runs_.size() >= 2) {  // the newest run against the one before: what the staff most often compares
    compare_a = index - 1;
    compare_b = index;
  }
  return json{{"ok", true}, {"index", index}};
}

// [SECTION] Customer

std::optional<Offer> TwinModel::offer() const {
  const Tower& tower = playback_->simulator().tower();
  const Car* car = tower.car(selected);
  if (!car) return std::nullopt;
  const CreditPolicy& policy = tower.config().credit;
  Customer customer;
  customer.credit_score = profile.credit_score;
  customer.super_member = profile.super_member;
  Offer offer;
  offer.car = car->id;
  offer.spec = car->spec;
  offer.purchase = instant_purchase(customer, policy);
  offer.trial = trial_terms(customer, car->spec, policy);
  const Ppm down = tower.config().sales.down_payment;
  offer.down_payment = Money{apply_ppm(car->spec.price.minor, down), car->spec.price.currency};
  FinanceTerms terms;
  terms.price = car->spec.price;
  terms.down_payment = down;
  terms.apr = Ppm{static_cast<std::int64_t>(std::llround(profile.apr_percent * 10'000.0))};
  terms.months = profile.months;
  auto quote = quote_financing(terms);
  if (quote) offer.finance = std::move(*quote);
  else offer.finance_error = quote.error().message;
  if (car->state != CarState::in_slot || car->hold.held()) {
    offer.purchase.allowed = offer.trial.free = false;
    offer.purchase.reasons.insert(offer.purchase.reasons.begin(), "this car is already promised to someone else");
  }
  return offer;
}

json TwinModel::walk_in(bool trial) {
  if (!selected.valid()) return refuse(customer_message = "choose a car first");
  if (delivery_ && !delivery_->arrived)
    return refuse(customer_message = "your car is already on its way; watch it arrive first");
  Simulator& simulator = playback_->simulator();
  auto visitor = simulator.walk_in(WalkIn{selected, trial, profile.credit_score, profile.super_member});
  if (!visitor) return refuse(customer_message = visitor.error().message);
  Delivery delivery;
  delivery.visitor = *visitor;
  delivery.car = selected;
  delivery.trial = trial;
  delivery.requested = simulator.now();
  delivery_ = delivery;
  playback_->refresh();
  predict_delivery();
  const Job* job = simulator.visitor_job(*visitor);
  customer_message = std::string(trial ? "Test drive booked" : "Bought") + ": your car is on its way to bay " +
                     std::to_string(job ? job->bay.value : 0) + (job && !job->bay.valid() ? " (waiting for a free bay)" : "");
  return json{{"ok", true}, {"visitor", *visitor}, {"message", customer_message}};
}

// The customer's ETA is the future of this very simulation: a copy runs ahead until the car is in the bay.
// Cheap (a retrieval is a few dozen events) and re-done only when the simulation has moved on.
void TwinModel::predict_delivery() {
  if (!delivery_ || delivery_->arrived) return;
  Delivery& delivery = *delivery_;
  const Simulator& simulator = playback_->simulator();
  const Job* job = simulator.visitor_job(delivery.visitor);
  if (!job) return;
  delivery.promised = job->eta;
  if (job->state == JobState::done) {
    delivery.arrived = true;
    delivery.arrives = job->finished;
    return;
  }
  if (delivery.predicted_at_events == simulator.events_processed() && delivery.arrives) return;
  delivery.predicted_at_events = simulator.events_processed();
  Simulator future = simulator;
  const Job* ahead = future.visitor_job(delivery.visitor);
  while (ahead->state != JobState::done && ahead->state != JobState::dropped && future.step()) ahead = future.visitor_job(delivery.visitor);
  delivery.arrives = ahead->state == JobState::done ? std::optional<SimTime>(ahead->finished) : std::nullopt;
}

// [SECTION] Live: what if, from now

json TwinModel::what_if_from_now(const json& command) {
  if (!live_.has_snapshot()) return refuse("what-if from now needs the live tower: connect to a gateway first");
  std::string why;
  const std::string fault = command.contains("fault") ? text_at(command, "fault") : "lift_out";
  if (fault != "lift_out" && fault != "none") return refuse("\"fault\" must be lift_out or none");
  const auto minutes = number_in(command, "minutes", 1, 24 * 60, why);
  if (!minutes) return refuse(why);
  // The live tower's layout, rules and stock level, with the example day's demand from the current hour on:
  // the feed carries no customers, so demand is the typical day's, and the label says so.
  const auto& examples = example_scenarios();
  const auto normal = std::find_if(examples.begin(), examples.end(), [](const auto& e) { return e.file == "normal-day.json"; });
  json scenario = json::parse(normal->text);
  const long stock = std::count_if(live_.cars().begin(), live_.cars().end(), [](const Car& car) {
    return car.state == CarState::in_slot || car.state == CarState::in_bay || car.state == CarState::moving;
  });
  scenario["preset"] = to_json(*live_.config());
  scenario["stock"] = stock;
  scenario["duration_hours"] = 12;
  scenario["demand"]["trials_out_at_start"] = 0;
  scenario["faults"] = json::array();
  auto& profile_by_hour = scenario["demand"]["hourly_profile"];
  const auto hour_of_day = static_cast<std::ptrdiff_t>(std::fmod(in_seconds(live_.now(wall_seconds_)) / 3600.0, 24.0));
  if (profile_by_hour.is_array() && profile_by_hour.size() == 24)
    std::rotate(profile_by_hour.begin(), profile_by_hour.begin() + hour_of_day, profile_by_hour.end());
  const std::string label = "from now: " + std::to_string(stock) + " cars, typical demand";
  scenario["name"] = label + ", as is";
  json baseline = start_run(scenario.dump(), scenario["name"].get<std::string>());
  if (baseline.contains("error")) return baseline;
  if (fault == "lift_out") scenario["faults"] = json::array({json{{"kind", "lift_out"}, {"from_hour", 0}, {"to_hour", *minutes / 60.0}}});
  scenario["name"] = label + ", lift out " + std::to_string(static_cast<int>(*minutes)) + " min";
  json faulted = start_run(scenario.dump(), scenario["name"].get<std::string>());
  if (faulted.contains("error")) return faulted;
  mode = Mode::staff;
  return json{{"ok", true}, {"runs", {baseline["index"], faulted["index"]}}};
}

}  // namespace tower::twin
