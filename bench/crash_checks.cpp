// The crash test's checks: after each restart, read the server back through the API and compare it with what it
// acknowledged before the kill (the ledger): every change present exactly once, nothing oversold, no car in two
// places, no used pickup code working again.
#include "crash_run.hpp"

namespace tower::load::crash {

// Requests over the keep-alive pool, answers in order; nullopt when a connection failed.
std::optional<std::vector<Answer>> CrashRun::send_all(const std::vector<std::string>& texts) {
  std::vector<Answer> answers(texts.size());
  Pool pool(io_, endpoint_, connections);
  std::string error;
  if (!pool.connect(error)) return failed(error), std::nullopt;
  Phase phase;
  phase.count = texts.size();
  phase.request = [&](std::size_t job) -> const std::string& { return texts[job]; };
  phase.answer = [&](std::size_t job, Response& response, Clock::time_point, double) {
    answers[job] = {response.result_int(), json::parse(response.body(), nullptr, false)};
  };
  const PhaseRun run = pool.run(std::move(phase), server_->pid());
  if (run.errors > 0) return failed("verifying: " + run.first_error), std::nullopt;
  return answers;
}

std::optional<std::vector<Answer>> CrashRun::get_all(const std::vector<std::pair<std::string, std::string>>& gets) {
  std::vector<std::string> texts;
  for (const auto& [path, token] : gets) texts.push_back(request_text("GET " + path, host_, token, ""));
  return send_all(texts);
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

// Orders and trials first, then the cars, then the tower's bays: the machine may finish a move in between, and in
// this order a car it stored meanwhile cannot look like a car in two bays.
std::optional<World> CrashRun::observe() {
  World world;
  auto orders = probe("orders");
  if (!orders) return std::nullopt;
  auto trials = probe("trials");
  if (!trials) return std::nullopt;
  world.orders = std::move(*orders);
  world.trials = std::move(*trials);
  auto cars = get_one("/api/v1/cars?available=false&limit=1000", "");
  if (!cars) return std::nullopt;
  for (const json& car : cars->body.at("cars")) world.cars[id_of(car.at("id"))] = car;
  if (cars->body.at("total").get<std::size_t>() != world.cars.size())
    return failed("the car list is cut short: " + cars->body.at("total").dump() + " cars"), std::nullopt;
  auto tower = get_one("/api/v1/tower", "");
  if (!tower) return std::nullopt;
  world.bays = tower->body.at("bays");
  return world;
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
    if (id_of(claim.at("sale")) != sale_) continue;
    const std::string state = claim.at("state").get<std::string>();
    if (state == "reserved" || state == "paid") ++held;
    if (!winners.insert(id_of(claim.at("customer"))).second)
      ++oversold_, ok = failed("customer " + claim.at("customer").dump() + " holds two claims: " + claim.dump());
  }
  for (const auto& [id, customer] : ledger_.claims) {
    if (id > claims->size()) {
      ok = failed("acknowledged claim " + std::to_string(id) + " of customer " + std::to_string(customer) + " is missing");
    } else if (id_of((*claims)[id - 1].at("customer")) != customer) {
      ok = failed("acknowledged claim " + std::to_string(id) + " now belongs to another customer: " + (*claims)[id - 1].dump());
    }
  }
  auto sale = get_one("/api/v1/flash-sales/" + std::to_string(sale_), "");
  if (!sale) return false;
  if (sale->status != 200) return failed("the flash sale answered " + std::to_string(sale->status) + " " + sale->body.dump());
  const long units = sale->body.value("units", -1L), taken = sale->body.value("reserved", 0L) + sale->body.value("sold", 0L);
  if (taken > units) ++oversold_, ok = failed("the sale is oversold: " + sale->body.dump());
  if (taken != held)
    ok = failed("the sale counts " + std::to_string(taken) + " units taken but " + std::to_string(held) +
                " claims hold one: " + sale->body.dump());
  return ok;
}

// Each acknowledged step of an order is still there; a later step may have happened unacknowledged.
bool CrashRun::verify_orders(const World& world) {
  bool ok = true;
  for (const auto& [id, expected] : ledger_.orders) {
    if (id > world.orders.size()) {
      ok = failed("acknowledged order " + std::to_string(id) + " for car " + std::to_string(expected.car) + " is missing");
      continue;
    }
    const json& order = world.orders[id - 1];
    const json& car = world.cars.at(expected.car);
    const std::string state = order.at("state"), car_state = car.at("state");
    auto lost = [&](const char* change) {
      ok = failed("the acknowledged " + std::string(change) + " of order " + std::to_string(id) + " is lost: " +
                  order.dump() + "; its car: " + car.dump());
    };
    if (id_of(order.at("car")) != expected.car || id_of(order.at("customer")) != expected.customer)
      ok = failed("acknowledged order " + std::to_string(id) + " changed: " + order.dump());
    if (expected.cancelled && state != "cancelled") lost("cancel");
    else if (expected.handed_over && state != "delivered") lost("handover");
    else if (expected.picked_up && (!one_of(state, {"paid", "delivered"}) || !one_of(car_state, {"moving", "in_bay", "delivered"})))
      lost("pickup");
    else if (expected.paid && !expected.cancel_sent && !one_of(state, {"paid", "delivered"})) lost("payment");
  }
  return ok;
}

bool CrashRun::verify_trials(const World& world) {
  bool ok = true;
  std::map<std::uint64_t, std::uint64_t> driving;  // customer -> test drive in progress
  for (const json& trial : world.trials)
    if (one_of(trial.at("state"), {"booked", "out"}))
      if (auto [at, fresh] = driving.emplace(id_of(trial.at("customer")), id_of(trial.at("id"))); !fresh)
        ok = failed("customer " + std::to_string(at->first) + " has test drives " + std::to_string(at->second) + " and " +
                    trial.at("id").dump() + " in progress at once");
  for (const auto& [id, expected] : ledger_.trials) {
    if (id > world.trials.size()) {
      ok = failed("acknowledged test drive " + std::to_string(id) + " of car " + std::to_string(expected.car) + " is missing");
      continue;
    }
    const json& trial = world.trials[id - 1];
    const json& car = world.cars.at(expected.car);
    const std::string state = trial.at("state"), car_state = car.at("state");
    auto lost = [&](const char* change) {
      ok = failed("the acknowledged " + std::string(change) + " of test drive " + std::to_string(id) + " is lost: " +
                  trial.dump() + "; its car: " + car.dump());
    };
    if (id_of(trial.at("car")) != expected.car || id_of(trial.at("customer")) != expected.customer)
      ok = failed("acknowledged test drive " + std::to_string(id) + " changed: " + trial.dump());
    if (expected.returned && state != "returned") lost("return");
    else if (expected.handed_over && !one_of(state, {"out", "returned"})) lost("handover");
    else if (expected.picked_up && state == "booked" && !one_of(car_state, {"moving", "in_bay"})) lost("pickup");
    else if (!one_of(state, {"booked", "out", "returned"})) lost("booking");
  }
  return ok;
}

// No car in two places: one car to a slot and to a bay, a car in a bay where the tower's bay list has it, and at
// most one live order or test drive holding a car.
bool CrashRun::verify_places(const World& world) {
  bool ok = true;
  auto misplaced = [&](const std::string& reason) { ++misplaced_, ok = failed(reason); };
  std::map<std::uint64_t, std::uint64_t> slots, bays, holders;  // slot, bay or car -> car, car or order/test drive
  for (const auto& [id, car] : world.cars) {
    const std::string state = car.at("state");
    const std::uint64_t slot = id_of(car.at("slot")), bay = id_of(car.at("bay"));
    if (slot != 0 && !slots.emplace(slot, id).second)
      misplaced("cars " + std::to_string(slots[slot]) + " and " + std::to_string(id) + " are both in slot " + std::to_string(slot));
    if (bay != 0 && !bays.emplace(bay, id).second)
      misplaced("cars " + std::to_string(bays[bay]) + " and " + std::to_string(id) + " are both in bay " + std::to_string(bay));
    if ((one_of(state, {"in_slot", "sold"}) && (slot == 0 || bay != 0)) || (state == "in_bay" && (bay == 0 || slot != 0)))
      misplaced("car " + std::to_string(id) + " is " + state + " with slot " + std::to_string(slot) + " and bay " + std::to_string(bay));
  }
  for (const json& bay : world.bays) {
    const std::uint64_t id = id_of(bay.at("id")), car = id_of(bay.at("car"));
    const auto holder = bays.find(id);
    const bool parked = holder != bays.end() && world.cars.at(holder->second).at("state") == "in_bay";
    if ((car != 0 && (holder == bays.end() || holder->second != car)) || (car == 0 && parked))
      misplaced("the tower says bay " + std::to_string(id) + " holds car " + std::to_string(car) + " but the cars say " +
                (holder == bays.end() ? "none" : std::to_string(holder->second)));
  }
  auto hold = [&](const json& record, const char* what) {
    const std::uint64_t car = id_of(record.at("car")), id = id_of(record.at("id"));
    if (auto [at, fresh] = holders.emplace(car, id); !fresh)
      misplaced("car " + std::to_string(car) + " is held by " + what + " " + std::to_string(id) + " and by another (" +
                std::to_string(at->second) + ")");
  };
  for (const json& order : world.orders)
    if (one_of(order.at("state"), {"awaiting_payment", "paid"})) hold(order, "order");
  for (const json& trial : world.trials)
    if (one_of(trial.at("state"), {"booked", "out"})) hold(trial, "test drive");
  return ok;
}

// An acknowledged pickup consumed its code: shown at the kiosk again, it must be refused.
bool CrashRun::verify_pickup_codes() {
  std::vector<std::string> texts, names;
  auto again = [&](const std::string& code, const std::string& name) {
    texts.push_back(pickup_text(code));
    names.push_back(name);
  };
  for (const auto& [id, order] : ledger_.orders)
    if (order.picked_up) again(order.pickup_code, "order " + std::to_string(id));
  for (const auto& [id, trial] : ledger_.trials)
    if (trial.picked_up) again(trial.pickup_code, "test drive " + std::to_string(id));
  auto answers = send_all(texts);
  if (!answers) return false;
  bool ok = true;
  for (std::size_t i = 0; i < answers->size(); ++i)
    if ((*answers)[i].status >= 200 && (*answers)[i].status <= 299)
      ok = failed("the used pickup code of " + names[i] + " was accepted again: " + (*answers)[i].body.dump());
  return ok;
}

bool CrashRun::verify(long cycle) {
  const bool customers = verify_customers(), claims = verify_claims();
  const auto world = observe();
  if (!world) return false;
  const bool orders = verify_orders(*world), trials = verify_trials(*world), places = verify_places(*world);
  const bool codes = verify_pickup_codes();
  if (!customers || !claims || !orders || !trials || !places || !codes) return false;
  progress("after cycle " + std::to_string(cycle) + ": restart verified " + ledger_.counts());
  plan(*world);
  return true;
}

}  // namespace tower::load::crash
