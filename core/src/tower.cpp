// Tower: construction, the apply/decide/fold dispatch, derived indices and queries.
#include "tower/tower.hpp"

#include <algorithm>
#include <cassert>
#include <type_traits>

#include "tower/codec.hpp"

namespace tower {

std::string model_key(const std::string& make, const std::string& model) { return make + " " + model; }


Tower::Tower(TowerState state) : state_(std::move(state)) { rebuild_indices(); }

Result<Tower> Tower::create(TowerConfig config) {
  if (auto valid = validate(config); !valid) return valid.error();
  TowerState state;
  state.config = std::move(config);
  return Tower(std::move(state));
}

Result<Tower> Tower::restore(TowerState state) {
  if (auto valid = validate(state.config); !valid) return valid.error();
  auto bad = [](const std::string& what) { return make_error(ErrorCode::invalid_argument, "snapshot: " + what); };
  auto numbered = [](const auto& records) {
    for (std::size_t i = 0; i < records.size(); ++i)
      if (records[i].id.value != i + 1) return false;
    return true;
  };
  if (!numbered(state.customers) || !numbered(state.cars) || !numbered(state.orders) || !numbered(state.trials) ||
      !numbered(state.sales) || !numbered(state.claims) || !numbered(state.surveys))
    return bad("records must be numbered 1, 2, 3, ... in order");
  std::vector<int> slot_use(state.config.layout.slots.size(), 0);
  for (const auto& car : state.cars) {
    if (car.slot.valid()) {
      if (car.slot.value > slot_use.size()) return bad("car " + std::to_string(car.id.value) + " is in a missing slot");
      if (++slot_use[car.slot.value - 1] > 1) return bad("two cars claim slot " + std::to_string(car.slot.value));
    }
    if (car.bay.valid() && car.bay.value > state.config.layout.bays.size())
      return bad("car " + std::to_string(car.id.value) + " is at a missing bay");
  }
  return Tower(std::move(state));
}

bool Tower::order_pending(std::uint32_t id) const {
  return state_.orders[id - 1].state == OrderState::awaiting_payment;
}
bool Tower::claim_pending(std::uint32_t id) const { return state_.claims[id - 1].state == ClaimState::reserved; }
bool Tower::trial_awaiting_pickup(std::uint32_t id) const {
  const Trial& booked = state_.trials[id - 1];
  // Once its retrieval started the customer has shown up, whatever the clock says.
  return booked.state == TrialState::booked && state_.cars[booked.car.value - 1].state == CarState::in_slot;
}

void Tower::prune_deadlines() {
  while (!order_deadlines_.empty() && !order_pending(order_deadlines_.front().second)) order_deadlines_.pop_front();
  while (!claim_deadlines_.empty() && !claim_pending(claim_deadlines_.front().second)) claim_deadlines_.pop_front();
  while (!trial_deadlines_.empty() && !trial_awaiting_pickup(trial_deadlines_.front().second))
    trial_deadlines_.pop_front();
}

void Tower::rebuild_indices() {
  slot_cars_.assign(state_.config.layout.slots.size(), CarId{});
  const auto& slots = state_.config.layout.slots;
  slots_low_first_.resize(slots.size());
  for (std::uint32_t i = 0; i < slots.size(); ++i) slots_low_first_[i] = i;
  std::stable_sort(slots_low_first_.begin(), slots_low_first_.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return slots[a].level < slots[b].level; });
  bay_cars_.assign(state_.config.layout.bays.size(), CarId{});
  customers_by_identity_.clear();
  claimed_.clear();
  customer_trials_.assign(state_.customers.size(), {});
  demand_.clear();
  order_deadlines_.clear();
  claim_deadlines_.clear();
  trial_deadlines_.clear();
  for (const auto& customer : state_.customers) customers_by_identity_[customer.identity_digest] = customer.id;
  undelivered_.clear();
  vins_.clear();
  for (const auto& car : state_.cars) {
    if (car.slot.valid()) slot_cars_[car.slot.value - 1] = car.id;
    if (car.bay.valid()) bay_cars_[car.bay.value - 1] = car.id;
    if (car.state != CarState::delivered) undelivered_.push_back(car.id);
    vins_.insert(car.spec.vin);
  }
  for (const auto& order : state_.orders) {
    ++demand_[model_key(state_.cars[order.car.value - 1].spec.make, state_.cars[order.car.value - 1].spec.model)];
    if (order.state == OrderState::awaiting_payment) order_deadlines_.emplace_back(order.payment_deadline, order.id.value);
  }
  for (const auto& trial : state_.trials) {
    customer_trials_[trial.customer.value - 1].push_back(trial.id);
    ++demand_[trial.model_key];
    if (trial.state == TrialState::booked) trial_deadlines_.emplace_back(trial.pickup_deadline, trial.id.value);
  }
  sale_demand_.assign(state_.sales.size(), 0);
  claimed_.reserve(state_.claims.size());
  for (const auto& claim : state_.claims) {
    claimed_.insert(std::uint64_t{claim.sale.value} << 32 | claim.customer.value);
    ++sale_demand_[claim.sale.value - 1];
    if (claim.state == ClaimState::reserved) claim_deadlines_.emplace_back(claim.payment_deadline, claim.id.value);
  }
  for (auto* queue : {&order_deadlines_, &claim_deadlines_, &trial_deadlines_}) std::sort(queue->begin(), queue->end());
}

