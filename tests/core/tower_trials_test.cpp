// Test drives (core/src/tower_trials.cpp): booking within the quota, identity at pickup, return on time or late,
// damage, no-shows, and buying the car being driven.
#include <catch2/catch.hpp>

#include <string>

#include "fixtures.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

constexpr int face_ok = 950;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TrialId book(Tower& tower, CustomerId customer, CarId car, SimTime now, const std::string& code = "trial-code") {
  return only_event<TrialBooked>(accept(tower, BookTrial{customer, car, code}, now)).trial;
}

// Pickup at the kiosk, the machine brings the car, the customer drives off: the trial is out.
void drive_off(Tower& tower, TrialId trial, SimTime now, BayId bay = BayId{1}, const std::string& code = "trial-code") {
  const CarId car = tower.trial(trial)->car;
  accept(tower, StartPickup{OrderId{}, trial, code, face_ok, bay}, now);
  accept(tower, CarArrived{car, bay}, now);
  accept(tower, HandOver{car}, now);
  REQUIRE(tower.trial(trial)->state == TrialState::out);
}

// The returned car goes back from the bay to a slot.
void store(Tower& tower, CarId car, SimTime now) {
  const SlotId slot = only_event<StorageStarted>(accept(tower, StoreCar{car}, now)).slot;
  accept(tower, CarStored{car, slot}, now);
  REQUIRE(tower.car(car)->state == CarState::in_slot);
}

// A whole test drive: book, pick up, return two hours later (on time) and store the car again.
TrialId full_drive(Tower& tower, CustomerId customer, CarId car, SimTime start) {
  const TrialId trial = book(tower, customer, car, start);
  drive_off(tower, trial, start);
  accept(tower, ReturnTrial{trial, BayId{1}, false}, start + hours(2));
  store(tower, car, start + hours(2));
  return trial;
}

}  // namespace

TEST_CASE("booking a test drive needs a selfie", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId no_selfie = register_customer(tower, 800, true, {}, "");
  const Error error = refuse(tower, BookTrial{no_selfie, car, "code"}, at_minute(1));
  CHECK(error.code == ErrorCode::not_eligible);
  CHECK(contains(error.message, "selfie"));
  CHECK(tower.state().trials.empty());

  const CustomerId with_selfie = register_customer(tower, 800, true);
  const TrialId trial = book(tower, with_selfie, car, at_minute(2));
  CHECK(tower.trial(trial)->state == TrialState::booked);
  CHECK(tower.car(car)->hold.trial == trial);
}

TEST_CASE("a customer has one test drive at a time", "[trials]") {
  Tower tower = default_tower();
  const CarId golf = stock_car(tower, "Golf");
  const CarId corolla = stock_car(tower, "Corolla");
  const CustomerId driver = register_customer(tower, 600);
  const TrialId first = book(tower, driver, golf, at_minute(0));

  Error error = refuse(tower, BookTrial{driver, corolla, "code"}, at_minute(1));  // booked, not yet picked up
  CHECK(error.code == ErrorCode::limit_reached);
  CHECK(contains(error.message, "one at a time"));

  drive_off(tower, first, at_minute(2));
  error = refuse(tower, BookTrial{driver, corolla, "code"}, at_minute(3));  // out on the road
  CHECK(error.code == ErrorCode::limit_reached);
  CHECK_FALSE(tower.car(corolla)->hold.held());
}

TEST_CASE("a customer test-drives each model once", "[trials]") {
  Tower tower = default_tower();
  const CarId golf = stock_car(tower, "Golf", {}, "white");
  const CarId other_golf = stock_car(tower, "Golf", {}, "red");
  const CustomerId driver = register_customer(tower, 600);
  full_drive(tower, driver, golf, at_minute(0));

  for (const CarId car : {golf, other_golf}) {  // the same car, or another colour of the same model
    const Error error = refuse(tower, BookTrial{driver, car, "code"}, at_minute(300));
    CHECK(error.code == ErrorCode::limit_reached);
    CHECK(contains(error.message, "Volkswagen Golf"));
  }
  // Another customer may still try it.
  book(tower, register_customer(tower, 600, false, at_minute(300)), other_golf, at_minute(300));
}

