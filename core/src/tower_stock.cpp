// Customers and stock: registration, credit updates, and where a new car is stored.
#include <algorithm>

#include "rules.hpp"
#include "tower/tower.hpp"

namespace tower {

using namespace rules;

namespace {

Status check_score(int score, const CreditPolicy& policy) {
  if (score < policy.min_score || score > policy.max_score)
    return invalid("credit_score " + std::to_string(score) + " is outside " + std::to_string(policy.min_score) + ".." +
                   std::to_string(policy.max_score));
  return ok_status();
}

bool valid_vin(const std::string& vin) {
  // ISO 3779: 17 characters, digits and capitals except I, O and Q (too easily read as 1 and 0).
  if (vin.size() != 17) return false;
  return std::all_of(vin.begin(), vin.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'Q');
  });
}

bool fits(const CarSpec& spec, const CarEnvelope& envelope) {
  return spec.length_mm <= envelope.length_mm && spec.width_mm <= envelope.width_mm &&
         spec.height_mm <= envelope.height_mm && spec.mass_kg <= envelope.mass_kg;
}

}  // namespace

Result<Tower::Events> Tower::decide_command(const RegisterCustomer& command, SimTime now) const {
  const auto& policy = state_.config.credit;
  for (const Status& check : {check_text(command.name, "name", 200), check_text(command.identity_digest, "identity_digest", 256),
                              check_text(command.selfie_template, "selfie_template", 4096, false)})
    if (!check) return check.error();
  const int score = command.credit_score == 0 ? policy.new_customer_score : command.credit_score;
  if (auto valid = check_score(score, policy); !valid) return valid.error();
  if (customers_by_identity_.count(command.identity_digest))
    return refuse(ErrorCode::conflict, "an account already exists for this identity document");
  const CustomerId id{static_cast<std::uint32_t>(state_.customers.size() + 1)};
  return Events{{now, CustomerRegistered{id, command.name, command.identity_digest, command.selfie_template, score,
                                         command.super_member}}};
}

Result<Tower::Events> Tower::decide_command(const UpdateCreditScore& command, SimTime now) const {
  if (auto found = find_customer(command.customer); !found) return found.error();
  if (auto valid = check_score(command.credit_score, state_.config.credit); !valid) return valid.error();
  return Events{{now, CreditScoreChanged{command.customer, command.credit_score}}};
}

Result<Tower::Events> Tower::decide_command(const SetMembership& command, SimTime now) const {
  if (auto found = find_customer(command.customer); !found) return found.error();
  return Events{{now, MembershipChanged{command.customer, command.super_member}}};
}

Result<SizeClass> Tower::size_class_of(const CarSpec& spec) const {
  const CarEnvelope& tower = state_.config.tower_envelope;
  if (!fits(spec, tower))
    return invalid("the car (" + std::to_string(spec.length_mm) + " x " + std::to_string(spec.width_mm) + " x " +
                   std::to_string(spec.height_mm) + " mm, " + std::to_string(spec.mass_kg) +
                   " kg) exceeds the tower's envelope of " + std::to_string(tower.length_mm) + " x " +
                   std::to_string(tower.width_mm) + " x " + std::to_string(tower.height_mm) + " mm and " +
                   std::to_string(tower.mass_kg) + " kg (EN 14010)");
  // The smallest class that fits (the configured list need not be in size order).
  const SizeClassLimit* smallest = nullptr;
  for (const auto& limit : state_.config.size_classes)
    if (fits(spec, limit.envelope) && (!smallest || limit.size < smallest->size)) smallest = &limit;
  if (smallest) return smallest->size;
  return invalid("no slot size class of this tower fits the car");
}