Result<std::vector<Event>> Tower::decide(const Command& command, SimTime now) const {
  if (now < state_.now)
    return make_error(ErrorCode::invalid_argument, "time went backwards: " + std::to_string(now.us) +
                                                       " us is before the tower's last event at " +
                                                       std::to_string(state_.now.us) + " us");
  return std::visit([&](const auto& body) { return decide_command(body, now); }, command);
}

Result<std::vector<Event>> Tower::apply(const Command& command, SimTime now) {
  auto events = decide(command, now);
  if (!events) return events;
  // Only events move the clock, so replaying the log gives back exactly this state.
  for (const auto& event : *events) fold(event);
  return events;
}

void Tower::fold(const Event& event) {
  assert(event.at >= state_.now);
  state_.now = event.at;
  std::visit([&](const auto& body) { fold_event(body, event.at); }, event.body);
  prune_deadlines();
}

// [SECTION] Lookups

const Customer* Tower::customer(CustomerId id) const {
  return id.valid() && id.value <= state_.customers.size() ? &state_.customers[id.value - 1] : nullptr;
}
const Car* Tower::car(CarId id) const {
  return id.valid() && id.value <= state_.cars.size() ? &state_.cars[id.value - 1] : nullptr;
}
const Order* Tower::order(OrderId id) const {
  return id.valid() && id.value <= state_.orders.size() ? &state_.orders[id.value - 1] : nullptr;
}
const Trial* Tower::trial(TrialId id) const {
  return id.valid() && id.value <= state_.trials.size() ? &state_.trials[id.value - 1] : nullptr;
}
const FlashSale* Tower::sale(SaleId id) const {
  return id.valid() && id.value <= state_.sales.size() ? &state_.sales[id.value - 1] : nullptr;
}
const Claim* Tower::claim(ClaimId id) const {
  return id.valid() && id.value <= state_.claims.size() ? &state_.claims[id.value - 1] : nullptr;
}
CarId Tower::car_in_slot(SlotId slot) const {
  return slot.valid() && slot.value <= slot_cars_.size() ? slot_cars_[slot.value - 1] : CarId{};
}
CarId Tower::car_at_bay(BayId bay) const {
  return bay.valid() && bay.value <= bay_cars_.size() ? bay_cars_[bay.value - 1] : CarId{};
}

namespace {
template <class T>
Result<const T*> found_or(const T* record, const char* what, std::uint32_t id) {
  if (record) return record;
  return make_error(ErrorCode::not_found, std::string(what) + " " + std::to_string(id) + " does not exist");
}
}  // namespace

Result<const Customer*> Tower::find_customer(CustomerId id) const { return found_or(customer(id), "customer", id.value); }
Result<const Car*> Tower::find_car(CarId id) const { return found_or(car(id), "car", id.value); }
Result<const Order*> Tower::find_order(OrderId id) const { return found_or(order(id), "order", id.value); }
Result<const Trial*> Tower::find_trial(TrialId id) const { return found_or(trial(id), "test drive", id.value); }
Result<const Claim*> Tower::find_claim(ClaimId id) const { return found_or(claim(id), "claim", id.value); }
Result<const FlashSale*> Tower::find_sale(SaleId id) const { return found_or(sale(id), "flash sale", id.value); }

std::unordered_map<std::string, int> Tower::demand_by_model() const {
  auto combined = demand_;
  // Claims are counted per sale so a rush does not build a model key per claim.
  for (const auto& sale : state_.sales)
    if (const int claims = sale_demand_[sale.id.value - 1]; claims > 0) combined[model_key(sale.make, sale.model)] += claims;
  return combined;
}

int Tower::demand(const std::string& key) const {
  const auto combined = demand_by_model();
  const auto found = combined.find(key);
  return found == combined.end() ? 0 : found->second;
}

Result<Eligibility> Tower::eligibility(CustomerId customer_id, CarId car_id, SimTime now) const {
  auto customer_found = find_customer(customer_id);
  if (!customer_found) return customer_found.error();
  auto car_found = find_car(car_id);
  if (!car_found) return car_found.error();
  const Customer& who = **customer_found;
  const Car& which = **car_found;
  Eligibility result;
  result.purchase = instant_purchase(who, state_.config.credit);
  result.trial_terms = trial_terms(who, which.spec, state_.config.credit);
  result.trial.allowed = true;
  result.trial.reasons = result.trial_terms.reasons;
  if (who.selfie_template.empty()) {
    result.trial.allowed = false;
    result.trial.reasons.push_back("take a selfie in the app first: the kiosk matches your face before the car moves");
  }
  for (const Status& check : {check_car_available(which), check_trial_quota(who, which, now)}) {
    if (!check) {
      result.trial.allowed = false;
      result.trial.reasons.push_back(check.error().message);
    }
  }
  if (auto available = check_car_available(which); !available) {
    result.purchase.allowed = false;
    result.purchase.reasons.push_back(available.error().message);
  }
  return result;
}

std::uint64_t Tower::state_hash() const {
  const std::string text = to_json(state_).dump();
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char byte : text) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

void Tower::set_slot(SlotId slot, CarId car) {
  if (slot.valid()) slot_cars_[slot.value - 1] = car;
}
void Tower::set_bay(BayId bay, CarId car) {
  if (bay.valid()) bay_cars_[bay.value - 1] = car;
}

void Tower::mark_delivered(Car& car) {
  car.state = CarState::delivered;
  car.hold = Hold{};
  const auto found = std::lower_bound(undelivered_.begin(), undelivered_.end(), car.id);
  if (found != undelivered_.end() && *found == car.id) undelivered_.erase(found);
}

void Tower::release_hold(CarId id) {
  Car& held = state_.cars[id.value - 1];
  held.hold = Hold{};
}

}  // namespace tower
