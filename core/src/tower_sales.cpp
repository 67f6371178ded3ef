// Purchases and flash sales: reservations with payment deadlines, exact payments, and expiry back to stock.
#include "rules.hpp"
#include "tower/tower.hpp"

namespace tower {

using namespace rules;

Status Tower::check_car_available(const Car& car) const {
  const std::string name = "car " + number(car.id.value);
  if (car.hold.order.valid())
    return refuse(ErrorCode::conflict, name + " is reserved by another customer's order");
  if (car.hold.trial.valid()) return refuse(ErrorCode::conflict, name + " is booked for a test drive");
  if (car.state != CarState::in_slot)
    return refuse(ErrorCode::conflict, name + " is not available (" + to_string(car.state) + ")");
  return ok_status();
}

Result<Tower::Events> Tower::decide_command(const PlaceOrder& command, SimTime now) const {
  auto buyer = find_customer(command.customer);
  if (!buyer) return buyer.error();
  auto wanted = find_car(command.car);
  if (!wanted) return wanted.error();
  if (auto decision = instant_purchase(**buyer, state_.config.credit); !decision.allowed)
    return refuse(ErrorCode::not_eligible, decision.reasons.front());
  if (auto available = check_car_available(**wanted); !available) return available.error();
  if (auto code = check_text(command.pickup_code, "pickup_code", 512); !code) return code.error();
  const Money price = (*wanted)->spec.price;
  const Money down{apply_ppm(price.minor, state_.config.sales.down_payment), price.currency};
  const OrderId id{static_cast<std::uint32_t>(state_.orders.size() + 1)};
  return Events{{now, OrderPlaced{id, command.customer, command.car, price, down,
                                  now + state_.config.sales.reservation_hold, command.pickup_code, false}}};
}

Result<Tower::Events> Tower::decide_command(const PayOrder& command, SimTime now) const {
  auto found = find_order(command.order);
  if (!found) return found.error();
  const Order& order = **found;
  const std::string name = "order " + number(order.id.value);
  if (order.state == OrderState::expired || (order.state == OrderState::awaiting_payment && now > order.payment_deadline))
    return refuse(ErrorCode::expired, name + "'s reservation expired; the car went back to stock");
  if (order.state != OrderState::awaiting_payment)
    return refuse(ErrorCode::conflict, name + " is " + to_string(order.state) + ", not awaiting payment");
  if (auto paid = check_payment(command.amount, order.down_payment); !paid) return paid.error();
  return Events{{now, OrderPaid{order.id}}};
}

Result<Tower::Events> Tower::decide_command(const CancelOrder& command, SimTime now) const {
  auto found = find_order(command.order);
  if (!found) return found.error();
  const Order& order = **found;
  if (order.customer != command.customer)
    return refuse(ErrorCode::forbidden, "order " + number(order.id.value) + " belongs to another customer");
  const Car& car = state_.cars[order.car.value - 1];
  const bool still_in_slot = car.state == CarState::in_slot || car.state == CarState::sold;
  if ((order.state != OrderState::awaiting_payment && order.state != OrderState::paid) || !still_in_slot)
    return refuse(ErrorCode::conflict, "order " + number(order.id.value) + " can no longer be cancelled (" +
                                           to_string(order.state) + ", car " + to_string(car.state) + ")");
  return Events{{now, OrderCancelled{order.id}}};
}

Result<Tower::Events> Tower::decide_command(const CreateFlashSale& command, SimTime now) const {
  for (const Status& check : {check_text(command.make, "make", 60), check_text(command.model, "model", 60),
                              check_text(command.colour, "colour", 60),
                              check_price(command.price, state_.config.currency, "price")})
    if (!check) return check.error();
  if (command.units < 1 || command.units > 1'000'000) return invalid("units must be between 1 and 1000000");
  const SaleId id{static_cast<std::uint32_t>(state_.sales.size() + 1)};
  return Events{{now, FlashSaleCreated{id, command.make, command.model, command.colour, command.units, command.price,
                                       command.opens_at}}};
}

Result<Tower::Events> Tower::decide_command(const ClaimFlashSale& command, SimTime now) const {
  auto buyer = find_customer(command.customer);
  if (!buyer) return buyer.error();
  auto found = find_sale(command.sale);
  if (!found) return found.error();
  const FlashSale& sale = **found;
  if (now < sale.opens_at)
    return refuse(ErrorCode::too_early, "the flash sale opens in " + duration_text(sale.opens_at - now) +
                                            "; claims before the start do not count");
  if (claimed_.count(std::uint64_t{sale.id.value} << 32 | command.customer.value))
    return refuse(ErrorCode::limit_reached, "you already claimed a unit in this sale: one per customer");
  // The hot path of a rush: compare the score first and only word the refusal when there is one.
  if ((*buyer)->credit_score < state_.config.credit.instant_purchase_min_score)
    return refuse(ErrorCode::not_eligible, instant_purchase(**buyer, state_.config.credit).reasons.front());
  if (sale.available() <= 0) return refuse(ErrorCode::sold_out, "sold out: all " + std::to_string(sale.units) + " units are taken");
  const ClaimId id{static_cast<std::uint32_t>(state_.claims.size() + 1)};
  return Events{{now, ClaimWon{id, sale.id, command.customer, now + state_.config.sales.reservation_hold}}};
}

Result<Tower::Events> Tower::decide_command(const PayClaim& command, SimTime now) const {
  auto found = find_claim(command.claim);
  if (!found) return found.error();
  const Claim& claim = **found;
  const std::string name = "claim " + number(claim.id.value);
  if (claim.state == ClaimState::expired || (claim.state == ClaimState::reserved && now > claim.payment_deadline))
    return refuse(ErrorCode::expired, name + " expired unpaid; the unit went back to the sale");
  if (claim.state != ClaimState::reserved) return refuse(ErrorCode::conflict, name + " is already paid");
  const FlashSale& sale = state_.sales[claim.sale.value - 1];
  const Money due{apply_ppm(sale.price.minor, state_.config.sales.down_payment), sale.price.currency};
  if (auto paid = check_payment(command.amount, due); !paid) return paid.error();
  return Events{{now, ClaimPaid{claim.id}}};
}

Result<Tower::Events> Tower::decide_command(const SubmitSurvey& command, SimTime now) const {
  if (command.incentive_offered)
    return refuse(ErrorCode::forbidden, "a rating tied to a gift or discount is not recorded: feedback must be unbiased");
  if (auto found = find_customer(command.customer); !found) return found.error();
  if (command.order.valid() == command.trial.valid()) return invalid("give exactly one of order or trial");
  if (command.rating < 1 || command.rating > 5) return invalid("rating must be 1 to 5");
  if (auto comment = check_text(command.comment, "comment", 2000, false); !comment) return comment.error();
  bool finished = false;
  CustomerId owner;
  if (command.order.valid()) {
    auto found = find_order(command.order);
    if (!found) return found.error();
    owner = (*found)->customer;
    finished = (*found)->state == OrderState::delivered;
  } else {
    auto found = find_trial(command.trial);
    if (!found) return found.error();
    owner = (*found)->customer;
    finished = (*found)->state == TrialState::returned || (*found)->state == TrialState::converted;
  }
  if (owner != command.customer) return refuse(ErrorCode::forbidden, "you can only rate your own purchase or test drive");
  if (!finished) return refuse(ErrorCode::conflict, "the survey opens after the delivery or the end of the test drive");
  for (const auto& survey : state_.surveys)
    if (survey.subject.order == command.order && survey.subject.trial == command.trial)
      return refuse(ErrorCode::limit_reached, "this was already rated; one rating per purchase or test drive");
  const SurveyId id{static_cast<std::uint32_t>(state_.surveys.size() + 1)};
  return Events{{now, SurveyRecorded{id, command.customer, command.order, command.trial, command.rating, command.comment}}};
}

Result<Tower::Events> Tower::decide_command(const Tick&, SimTime now) const {
  // A deadline is the last instant that still counts (a payment at the deadline is accepted), so only
  // deadlines strictly before now expire.
  Events due;
  for (const auto& [at, id] : order_deadlines_) {
    if (at >= now) break;
    if (order_pending(id)) due.push_back({now, OrderExpired{OrderId{id}}});
  }
  for (const auto& [at, id] : claim_deadlines_) {
    if (at >= now) break;
    if (claim_pending(id)) due.push_back({now, ClaimExpired{ClaimId{id}}});
  }
  for (const auto& [at, id] : trial_deadlines_) {
    if (at >= now) break;
    if (trial_awaiting_pickup(id)) due.push_back({now, TrialNoShow{TrialId{id}}});
  }
  return due;
}

void Tower::fold_event(const OrderPlaced& event, SimTime at) {
  Order order;
  order.id = event.order;
  order.customer = event.customer;
  order.car = event.car;
  order.price = event.price;
  order.down_payment = event.down_payment;
  order.placed_at = at;
  order.payment_deadline = event.payment_deadline;
  order.pickup_code = event.pickup_code;
  order.from_trial = event.from_trial;
  state_.orders.push_back(std::move(order));
  Car& car = state_.cars[event.car.value - 1];
  car.hold.order = event.order;
  ++demand_[model_key(car.spec.make, car.spec.model)];
  if (!event.from_trial) order_deadlines_.emplace_back(event.payment_deadline, event.order.value);
}

void Tower::fold_event(const OrderPaid& event, SimTime) {
  Order& order = state_.orders[event.order.value - 1];
  Car& car = state_.cars[order.car.value - 1];
  if (order.from_trial) {  // the customer is already driving it
    order.state = OrderState::delivered;
    mark_delivered(car);
  } else {
    order.state = OrderState::paid;
    car.state = CarState::sold;
  }
}

void Tower::fold_event(const OrderCancelled& event, SimTime) {
  Order& order = state_.orders[event.order.value - 1];
  order.state = OrderState::cancelled;
  state_.cars[order.car.value - 1].state = CarState::in_slot;
  release_hold(order.car);
}

void Tower::fold_event(const OrderExpired& event, SimTime) {
  Order& order = state_.orders[event.order.value - 1];
  order.state = OrderState::expired;
  release_hold(order.car);
}

void Tower::fold_event(const FlashSaleCreated& event, SimTime) {
  state_.sales.push_back(FlashSale{event.sale, event.make, event.model, event.colour, event.units, event.price,
                                   event.opens_at, 0, 0});
  sale_demand_.push_back(0);
}

void Tower::fold_event(const ClaimWon& event, SimTime at) {
  state_.claims.push_back(Claim{event.claim, event.sale, event.customer, ClaimState::reserved, at, event.payment_deadline});
  FlashSale& sale = state_.sales[event.sale.value - 1];
  ++sale.reserved;
  claimed_.insert(std::uint64_t{event.sale.value} << 32 | event.customer.value);
  ++sale_demand_[event.sale.value - 1];
  claim_deadlines_.emplace_back(event.payment_deadline, event.claim.value);
}

void Tower::fold_event(const ClaimPaid& event, SimTime) {
  Claim& claim = state_.claims[event.claim.value - 1];
  claim.state = ClaimState::paid;
  FlashSale& sale = state_.sales[claim.sale.value - 1];
  --sale.reserved;
  ++sale.sold;
}

void Tower::fold_event(const ClaimExpired& event, SimTime) {
  Claim& claim = state_.claims[event.claim.value - 1];
  claim.state = ClaimState::expired;
  --state_.sales[claim.sale.value - 1].reserved;
}

void Tower::fold_event(const SurveyRecorded& event, SimTime at) {
  state_.surveys.push_back(Survey{event.survey, event.customer, SurveySubject{event.order, event.trial}, event.rating,
                                  event.comment, at});
}

}  // namespace tower
