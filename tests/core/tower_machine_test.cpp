// Pickup and the machine (core/src/tower_machine.cpp): a paid order or a booked trial releases a car, the machine's
// feedback moves it between slot and bay; and the survey after a purchase or a test drive.
#include <catch2/catch.hpp>

#include <string>

#include "fixtures.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

constexpr int face_ok = 950;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// An order placed and paid: the car is sold and waits in its slot for the pickup.
OrderId paid_order(Tower& tower, CustomerId buyer, CarId car, SimTime now, const std::string& code = "buy-code") {
  const OrderId order = only_event<OrderPlaced>(accept(tower, PlaceOrder{buyer, car, code}, now)).order;
  accept(tower, PayOrder{order, tower.order(order)->down_payment}, now);
  REQUIRE(tower.car(car)->state == CarState::sold);
  return order;
}

// A paid order picked up through bay 1 and driven away.
OrderId delivered_order(Tower& tower, CustomerId buyer, CarId car, SimTime now) {
  const OrderId order = paid_order(tower, buyer, car, now);
  accept(tower, StartPickup{order, TrialId{}, "buy-code", face_ok, BayId{1}}, now);
  accept(tower, CarArrived{car, BayId{1}}, now);
  accept(tower, HandOver{car}, now);
  REQUIRE(tower.order(order)->state == OrderState::delivered);
  return order;
}

// A test drive booked, picked up through bay 1 and driven away.
TrialId trial_out(Tower& tower, CustomerId driver, CarId car, SimTime now) {
  const TrialId trial = only_event<TrialBooked>(accept(tower, BookTrial{driver, car, "try-code"}, now)).trial;
  accept(tower, StartPickup{OrderId{}, trial, "try-code", face_ok, BayId{1}}, now);
  accept(tower, CarArrived{car, BayId{1}}, now);
  accept(tower, HandOver{car}, now);
  REQUIRE(tower.trial(trial)->state == TrialState::out);
  return trial;
}

SubmitSurvey survey_of_order(CustomerId customer, OrderId order, int rating, bool incentive = false) {
  return SubmitSurvey{customer, order, TrialId{}, rating, "honest words", incentive};
}

SubmitSurvey survey_of_trial(CustomerId customer, TrialId trial, int rating, bool incentive = false) {
  return SubmitSurvey{customer, OrderId{}, trial, rating, "honest words", incentive};
}

}  // namespace

// [SECTION] Pickup and the machine