TEST_CASE("a customer has at most 5 test drives in any 60 days", "[trials]") {
  Tower tower = default_tower();
  const CustomerId driver = register_customer(tower, 600);
  const char* models[] = {"Golf", "Corolla", "Accord", "Model 3", "Han", "Giulia", "Ghibli"};
  CarId cars[7];
  for (int i = 0; i < 7; ++i) cars[i] = stock_car(tower, models[i]);

  const SimTime first_booking = SimTime{} + days(1);
  for (int i = 0; i < 5; ++i) full_drive(tower, driver, cars[i], first_booking + days(i));

  const SimTime just_before = first_booking + days(60) - minutes(1);
  const Error error = refuse(tower, BookTrial{driver, cars[5], "code"}, just_before);
  CHECK(error.code == ErrorCode::limit_reached);
  CHECK(contains(error.message, "5 test drives"));
  CHECK(contains(error.message, "1 minute"));  // when the next one is possible
  CHECK_FALSE(tower.car(cars[5])->hold.held());

  // Once the oldest booking leaves the window, the 6th is allowed; the 7th waits for the second oldest.
  const TrialId sixth = book(tower, driver, cars[5], first_booking + days(60));
  CHECK(tower.trial(sixth)->state == TrialState::booked);
  accept(tower, CancelTrial{sixth, driver}, first_booking + days(60));
  full_drive(tower, driver, cars[5], first_booking + days(60));
  CHECK(refuse(tower, BookTrial{driver, cars[6], "code"}, first_booking + days(60) + hours(3)).code ==
        ErrorCode::limit_reached);
  book(tower, driver, cars[6], first_booking + days(61));
}

TEST_CASE("pickup needs the right code and a face match of at least 900 permille", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId driver = register_customer(tower, 600);
  const TrialId trial = book(tower, driver, car, at_minute(0), "right-code");

  const Error wrong_code = refuse(tower, StartPickup{OrderId{}, trial, "wrong-code", face_ok, BayId{1}}, at_minute(1));
  CHECK(wrong_code.code == ErrorCode::forbidden);
  CHECK(contains(wrong_code.message, "code"));

  const Error no_code = refuse(tower, StartPickup{OrderId{}, trial, "", face_ok, BayId{1}}, at_minute(1));
  CHECK(no_code.code == ErrorCode::forbidden);

  const Error weak_face = refuse(tower, StartPickup{OrderId{}, trial, "right-code", 899, BayId{1}}, at_minute(1));
  CHECK(weak_face.code == ErrorCode::forbidden);
  CHECK(contains(weak_face.message, "face"));

  CHECK(tower.trial(trial)->state == TrialState::booked);
  CHECK(tower.car(car)->state == CarState::in_slot);
  CHECK_FALSE(tower.car_at_bay(BayId{1}).valid());

  const auto events = accept(tower, StartPickup{OrderId{}, trial, "right-code", 900, BayId{1}}, at_minute(2));
  const RetrievalStarted& started = only_event<RetrievalStarted>(events);
  CHECK(started.car == car);
  CHECK(started.bay == BayId{1});
  CHECK(tower.car(car)->state == CarState::moving);
}

TEST_CASE("a pickup code is single-use", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId driver = register_customer(tower, 600);
  const TrialId trial = book(tower, driver, car, at_minute(0), "once");
  accept(tower, StartPickup{OrderId{}, trial, "once", face_ok, BayId{1}}, at_minute(1));

  const Error reused = refuse(tower, StartPickup{OrderId{}, trial, "once", face_ok, BayId{2}}, at_minute(2));
  CHECK(reused.code == ErrorCode::forbidden);
  CHECK(contains(reused.message, "already been used"));
  CHECK_FALSE(tower.car_at_bay(BayId{2}).valid());
}

TEST_CASE("a test drive lasts 3 days", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId driver = register_customer(tower, 600);
  const TrialId trial = book(tower, driver, car, at_minute(0));
  drive_off(tower, trial, at_minute(10));
  CHECK(tower.trial(trial)->started_at == at_minute(10));
  CHECK(tower.trial(trial)->due_at == at_minute(10) + days(3));
  CHECK(tower.car(car)->state == CarState::out_on_trial);
  CHECK_FALSE(tower.car_at_bay(BayId{1}).valid());  // the bay is free once the car drove out
}

