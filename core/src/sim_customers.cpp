// The simulated world outside the machine: staff stocking the tower, buyers and test drivers arriving,
// ordering and booking through the Tower's own commands, waiting at the kiosk and driving out.
#include <algorithm>
#include <cstring>
#include <limits>

#include "tower/catalogue.hpp"
#include "tower/sim.hpp"

namespace tower {

namespace {

constexpr int face_match_permille = 990;  // the kiosk's face scan of a customer who is who they say

template <class T>
const T* find_event(const std::vector<Event>& events) {
  for (const Event& event : events)
    if (const T* body = std::get_if<T>(&event.body)) return body;
  return nullptr;
}

int popularity(const CarSpec& spec) {
  for (const auto& model : catalogue())
    if (spec.make == model.make && spec.model == model.model) return model.popularity;
  return 1;
}

}  // namespace

void Simulator::stock_up(int target) {
  const int present = static_cast<int>(tower_.undelivered_cars().size());
  if (present >= target) return;
  for (const CarSpec& spec : sample_stock(target - present, random_, next_serial_, tower_.config().currency)) {
    ++next_serial_;
    auto events = tower_.apply(StockCar{spec}, now_);
    if (!events) break;  // no free slot fits it: the tower is full for this size
    const CarStocked* stocked = find_event<CarStocked>(*events);
    car_weight_.resize(stocked->car.value, 1);
    car_weight_[stocked->car.value - 1] = popularity(spec);
  }
}

CarId Simulator::choose_car(Random& random) {
  // Customers pick among the cars nobody holds, by how popular the model is (or all alike: random storage).
  // One pass over the cars gathers the candidates and their running total of weight.
  const bool alike = scenario_.demand.car_choice == CarChoice::random_storage;
  std::vector<std::pair<CarId, std::int64_t>>& candidates = choice_scratch_;
  candidates.clear();
  std::int64_t total = 0;
  const auto& cars = tower_.state().cars;
  for (const CarId id : tower_.undelivered_cars())
    if (const Car& car = cars[id.value - 1]; car.state == CarState::in_slot && !car.hold.held()) {
      total += alike ? 1 : car_weight_[id.value - 1];
      candidates.emplace_back(id, total);
    }
  if (total == 0) return CarId{};
  const auto pick = static_cast<std::int64_t>(random.below(static_cast<std::uint64_t>(total)));
  for (const auto& [car, running] : candidates)
    if (pick < running) return car;
  return CarId{};
}

// Random storage: a sold car is replaced by one of the same model and colour. Same size class, so with the
// tower otherwise full it takes the one free slot, the one the sold car left.
void Simulator::replace_sold(CarSpec sold) {
  for (const auto& model : catalogue()) {
    if (sold.make != model.make || sold.model != model.model) continue;
    auto events = tower_.apply(StockCar{make_car(model, sold.colour.c_str(), next_serial_++, sold.price.currency)}, now_);
    if (!events) return;  // no free slot fits it: it stays empty
    const CarStocked* stocked = find_event<CarStocked>(*events);
    car_weight_.resize(stocked->car.value, 1);
    car_weight_[stocked->car.value - 1] = model.popularity;
    return;
  }
}

std::uint32_t Simulator::new_visitor(VisitorKind kind, int min_score, int max_score) {
  const auto index = static_cast<std::uint32_t>(visitors_.size());
  const std::string n = std::to_string(index + 1);
  Visitor visitor;
  visitor.kind = kind;
  visitor.random = Random(scenario_.seed ^ (0x9E3779B97F4A7C15ull * (index + 1ull)));
  const int credit_score = static_cast<int>(visitor.random.between(min_score, max_score));
  auto events = tower_.apply(RegisterCustomer{"Customer " + n, "identity-" + n, "selfie-" + n, credit_score, false}, now_);
  if (events) visitor.customer = find_event<CustomerRegistered>(*events)->customer;
  char code[17];
  const char* digits = "0123456789abcdef";
  std::uint64_t bits = visitor.random.next_u64();
  for (int i = 0; i < 16; ++i, bits >>= 4) code[i] = digits[bits & 15];
  code[16] = '\0';
  visitor.code = code;
  visitors_.push_back(std::move(visitor));
  return index;
}

void Simulator::count_refusal(const Error& error) {
  ++counts_.refused;
  if (error.code == ErrorCode::not_eligible) ++counts_.refused_not_eligible;
  log(static_cast<EventKind>(200), static_cast<std::uint32_t>(error.code), 0, 0);
}

// Buys on the spot: register, choose, order, pay the down payment, then wait at the kiosk for the car.
void Simulator::on_buyer_arrives(int min_score, int max_score) {
  ++counts_.customers;
  const std::uint32_t v = new_visitor(VisitorKind::buyer, min_score, max_score);
  Visitor& visitor = visitors_[v];
  visitor.car = choose_car(visitor.random);
  if (!visitor.car.valid()) {
    ++counts_.refused_no_car;
    ++counts_.refused;
    return;
  }
  auto placed = tower_.apply(PlaceOrder{visitor.customer, visitor.car, visitor.code}, now_);
  if (!placed) return count_refusal(placed.error());
  const OrderPlaced* order = find_event<OrderPlaced>(*placed);
  visitor.order = order->order;
  if (auto paid = tower_.apply(PayOrder{order->order, order->down_payment}, now_); !paid)
    return count_refusal(paid.error());
  visitor.arrived = now_;
  request_retrieval(v);
}

// Books a test drive for a pickup at an announced time (`pickup`, or after a lead drawn from the demand's
// range when negative), then comes to the kiosk around that time; brings the car back at `back` if set.
void Simulator::on_trial_booking(int min_score, int max_score, SimTime pickup, SimTime back) {
  ++counts_.customers;
  const auto& demand = scenario_.demand;
  const std::uint32_t v = new_visitor(VisitorKind::trial, min_score, max_score);
  visitors_[v].car = choose_car(visitors_[v].random);
  if (!visitors_[v].car.valid()) {
    ++counts_.refused_no_car;
    ++counts_.refused;
    return;
  }
  auto booked = tower_.apply(BookTrial{visitors_[v].customer, visitors_[v].car, visitors_[v].code}, now_);
  if (!booked) return count_refusal(booked.error());
  visitors_[v].trial = find_event<TrialBooked>(*booked)->trial;
  visitors_[v].back = back;
  if (pickup.us >= 0) return announce_pickup(v, pickup);
  const double lead_hours = visitors_[v].random.uniform(demand.booking_lead_min_hours, demand.booking_lead_max_hours);
  announce_pickup(v, now_ + Duration{static_cast<std::int64_t>(lead_hours * 3'600'000'000.0)});
}

// Flash-sale winners: each has ordered and paid a car and comes within the rush window.
void Simulator::on_rush_starts() {
  const auto& rush = scenario_.flash_rush;
  const auto& credit = scenario_.config.credit;
  for (int i = 0; i < rush.pickups; ++i) {
    ++counts_.customers;
    const std::uint32_t v = new_visitor(VisitorKind::rush, credit.instant_purchase_min_score, credit.max_score);
    visitors_[v].car = choose_car(visitors_[v].random);
    if (!visitors_[v].car.valid()) {
      ++counts_.refused_no_car;
      ++counts_.refused;
      continue;
    }
    auto placed = tower_.apply(PlaceOrder{visitors_[v].customer, visitors_[v].car, visitors_[v].code}, now_);
    if (!placed) {
      count_refusal(placed.error());
      continue;
    }
    const OrderPlaced* order = find_event<OrderPlaced>(*placed);
    visitors_[v].order = order->order;
    if (auto paid = tower_.apply(PayOrder{order->order, order->down_payment}, now_); !paid) {
      count_refusal(paid.error());
      continue;
    }
    const auto offset = static_cast<std::int64_t>(visitors_[v].random.uniform(0.0, rush.over_minutes) * 60'000'000.0);
    announce_pickup(v, now_ + Duration{offset});
  }
}

// A booked pickup: the customer comes around the announced time; call-ahead stages the car before that.
void Simulator::announce_pickup(std::uint32_t v, SimTime announced) {
  visitors_[v].announced = announced;
  const auto jitter_us = static_cast<std::int64_t>(scenario_.arrival_jitter_minutes * 60'000'000.0);
  SimTime arrival = announced + Duration{visitors_[v].random.between(-jitter_us, jitter_us)};
  if (arrival < now_) arrival = now_;
  schedule(arrival, EventKind::kiosk_arrival, v);
  if (!scenario_.policy.call_ahead) return;
  const Car* car = tower_.car(visitors_[v].car);
  const auto margin = static_cast<std::int64_t>(scenario_.policy.call_ahead_margin_minutes * 60'000'000.0);
  const SimTime call_at =
      announced - estimate_retrieval(car->slot) - Duration{margin} - queue_backlog(lift_of_slot(car->slot));
  if (call_at <= now_) request_retrieval(v);
  else schedule(call_at, EventKind::call_ahead, v);
}

void Simulator::on_kiosk_arrival(std::uint32_t v) {
  Visitor& visitor = visitors_[v];
  visitor.arrived = now_;
  ++counts_.booked_pickups;
  if (visitor.ready.us >= 0) {
    ++counts_.ready_on_arrival;
    waits_us_.push_back(0);
    hour_waits_us_.push_back(0);
    const SimTime done = now_ + Duration{static_cast<std::int64_t>(scenario_.handover_minutes * 60'000'000.0)};
    bay_leaves_at_[jobs_[visitor.job - 1].bay.value - 1] = done;
    schedule(done, EventKind::handover_done, v);
  } else if (visitor.job == 0) {
    request_retrieval(v);
  }
}

void Simulator::on_car_in_bay(std::uint32_t v) {
  Visitor& visitor = visitors_[v];
  visitor.ready = now_;
  const Duration handover{static_cast<std::int64_t>(scenario_.handover_minutes * 60'000'000.0)};
  SimTime& leaves = bay_leaves_at_[jobs_[visitor.job - 1].bay.value - 1];
  if (visitor.arrived.us < 0) {  // staged ahead: the car waits in the bay for its customer
    leaves = std::max(now_, visitor.announced) + handover;
    return;
  }
  const std::int64_t wait = (now_ - visitor.arrived).us;
  waits_us_.push_back(wait);
  hour_waits_us_.push_back(wait);
  leaves = now_ + handover;
  schedule(leaves, EventKind::handover_done, v);
}

void Simulator::on_handover_done(std::uint32_t v) {
  const Visitor& visitor = visitors_[v];
  const BayId bay = jobs_[visitor.job - 1].bay;
  auto events = tower_.apply(HandOver{visitor.car}, now_);
  if (!events) return count_refusal(events.error());
  bay_busy_[bay.value - 1] = 0;
  if (const TrialStarted* started = find_event<TrialStarted>(*events)) {
    ++counts_.trials_started;
    // Most drivers bring the car back within the three days, some a few hours early. A scripted driver comes
    // at their hour, or straight back if the handover ran later than that.
    if (visitor.back.us >= 0) {
      schedule(std::max(visitor.back, now_), EventKind::trial_return, started->trial.value);
    } else {
      const auto early = visitors_[v].random.between(0, hours(12).us);
      schedule(started->due_at - Duration{early}, EventKind::trial_return, started->trial.value);
    }
  } else {
    ++counts_.purchases_delivered;
    if (scenario_.demand.car_choice == CarChoice::random_storage) replace_sold(tower_.car(visitor.car)->spec);
  }
  dispatch();
  try_returns();
}

void Simulator::on_trial_return(std::uint32_t trial) {
  returners_.push_back(trial);
  try_returns();
}

// Returning drivers wait at the entrance until a bay is free, leave the car there, and a storage job follows.
// With several lifts they are waved to a free bay of the lift with the least work ahead of it.
void Simulator::try_returns() {
  while (!returners_.empty()) {
    Lift* chosen = nullptr;
    Duration least{};
    for (Lift& lift : lifts_) {
      if (!free_bay(lift).valid()) continue;
      const Duration backlog = lifts_.size() == 1 ? Duration{} : queue_backlog(lift);
      if (!chosen || backlog < least) chosen = &lift, least = backlog;
    }
    if (!chosen) return;
    const BayId bay = free_bay(*chosen);
    const TrialId trial{returners_.front()};
    returners_.erase(returners_.begin());
    auto events = tower_.apply(ReturnTrial{trial, bay, false}, now_);
    if (!events) {
      count_refusal(events.error());
      continue;
    }
    ++counts_.trials_returned;
    bay_busy_[bay.value - 1] = 1;
    bay_leaves_at_[bay.value - 1] = SimTime{std::numeric_limits<std::int64_t>::max()};  // its storage job takes it
    Job job;
    job.kind = JobKind::storage;
    job.lift = chosen->id;
    job.car = tower_.trial(trial)->car;
    job.bay = bay;
    job.requested = now_;
    job.first_eta = SimTime{-1};
    job.estimate = chosen->storage_estimate;
    jobs_.push_back(job);
    chosen->queue.push_back(static_cast<std::uint32_t>(jobs_.size() - 1));
    log(static_cast<EventKind>(201), trial.value, bay.value, 0);
  }
  dispatch();
}

// Cars already out on a test drive when the run starts: handed over at t = 0, back within three days.
void Simulator::start_trials_out(int count) {
  for (int i = 0; i < count; ++i)
    if (!start_trial_out(SimTime{-1})) return;
}

// One car out on a test drive since t = 0, coming back at `back` (drawn within the drive when negative).
// False when no car was free to be taken.
bool Simulator::start_trial_out(SimTime back) {
  const std::uint32_t v = new_visitor(VisitorKind::trial, scenario_.config.credit.max_score, scenario_.config.credit.max_score);
  Visitor& visitor = visitors_[v];
  visitor.car = choose_car(visitor.random);
  if (!visitor.car.valid()) return false;
  auto booked = tower_.apply(BookTrial{visitor.customer, visitor.car, visitor.code}, now_);
  if (!booked) return true;
  const TrialId trial = find_event<TrialBooked>(*booked)->trial;
  const BayId bay = lift_of_slot(tower_.car(visitor.car)->slot).first_bay;
  if (!tower_.apply(StartPickup{OrderId{}, trial, visitor.code, face_match_permille, bay}, now_) ||
      !tower_.apply(CarArrived{visitor.car, bay}, now_) || !tower_.apply(HandOver{visitor.car}, now_))
    return true;
  if (back.us < 0) back = SimTime{visitor.random.between(hours(1).us, scenario_.config.trials.drive_length.us)};
  schedule(back, EventKind::trial_return, trial.value);
  return true;
}

Result<std::uint32_t> Simulator::walk_in(const WalkIn& walk_in) {
  const std::uint32_t v = new_visitor(VisitorKind::buyer, walk_in.credit_score, walk_in.credit_score);
  Visitor& visitor = visitors_[v];
  if (!visitor.customer.valid()) return Error{ErrorCode::invalid_argument, "the credit score must be 350..950"};
  if (walk_in.super_member) {
    if (auto member = tower_.apply(SetMembership{visitor.customer, true}, now_); !member) return member.error();
  }
  visitor.car = walk_in.car;
  if (walk_in.trial) {
    visitor.kind = VisitorKind::trial;
    auto booked = tower_.apply(BookTrial{visitor.customer, visitor.car, visitor.code}, now_);
    if (!booked) return booked.error();
    visitor.trial = find_event<TrialBooked>(*booked)->trial;
  } else {
    auto placed = tower_.apply(PlaceOrder{visitor.customer, visitor.car, visitor.code}, now_);
    if (!placed) return placed.error();
    const OrderPlaced* order = find_event<OrderPlaced>(*placed);
    visitor.order = order->order;
    if (auto paid = tower_.apply(PayOrder{order->order, order->down_payment}, now_); !paid) return paid.error();
  }
  ++counts_.customers;
  visitor.arrived = now_;
  request_retrieval(v);
  update_etas();
  return v;
}

const Job* Simulator::visitor_job(std::uint32_t visitor) const {
  if (visitor >= visitors_.size() || visitors_[visitor].job == 0) return nullptr;
  return &jobs_[visitors_[visitor].job - 1];
}

}  // namespace tower