TEST_CASE("a purchase goes from order to payment to pickup to delivery", "[machine]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const CarId car = stock_car(tower, "Golf");
  const SlotId slot = tower.car(car)->slot;
  REQUIRE(tower.car_in_slot(slot) == car);

  const OrderId order = only_event<OrderPlaced>(accept(tower, PlaceOrder{buyer, car, "buy-code"}, at_minute(1))).order;
  CHECK(refuse(tower, StartPickup{order, TrialId{}, "buy-code", face_ok, BayId{1}}, at_minute(2)).code ==
        ErrorCode::conflict);  // not paid yet
  accept(tower, PayOrder{order, cny(15'980)}, at_minute(3));
  CHECK(tower.order(order)->state == OrderState::paid);
  CHECK(tower.car(car)->state == CarState::sold);

  const auto started = accept(tower, StartPickup{order, TrialId{}, "buy-code", face_ok, BayId{1}}, at_minute(10));
  CHECK(only_event<RetrievalStarted>(started).slot == slot);
  CHECK(tower.car(car)->state == CarState::moving);
  CHECK(tower.car_at_bay(BayId{1}) == car);
  CHECK(tower.car_in_slot(slot) == car);  // the slot stays taken until the car has left it

  CHECK(refuse(tower, HandOver{car}, at_minute(10)).code == ErrorCode::conflict);  // not in the bay yet

  const auto arrived = accept(tower, CarArrived{car, BayId{1}}, at_minute(12));
  CHECK(only_event<CarArrivedInBay>(arrived).bay == BayId{1});
  CHECK(tower.car(car)->state == CarState::in_bay);
  CHECK(tower.car(car)->bay == BayId{1});
  CHECK_FALSE(tower.car_in_slot(slot).valid());

  const auto handed = accept(tower, HandOver{car}, at_minute(14));
  CHECK(only_event<OrderDelivered>(handed).order == order);
  CHECK(tower.order(order)->state == OrderState::delivered);
  CHECK(tower.car(car)->state == CarState::delivered);
  CHECK_FALSE(tower.car_at_bay(BayId{1}).valid());
  CHECK(refuse(tower, CancelOrder{order, buyer}, at_minute(15)).code == ErrorCode::conflict);
}

TEST_CASE("a pickup code for an order is single-use", "[machine]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const CarId car = stock_car(tower, "Golf");
  const OrderId order = paid_order(tower, buyer, car, at_minute(0), "only-once");
  CHECK(refuse(tower, StartPickup{order, TrialId{}, "wrong", face_ok, BayId{1}}, at_minute(1)).code ==
        ErrorCode::forbidden);
  CHECK(refuse(tower, StartPickup{order, TrialId{}, "only-once", 899, BayId{1}}, at_minute(1)).code ==
        ErrorCode::forbidden);
  accept(tower, StartPickup{order, TrialId{}, "only-once", face_ok, BayId{1}}, at_minute(1));
  accept(tower, CarArrived{car, BayId{1}}, at_minute(2));
  const Error reused = refuse(tower, StartPickup{order, TrialId{}, "only-once", face_ok, BayId{2}}, at_minute(3));
  CHECK(reused.code == ErrorCode::forbidden);
  CHECK(contains(reused.message, "already been used"));
}

TEST_CASE("a pickup names exactly one of an order or a test drive", "[machine]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const CarId car = stock_car(tower, "Golf");
  const OrderId order = paid_order(tower, buyer, car, at_minute(0));
  CHECK(refuse(tower, StartPickup{OrderId{}, TrialId{}, "buy-code", face_ok, BayId{1}}, at_minute(1)).code ==
        ErrorCode::invalid_argument);
  CHECK(refuse(tower, StartPickup{order, TrialId{1}, "buy-code", face_ok, BayId{1}}, at_minute(1)).code ==
        ErrorCode::invalid_argument);
  CHECK(refuse(tower, StartPickup{order, TrialId{}, "buy-code", face_ok, BayId{3}}, at_minute(1)).code ==
        ErrorCode::not_found);
}

TEST_CASE("a bay holds one car at a time", "[machine]") {
  Tower tower = default_tower();
  const CustomerId first = register_customer(tower, 800);
  const CustomerId second = register_customer(tower, 800);
  const CarId first_car = stock_car(tower, "Golf");
  const CarId second_car = stock_car(tower, "Corolla");
  const OrderId first_order = paid_order(tower, first, first_car, at_minute(0), "first");
  const OrderId second_order = paid_order(tower, second, second_car, at_minute(0), "second");

  accept(tower, StartPickup{first_order, TrialId{}, "first", face_ok, BayId{1}}, at_minute(1));
  const Error busy = refuse(tower, StartPickup{second_order, TrialId{}, "second", face_ok, BayId{1}}, at_minute(2));
  CHECK(busy.code == ErrorCode::conflict);
  CHECK(contains(busy.message, "occupied"));
  CHECK(tower.car(second_car)->state == CarState::sold);
  CHECK(tower.order(second_order)->pickup_code == "second");  // a refused pickup does not burn the code

  accept(tower, CarArrived{first_car, BayId{1}}, at_minute(3));
  CHECK(refuse(tower, StartPickup{second_order, TrialId{}, "second", face_ok, BayId{1}}, at_minute(3)).code ==
        ErrorCode::conflict);  // still occupied while the car waits in the bay

  accept(tower, StartPickup{second_order, TrialId{}, "second", face_ok, BayId{2}}, at_minute(4));
  CHECK(tower.car_at_bay(BayId{2}) == second_car);

  accept(tower, HandOver{first_car}, at_minute(5));
  CHECK_FALSE(tower.car_at_bay(BayId{1}).valid());
}

TEST_CASE("a car arriving in the wrong bay is refused", "[machine]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const CarId car = stock_car(tower, "Golf");
  const CarId idle = stock_car(tower, "Corolla");
  const OrderId order = paid_order(tower, buyer, car, at_minute(0));
  accept(tower, StartPickup{order, TrialId{}, "buy-code", face_ok, BayId{1}}, at_minute(1));

  const Error wrong_bay = refuse(tower, CarArrived{car, BayId{2}}, at_minute(2));
  CHECK(wrong_bay.code == ErrorCode::conflict);
  CHECK(tower.car(car)->state == CarState::moving);
  CHECK(refuse(tower, CarArrived{idle, BayId{1}}, at_minute(2)).code == ErrorCode::conflict);  // not retrieved
  accept(tower, CarArrived{car, BayId{1}}, at_minute(2));
  CHECK(refuse(tower, CarArrived{car, BayId{1}}, at_minute(3)).code == ErrorCode::conflict);  // arrives once
}

TEST_CASE("a returned test-drive car is stored back in a slot", "[machine]") {
  Tower tower = default_tower();
  const CustomerId driver = register_customer(tower, 600);
  const CarId car = stock_car(tower, "Golf");
  const TrialId trial = trial_out(tower, driver, car, at_minute(0));
  accept(tower, ReturnTrial{trial, BayId{2}, false}, at_minute(600));
  REQUIRE(tower.car(car)->state == CarState::in_bay);
  REQUIRE(tower.car_at_bay(BayId{2}) == car);
  CHECK(refuse(tower, HandOver{car}, at_minute(601)).code == ErrorCode::conflict);  // nobody waits for it

  const auto storing = accept(tower, StoreCar{car}, at_minute(601));
  const SlotId slot = only_event<StorageStarted>(storing).slot;
  REQUIRE(slot.valid());
  CHECK(tower.config().layout.slots[slot.value - 1].size == SizeClass::compact);
  CHECK(tower.car(car)->state == CarState::moving);
  CHECK(tower.car_in_slot(slot) == car);  // reserved for the car on its way

  SlotId other_slot{slot.value == 1 ? 2u : 1u};
  CHECK(refuse(tower, CarStored{car, other_slot}, at_minute(602)).code == ErrorCode::conflict);
  accept(tower, CarStored{car, slot}, at_minute(602));
  CHECK(tower.car(car)->state == CarState::in_slot);
  CHECK(tower.car(car)->slot == slot);
  CHECK_FALSE(tower.car(car)->bay.valid());
  CHECK_FALSE(tower.car_at_bay(BayId{2}).valid());
  CHECK(refuse(tower, StoreCar{car}, at_minute(603)).code == ErrorCode::conflict);  // already stored

  // Back in stock: another customer can order it.
  const CustomerId buyer = register_customer(tower, 800, false, at_minute(603));
  paid_order(tower, buyer, car, at_minute(603));
}

TEST_CASE("a car waiting in a bay for its customer is not stored", "[machine]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const CarId car = stock_car(tower, "Golf");
  const OrderId order = paid_order(tower, buyer, car, at_minute(0));
  accept(tower, StartPickup{order, TrialId{}, "buy-code", face_ok, BayId{1}}, at_minute(1));
  CHECK(refuse(tower, StoreCar{car}, at_minute(1)).code == ErrorCode::conflict);  // still moving
  accept(tower, CarArrived{car, BayId{1}}, at_minute(2));
  const Error error = refuse(tower, StoreCar{car}, at_minute(3));
  CHECK(error.code == ErrorCode::conflict);
  CHECK(contains(error.message, "waiting"));
}

TEST_CASE("a serviced car comes back to a bay and can be stored", "[machine]") {
  Tower tower = default_tower();
  const CustomerId driver = register_customer(tower, 600);
  const CustomerId buyer = register_customer(tower, 800);
  const CarId car = stock_car(tower, "Golf");
  const CarId other = stock_car(tower, "Corolla");
  CHECK(refuse(tower, ServiceDone{other, BayId{1}}, at_minute(0)).code == ErrorCode::conflict);  // not in service

  const TrialId trial = trial_out(tower, driver, car, at_minute(0));
  accept(tower, ReturnTrial{trial, BayId{1}, true}, at_minute(600));
  REQUIRE(tower.car(car)->state == CarState::in_service);

  // Bay 1 is busy with another customer's car: the workshop must use a free bay.
  const OrderId order = paid_order(tower, buyer, other, at_minute(700));
  accept(tower, StartPickup{order, TrialId{}, "buy-code", face_ok, BayId{1}}, at_minute(700));
  CHECK(refuse(tower, ServiceDone{car, BayId{1}}, at_minute(701)).code == ErrorCode::conflict);

  const auto events = accept(tower, ServiceDone{car, BayId{2}}, at_minute(702));
  CHECK(only_event<CarServiced>(events).bay == BayId{2});
  CHECK(tower.car(car)->state == CarState::in_bay);
  CHECK(tower.car_at_bay(BayId{2}) == car);

  const SlotId slot = only_event<StorageStarted>(accept(tower, StoreCar{car}, at_minute(703))).slot;
  accept(tower, CarStored{car, slot}, at_minute(704));
  CHECK(tower.car(car)->state == CarState::in_slot);
  CHECK_FALSE(tower.car_at_bay(BayId{2}).valid());
}

// [SECTION] Surveys

TEST_CASE("a survey opens only after the delivery or the end of a test drive", "[survey]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const CustomerId driver = register_customer(tower, 600);
  const CarId bought = stock_car(tower, "Golf");
  const CarId tried = stock_car(tower, "Corolla");

  const OrderId order = paid_order(tower, buyer, bought, at_minute(0));
  CHECK(refuse(tower, survey_of_order(buyer, order, 5), at_minute(1)).code == ErrorCode::conflict);
  const TrialId trial = trial_out(tower, driver, tried, at_minute(1));
  CHECK(refuse(tower, survey_of_trial(driver, trial, 4), at_minute(2)).code == ErrorCode::conflict);

  accept(tower, ReturnTrial{trial, BayId{1}, false}, at_minute(60));
  const auto trial_survey = accept(tower, survey_of_trial(driver, trial, 4), at_minute(61));
  CHECK(only_event<SurveyRecorded>(trial_survey).rating == 4);

  accept(tower, StartPickup{order, TrialId{}, "buy-code", face_ok, BayId{2}}, at_minute(62));
  accept(tower, CarArrived{bought, BayId{2}}, at_minute(63));
  CHECK(refuse(tower, survey_of_order(buyer, order, 5), at_minute(63)).code == ErrorCode::conflict);
  accept(tower, HandOver{bought}, at_minute(64));
  accept(tower, survey_of_order(buyer, order, 5), at_minute(65));
  REQUIRE(tower.state().surveys.size() == 2u);
  CHECK(tower.state().surveys[1].subject.order == order);
  CHECK(tower.state().surveys[1].rating == 5);
  CHECK(tower.state().surveys[1].comment == "honest words");
}

TEST_CASE("a survey after a converted test drive is allowed", "[survey]") {
  Tower tower = default_tower();
  const CustomerId driver = register_customer(tower, 800);
  const CarId car = stock_car(tower, "Golf");
  const TrialId trial = trial_out(tower, driver, car, at_minute(0));
  accept(tower, ConvertTrial{trial, cny(15'980)}, at_minute(60));
  accept(tower, survey_of_trial(driver, trial, 3), at_minute(61));
  CHECK(tower.state().surveys.size() == 1u);
}

TEST_CASE("a survey rating is 1 to 5", "[survey]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const OrderId order = delivered_order(tower, buyer, stock_car(tower, "Golf"), at_minute(0));
  for (const int rating : {0, 6, -1}) {
    INFO("rating " << rating);
    const Error error = refuse(tower, survey_of_order(buyer, order, rating), at_minute(1));
    CHECK(error.code == ErrorCode::invalid_argument);
    CHECK(contains(error.message, "rating"));
  }
  CHECK(tower.state().surveys.empty());
  accept(tower, survey_of_order(buyer, order, 1), at_minute(1));
  CHECK(tower.state().surveys.size() == 1u);
}

TEST_CASE("a survey is one per purchase or test drive", "[survey]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const OrderId order = delivered_order(tower, buyer, stock_car(tower, "Golf"), at_minute(0));
  accept(tower, survey_of_order(buyer, order, 5), at_minute(1));
  const Error again = refuse(tower, survey_of_order(buyer, order, 1), at_minute(2));
  CHECK(again.code == ErrorCode::limit_reached);
  REQUIRE(tower.state().surveys.size() == 1u);
  CHECK(tower.state().surveys[0].rating == 5);
}

TEST_CASE("a survey can only rate your own purchase or test drive", "[survey]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const CustomerId stranger = register_customer(tower, 800);
  const OrderId order = delivered_order(tower, buyer, stock_car(tower, "Golf"), at_minute(0));
  const Error error = refuse(tower, survey_of_order(stranger, order, 1), at_minute(1));
  CHECK(error.code == ErrorCode::forbidden);
  CHECK(tower.state().surveys.empty());
  accept(tower, survey_of_order(buyer, order, 4), at_minute(2));  // the owner's rating is still open
}

TEST_CASE("a survey with an incentive offered is refused and not recorded", "[survey]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const OrderId order = delivered_order(tower, buyer, stock_car(tower, "Golf"), at_minute(0));
  const Error error = refuse(tower, survey_of_order(buyer, order, 5, true), at_minute(1));
  CHECK(error.code == ErrorCode::forbidden);
  CHECK(contains(error.message, "unbiased"));
  CHECK(tower.state().surveys.empty());
  // Nothing was recorded, so the customer can still give an honest rating.
  accept(tower, survey_of_order(buyer, order, 2), at_minute(2));
  REQUIRE(tower.state().surveys.size() == 1u);
  CHECK(tower.state().surveys[0].rating == 2);
}

// [SECTION] Several lifts

TEST_CASE("a car comes down only to a bay of its own lift, and a returned car goes up the shaft of its bay", "[machine]") {
  TowerConfig config = default_tower_config();
  config.layout = make_layout("two shafts", 3, 2, 4, 2, 2);  // lift 1: slots 1-6, bays 1 and 3; lift 2: slots 7-12, bays 2 and 4
  Tower tower = default_tower(config);
  const CustomerId driver = register_customer(tower, 800, true);
  CarId car;
  for (int i = 0; i < 8 && !car.valid(); ++i) {
    const CarId stocked = stock_car(tower, "Golf");
    if (lift_of(config.layout, tower.car(stocked)->slot) == LiftId{2}) car = stocked;
  }
  REQUIRE(car.valid());
  const TrialId trial = only_event<TrialBooked>(accept(tower, BookTrial{driver, car, "try-code"}, SimTime{})).trial;
  const Error wrong_shaft = refuse(tower, StartPickup{OrderId{}, trial, "try-code", face_ok, BayId{3}}, SimTime{});
  CHECK(wrong_shaft.code == ErrorCode::conflict);
  CHECK(contains(wrong_shaft.message, "stored around lift 2, which does not serve bay 3; it can come down to bay 2, 4"));
  accept(tower, StartPickup{OrderId{}, trial, "try-code", face_ok, BayId{4}}, SimTime{});
  accept(tower, CarArrived{car, BayId{4}}, SimTime{});
  accept(tower, HandOver{car}, SimTime{});

  // Returned through a bay of lift 1: it is stored around lift 1 now.
  accept(tower, ReturnTrial{trial, BayId{1}, false}, SimTime{} + hours(5));
  const auto stored = only_event<StorageStarted>(accept(tower, StoreCar{car}, SimTime{} + hours(5)));
  CHECK(lift_of(config.layout, stored.slot) == LiftId{1});
}
