// Test drives: booking within the quota, return on time or late, damage, and conversion to a purchase.
#include "rules.hpp"
#include "tower/tower.hpp"

namespace tower {

using namespace rules;

Status Tower::check_trial_quota(const Customer& customer, const Car& car, SimTime now) const {
  const auto& policy = state_.config.trials;
  const std::string key = model_key(car.spec.make, car.spec.model);
  int in_window = 0;
  SimTime oldest_in_window = now;
  for (const TrialId id : customer_trials_[customer.id.value - 1]) {
    const Trial& trial = state_.trials[id.value - 1];
    if (trial.state == TrialState::cancelled) continue;  // a cancelled booking was never a drive
    if (trial.state == TrialState::booked || trial.state == TrialState::out)
      return refuse(ErrorCode::limit_reached, "you already have test drive " + number(id.value) + " in progress; one at a time");
    if (trial.model_key == key)
      return refuse(ErrorCode::limit_reached, "you have already test-driven the " + key + "; each model once");
    if (trial.booked_at > now - policy.quota_window) {
      ++in_window;
      if (trial.booked_at < oldest_in_window) oldest_in_window = trial.booked_at;
    }
  }
  if (in_window >= policy.max_trials_in_window)
    return refuse(ErrorCode::limit_reached,
                  std::to_string(in_window) + " test drives in the last " + duration_text(policy.quota_window) +
                      " is the limit; the next is possible in " +
                      duration_text(oldest_in_window + policy.quota_window - now));
  return ok_status();
}

Result<Tower::Events> Tower::decide_command(const BookTrial& command, SimTime now) const {
  auto driver = find_customer(command.customer);
  if (!driver) return driver.error();
  auto wanted = find_car(command.car);
  if (!wanted) return wanted.error();
  const Customer& customer = **driver;
  const Car& car = **wanted;
  if (customer.selfie_template.empty())
    return refuse(ErrorCode::not_eligible, "take a selfie in the app first: the kiosk matches your face before the car moves");
  if (auto quota = check_trial_quota(customer, car, now); !quota) return quota.error();
  if (auto available = check_car_available(car); !available) return available.error();
  if (auto code = check_text(command.pickup_code, "pickup_code", 512); !code) return code.error();
  const TrialTerms terms = trial_charges(customer, car.spec, state_.config.credit);
  const TrialId id{static_cast<std::uint32_t>(state_.trials.size() + 1)};
  return Events{{now, TrialBooked{id, customer.id, car.id, model_key(car.spec.make, car.spec.model), terms.fee,
                                  terms.deposit, now + state_.config.trials.pickup_window, command.pickup_code}}};
}

Result<Tower::Events> Tower::decide_command(const CancelTrial& command, SimTime now) const {
  auto found = find_trial(command.trial);
  if (!found) return found.error();
  const Trial& trial = **found;
  if (trial.customer != command.customer)
    return refuse(ErrorCode::forbidden, "test drive " + number(trial.id.value) + " belongs to another customer");
  if (!trial_awaiting_pickup(trial.id.value))
    return refuse(ErrorCode::conflict, "test drive " + number(trial.id.value) + " can no longer be cancelled (" +
                                           to_string(trial.state) + ")");
  return Events{{now, TrialCancelled{trial.id}}};
}

Result<Tower::Events> Tower::decide_command(const ReturnTrial& command, SimTime now) const {
  auto found = find_trial(command.trial);
  if (!found) return found.error();
  const Trial& trial = **found;
  if (trial.state != TrialState::out)
    return refuse(ErrorCode::conflict, "test drive " + number(trial.id.value) + " is not out (" + to_string(trial.state) + ")");
  if (auto bay = check_bay(command.bay); !bay) return bay.error();
  const auto& policy = state_.config.trials;
  Money late_fee{0, policy.late_fee_per_day.currency};
  if (now > trial.due_at + policy.late_grace) {
    const std::int64_t late_days = ((now - trial.due_at).us + days(1).us - 1) / days(1).us;  // started days
    late_fee.minor = late_days * policy.late_fee_per_day.minor;
  }
  // A damaged car keeps the deposit until the workshop has assessed it; lateness is charged against it.
  Money refund{0, trial.deposit.currency};
  if (!command.damaged) refund.minor = trial.deposit.minor > late_fee.minor ? trial.deposit.minor - late_fee.minor : 0;
  return Events{{now, TrialReturned{trial.id, command.bay, late_fee, command.damaged, refund}}};
}

Result<Tower::Events> Tower::decide_command(const ConvertTrial& command, SimTime now) const {
  auto found = find_trial(command.trial);
  if (!found) return found.error();
  const Trial& trial = **found;
  if (trial.state != TrialState::out)
    return refuse(ErrorCode::conflict, "only a car out on a test drive can be bought from the test drive");
  const Customer& buyer = state_.customers[trial.customer.value - 1];
  if (auto decision = instant_purchase(buyer, state_.config.credit); !decision.allowed)
    return refuse(ErrorCode::not_eligible, decision.reasons.front());
  const Car& car = state_.cars[trial.car.value - 1];
  const Money down{apply_ppm(car.spec.price.minor, state_.config.sales.down_payment), car.spec.price.currency};
  if (auto paid = check_payment(command.payment, down); !paid) return paid.error();
  const OrderId order{static_cast<std::uint32_t>(state_.orders.size() + 1)};
  return Events{{now, OrderPlaced{order, trial.customer, car.id, car.spec.price, down, now, "", true}},
                {now, OrderPaid{order}},
                {now, TrialConverted{trial.id, order}}};
}

void Tower::fold_event(const TrialBooked& event, SimTime at) {
  Trial trial;
  trial.id = event.trial;
  trial.customer = event.customer;
  trial.car = event.car;
  trial.model_key = event.model_key;
  trial.fee = event.fee;
  trial.deposit = event.deposit;
  trial.booked_at = at;
  trial.pickup_deadline = event.pickup_deadline;
  trial.pickup_code = event.pickup_code;
  state_.trials.push_back(std::move(trial));
  customer_trials_[event.customer.value - 1].push_back(event.trial);
  state_.cars[event.car.value - 1].hold.trial = event.trial;
  ++demand_[event.model_key];
  trial_deadlines_.emplace_back(event.pickup_deadline, event.trial.value);
}

void Tower::fold_event(const TrialCancelled& event, SimTime) {
  Trial& trial = state_.trials[event.trial.value - 1];
  trial.state = TrialState::cancelled;
  release_hold(trial.car);
}

void Tower::fold_event(const TrialNoShow& event, SimTime) {
  Trial& trial = state_.trials[event.trial.value - 1];
  trial.state = TrialState::no_show;
  release_hold(trial.car);
}

void Tower::fold_event(const TrialStarted& event, SimTime at) {
  Trial& trial = state_.trials[event.trial.value - 1];
  trial.state = TrialState::out;
  trial.started_at = at;
  trial.due_at = event.due_at;
  Car& car = state_.cars[trial.car.value - 1];
  set_bay(car.bay, CarId{});
  car.bay = BayId{};
  car.state = CarState::out_on_trial;
}

void Tower::fold_event(const TrialReturned& event, SimTime at) {
  Trial& trial = state_.trials[event.trial.value - 1];
  trial.state = TrialState::returned;
  trial.returned_at = at;
  trial.late_fee = event.late_fee;
  trial.damaged = event.damaged;
  Car& car = state_.cars[trial.car.value - 1];
  car.hold = Hold{};
  if (event.damaged) {
    car.state = CarState::in_service;  // straight from the bay to the workshop
  } else {
    car.state = CarState::in_bay;
    car.bay = event.bay;
    set_bay(event.bay, car.id);
  }
}

void Tower::fold_event(const TrialConverted& event, SimTime) {
  state_.trials[event.trial.value - 1].state = TrialState::converted;
}

}  // namespace tower