TEST_CASE("a return within the grace hour is on time and refunds the full deposit", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId driver = register_customer(tower, 600);  // paid trial, 10% off: deposit 2,700
  const TrialId trial = book(tower, driver, car, at_minute(0));
  REQUIRE(tower.trial(trial)->deposit == cny(2'700));
  drive_off(tower, trial, at_minute(0));
  const SimTime due = tower.trial(trial)->due_at;

  const auto events = accept(tower, ReturnTrial{trial, BayId{2}, false}, due + hours(1));
  const TrialReturned& returned = only_event<TrialReturned>(events);
  CHECK(returned.late_fee.minor == 0);
  CHECK(returned.deposit_refund == cny(2'700));
  CHECK(tower.trial(trial)->state == TrialState::returned);
  CHECK(tower.car(car)->state == CarState::in_bay);
  CHECK(tower.car_at_bay(BayId{2}) == car);
  CHECK_FALSE(tower.car(car)->hold.held());
}

TEST_CASE("a late return is charged per started day and deducted from the deposit", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId driver = register_customer(tower, 600);  // deposit 2,700; late fee 300 a day
  const TrialId trial = book(tower, driver, car, at_minute(0));
  drive_off(tower, trial, at_minute(0));
  const SimTime due = tower.trial(trial)->due_at;

  SECTION("just past the grace hour: one started day") {
    const auto events = accept(tower, ReturnTrial{trial, BayId{1}, false}, due + hours(1) + minutes(1));
    const TrialReturned& returned = only_event<TrialReturned>(events);
    CHECK(returned.late_fee == cny(300));
    CHECK(returned.deposit_refund == cny(2'400));
    CHECK(tower.trial(trial)->late_fee == cny(300));
  }
  SECTION("a day and a minute late: two started days") {
    const auto events = accept(tower, ReturnTrial{trial, BayId{1}, false}, due + days(1) + minutes(1));
    const TrialReturned& returned = only_event<TrialReturned>(events);
    CHECK(returned.late_fee == cny(600));
    CHECK(returned.deposit_refund == cny(2'100));
  }
  SECTION("later than the deposit covers: nothing is refunded") {
    const auto events = accept(tower, ReturnTrial{trial, BayId{1}, false}, due + days(20));
    const TrialReturned& returned = only_event<TrialReturned>(events);
    CHECK(returned.late_fee == cny(6'000));
    CHECK(returned.deposit_refund.minor == 0);
  }
  CHECK(tower.trial(trial)->state == TrialState::returned);
}

TEST_CASE("a damaged car goes to service and the deposit is withheld", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId driver = register_customer(tower, 600);
  const TrialId trial = book(tower, driver, car, at_minute(0));
  drive_off(tower, trial, at_minute(0));

  const auto events = accept(tower, ReturnTrial{trial, BayId{1}, true}, at_minute(60));
  const TrialReturned& returned = only_event<TrialReturned>(events);
  CHECK(returned.damaged);
  CHECK(returned.deposit_refund.minor == 0);
  CHECK(tower.trial(trial)->damaged);
  CHECK(tower.trial(trial)->state == TrialState::returned);
  CHECK(tower.car(car)->state == CarState::in_service);
  CHECK_FALSE(tower.car_at_bay(BayId{1}).valid());
  const CustomerId next = register_customer(tower, 600, false, at_minute(61));
  CHECK(refuse(tower, BookTrial{next, car, "code"}, at_minute(61)).code == ErrorCode::conflict);
}

TEST_CASE("a no-show releases the car when the pickup window passes", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId absent = register_customer(tower, 600);
  const CustomerId buyer = register_customer(tower, 800);
  const TrialId trial = book(tower, absent, car, at_minute(0));
  const SimTime deadline = tower.trial(trial)->pickup_deadline;
  CHECK(deadline == at_minute(0) + hours(24));

  CHECK(accept(tower, Tick{}, deadline - minutes(1)).empty());
  CHECK(accept(tower, Tick{}, deadline).empty());  // the deadline itself still counts
  CHECK(tower.trial(trial)->state == TrialState::booked);

  const auto events = accept(tower, Tick{}, deadline + microseconds(1));
  CHECK(only_event<TrialNoShow>(events).trial == trial);
  CHECK(tower.trial(trial)->state == TrialState::no_show);
  CHECK_FALSE(tower.car(car)->hold.held());
  CHECK(tower.car(car)->state == CarState::in_slot);

  const Error late = refuse(tower, StartPickup{OrderId{}, trial, "trial-code", face_ok, BayId{1}}, deadline + minutes(1));
  CHECK(late.code == ErrorCode::conflict);
  accept(tower, PlaceOrder{buyer, car, "buy"}, deadline + minutes(2));
}

TEST_CASE("a pickup after the pickup window is refused as expired", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId driver = register_customer(tower, 600);
  const TrialId trial = book(tower, driver, car, at_minute(0));
  const Error error = refuse(tower, StartPickup{OrderId{}, trial, "trial-code", face_ok, BayId{1}},
                             tower.trial(trial)->pickup_deadline + minutes(1));
  CHECK(error.code == ErrorCode::expired);
}

TEST_CASE("a no-show counts against the test drive quota", "[trials]") {
  TowerConfig config = default_tower_config();
  config.trials.max_trials_in_window = 1;
  Tower tower = default_tower(config);
  const CarId golf = stock_car(tower, "Golf");
  const CarId corolla = stock_car(tower, "Corolla");
  const CustomerId absent = register_customer(tower, 600);
  book(tower, absent, golf, at_minute(0));
  accept(tower, Tick{}, at_minute(0) + days(1) + microseconds(1));

  const Error error = refuse(tower, BookTrial{absent, corolla, "code"}, at_minute(0) + days(2));
  CHECK(error.code == ErrorCode::limit_reached);
  CHECK(contains(error.message, "1 test drives"));
}

TEST_CASE("a cancelled booking does not count against the quota", "[trials]") {
  TowerConfig config = default_tower_config();
  config.trials.max_trials_in_window = 1;
  Tower tower = default_tower(config);
  const CarId golf = stock_car(tower, "Golf");
  const CarId corolla = stock_car(tower, "Corolla");
  const CustomerId driver = register_customer(tower, 600);
  const CustomerId stranger = register_customer(tower, 600);
  const TrialId trial = book(tower, driver, golf, at_minute(0));
  CHECK(refuse(tower, CancelTrial{trial, stranger}, at_minute(1)).code == ErrorCode::forbidden);
  accept(tower, CancelTrial{trial, driver}, at_minute(1));
  CHECK(tower.trial(trial)->state == TrialState::cancelled);
  CHECK_FALSE(tower.car(golf)->hold.held());
  book(tower, driver, corolla, at_minute(2));
}

TEST_CASE("a customer can convert a test drive into a purchase", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");  // down payment 15,980
  const CustomerId driver = register_customer(tower, 800);
  const TrialId trial = book(tower, driver, car, at_minute(0));
  drive_off(tower, trial, at_minute(0));
  CHECK(tower.undelivered_cars() == std::vector<CarId>{car});  // out on a test drive is still the tower's

  const Error wrong = refuse(tower, ConvertTrial{trial, cny(15'979)}, at_minute(60));
  CHECK(wrong.code == ErrorCode::invalid_argument);
  CHECK(contains(wrong.message, "15980.00 CNY"));
  CHECK(tower.trial(trial)->state == TrialState::out);

  const auto events = accept(tower, ConvertTrial{trial, cny(15'980)}, at_minute(60));
  REQUIRE(std::holds_alternative<TrialConverted>(events.back().body));
  const OrderId order = std::get<TrialConverted>(events.back().body).order;
  CHECK(tower.trial(trial)->state == TrialState::converted);
  CHECK(tower.order(order)->state == OrderState::delivered);
  CHECK(tower.order(order)->customer == driver);
  CHECK(tower.order(order)->down_payment == cny(15'980));
  CHECK(tower.car(car)->state == CarState::delivered);
  CHECK_FALSE(tower.car(car)->hold.held());
  CHECK(tower.undelivered_cars().empty());

  CHECK(refuse(tower, ConvertTrial{trial, cny(15'980)}, at_minute(61)).code == ErrorCode::conflict);
  CHECK(refuse(tower, ReturnTrial{trial, BayId{1}, false}, at_minute(61)).code == ErrorCode::conflict);
}

TEST_CASE("converting a test drive needs instant-purchase eligibility", "[trials]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId driver = register_customer(tower, 700);
  const TrialId trial = book(tower, driver, car, at_minute(0));
  drive_off(tower, trial, at_minute(0));
  const Error error = refuse(tower, ConvertTrial{trial, cny(15'980)}, at_minute(60));
  CHECK(error.code == ErrorCode::not_eligible);
  CHECK(tower.trial(trial)->state == TrialState::out);
  CHECK(tower.car(car)->state == CarState::out_on_trial);
}

TEST_CASE("after returning a test drive the customer can book another model", "[trials]") {
  Tower tower = default_tower();
  const CarId golf = stock_car(tower, "Golf");
  const CarId corolla = stock_car(tower, "Corolla");
  const CustomerId driver = register_customer(tower, 600);
  const TrialId first = book(tower, driver, golf, at_minute(0));
  drive_off(tower, first, at_minute(0));
  accept(tower, ReturnTrial{first, BayId{1}, false}, at_minute(600));

  const TrialId second = book(tower, driver, corolla, at_minute(601));
  CHECK(tower.trial(second)->state == TrialState::booked);
  CHECK(tower.car(corolla)->hold.trial == second);
}