Result<SlotId> Tower::choose_slot(const CarSpec& spec, SizeClass size, LiftId lift) const {
  // Smallest fitting class first, so large slots stay free for large cars; lowest level first within it.
  // Candidates are counted first and the chosen one found in a second pass, so that no list is built.
  const auto candidate = [&](std::uint32_t index, int cls) {
    const SlotDef& slot = state_.config.layout.slots[index];
    return static_cast<int>(slot.size) == cls && !slot_cars_[index].valid() && (!lift.valid() || slot.lift == lift);
  };
  int cls = static_cast<int>(size);
  std::int64_t free_slots = 0;
  for (;; ++cls) {
    for (const std::uint32_t index : slots_low_first_) free_slots += candidate(index, cls);
    if (free_slots > 0 || cls == static_cast<int>(SizeClass::large)) break;
  }
  if (free_slots == 0)
    return refuse(ErrorCode::conflict, std::string("no free slot fits a ") + to_string(size) + " car" +
                                           (lift.valid() && state_.config.layout.lifts > 1
                                                ? " around lift " + number(lift.value)
                                                : std::string()));
  const auto nth_candidate = [&](std::int64_t n) {
    for (const std::uint32_t index : slots_low_first_)
      if (candidate(index, cls) && n-- == 0) return state_.config.layout.slots[index].id;
    return SlotId{};  // not reached: n < free_slots
  };
  // Turnover-based placement: the most wanted models go nearest the bays, the least wanted highest.
  int most_wanted = 0, wanted = 0;
  const std::string key = model_key(spec.make, spec.model);
  if (std::none_of(sale_demand_.begin(), sale_demand_.end(), [](int claims) { return claims > 0; })) {
    for (const auto& [model, count] : demand_) {  // no flash-sale claims to add: read the counts in place
      most_wanted = std::max(most_wanted, count);
      if (model == key) wanted = count;
    }
  } else {
    const auto demand = demand_by_model();
    for (const auto& [model, count] : demand) most_wanted = std::max(most_wanted, count);
    if (const auto found = demand.find(key); found != demand.end()) wanted = found->second;
  }
  if (most_wanted == 0) return nth_candidate(0);
  return nth_candidate((free_slots - 1) * (most_wanted - wanted) / most_wanted);
}

Result<Tower::Events> Tower::decide_command(const StockCar& command, SimTime now) const {
  const CarSpec& spec = command.spec;
  if (!valid_vin(spec.vin))
    return invalid("vin '" + spec.vin + "' is not a 17-character vehicle identification number");
  for (const Status& check : {check_text(spec.make, "make", 60), check_text(spec.model, "model", 60),
                              check_text(spec.trim, "trim", 60, false), check_text(spec.colour, "colour", 60),
                              check_price(spec.price, state_.config.currency, "price")})
    if (!check) return check.error();
  if (spec.length_mm <= 0 || spec.width_mm <= 0 || spec.height_mm <= 0 || spec.mass_kg <= 0)
    return invalid("length_mm, width_mm, height_mm and mass_kg must all be positive");
  if (vins_.count(spec.vin)) return refuse(ErrorCode::conflict, "a car with vin " + spec.vin + " is already in stock");
  auto size = size_class_of(spec);
  if (!size) return size.error();
  auto slot = choose_slot(spec, *size);
  if (!slot) return slot.error();
  const CarId id{static_cast<std::uint32_t>(state_.cars.size() + 1)};
  return Events{{now, CarStocked{id, spec, *size, *slot}}};
}

void Tower::fold_event(const CustomerRegistered& event, SimTime) {
  state_.customers.push_back(Customer{event.customer, event.name, event.identity_digest, event.selfie_template,
                                      event.credit_score, event.super_member});
  customers_by_identity_[event.identity_digest] = event.customer;
  customer_trials_.emplace_back();
}

void Tower::fold_event(const CreditScoreChanged& event, SimTime) {
  state_.customers[event.customer.value - 1].credit_score = event.credit_score;
}

void Tower::fold_event(const MembershipChanged& event, SimTime) {
  state_.customers[event.customer.value - 1].super_member = event.super_member;
}

void Tower::fold_event(const CarStocked& event, SimTime) {
  Car stocked;
  stocked.id = event.car;
  stocked.spec = event.spec;
  stocked.size = event.size;
  stocked.state = CarState::in_slot;
  stocked.slot = event.slot;
  state_.cars.push_back(std::move(stocked));
  set_slot(event.slot, event.car);
  undelivered_.push_back(event.car);
  vins_.insert(event.spec.vin);
}

}  // namespace tower
