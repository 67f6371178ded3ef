// Stock and customers (core/src/tower_stock.cpp): the default layout, what may enter the tower, where a car is
// stored, and who may register.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "fixtures.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

CarSpec spec_of(const std::string& model, std::uint32_t serial) {
  return make_car(model_named(model), "white", serial);
}

const SlotDef& slot_of(const Tower& tower, CarId car) {
  const SlotId slot = tower.car(car)->slot;
  REQUIRE(slot.valid());
  return tower.config().layout.slots[slot.value - 1];
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the default tower has 15 levels of 4 slots and 2 bays", "[inventory]") {
  const Tower tower = default_tower();
  const TowerLayout& layout = tower.config().layout;
  CHECK(layout.levels == 15);
  CHECK(layout.slots.size() == 60u);
  CHECK(layout.bays.size() == 2u);
  for (int level = 1; level <= 15; ++level) {
    int on_level = 0;
    for (const auto& slot : layout.slots) on_level += slot.level == level ? 1 : 0;
    INFO("level " << level);
    CHECK(on_level == 4);
  }
  CHECK(tower.state().cars.empty());
  CHECK(tower.state().customers.empty());
}

TEST_CASE("a car beyond the EN 14010 envelope is refused, each dimension separately", "[inventory]") {
  Tower tower = default_tower();
  CarSpec at_limit = spec_of("GLS", 1);
  at_limit.length_mm = 5300;
  at_limit.width_mm = 2300;
  at_limit.height_mm = 2200;
  at_limit.mass_kg = 2500;

  struct Excess {
    const char* what;
    int CarSpec::*field;
  };
  std::uint32_t serial = 2;
  for (const Excess excess : {Excess{"length", &CarSpec::length_mm}, Excess{"width", &CarSpec::width_mm},
                              Excess{"height", &CarSpec::height_mm}, Excess{"mass", &CarSpec::mass_kg}}) {
    INFO(excess.what);
    CarSpec too_big = at_limit;
    too_big.vin = spec_of("GLS", serial++).vin;
    too_big.*excess.field += 1;
    const Error error = refuse(tower, StockCar{too_big}, at_minute(0));
    CHECK(error.code == ErrorCode::invalid_argument);
    CHECK(contains(error.message, "5300 x 2300 x 2200 mm and 2500 kg"));
    CHECK(contains(error.message, "EN 14010"));
  }
  CHECK(tower.state().cars.empty());

  // Exactly at the envelope is allowed, in a large slot.
  const auto events = accept(tower, StockCar{at_limit}, at_minute(0));
  CHECK(only_event<CarStocked>(events).size == SizeClass::large);
}

TEST_CASE("a malformed VIN is refused", "[inventory]") {
  Tower tower = default_tower();
  const std::string good = spec_of("Golf", 1).vin;
  REQUIRE(good.size() == 17u);
  std::string with_i = good, with_o = good, with_q = good, lower = good;
  with_i[5] = 'I';
  with_o[5] = 'O';
  with_q[5] = 'Q';
  lower[5] = 'a';
  for (const std::string& vin : {good.substr(0, 16), good + "1", std::string(), with_i, with_o, with_q, lower}) {
    INFO("vin '" << vin << "'");
    CarSpec spec = spec_of("Golf", 1);
    spec.vin = vin;
    const Error error = refuse(tower, StockCar{spec}, at_minute(0));
    CHECK(error.code == ErrorCode::invalid_argument);
    CHECK(contains(error.message, "vin"));
  }
  CarSpec spec = spec_of("Golf", 1);
  accept(tower, StockCar{spec}, at_minute(0));
}

TEST_CASE("a duplicate VIN is refused", "[inventory]") {
  Tower tower = default_tower();
  const CarSpec spec = spec_of("Golf", 7);
  accept(tower, StockCar{spec}, at_minute(0));
  CarSpec again = spec_of("Corolla", 7);  // another model with the same VIN
  REQUIRE(again.vin == spec.vin);
  const Error error = refuse(tower, StockCar{again}, at_minute(1));
  CHECK(error.code == ErrorCode::conflict);
  CHECK(contains(error.message, spec.vin));
  CHECK(tower.state().cars.size() == 1u);
}

TEST_CASE("a car takes the smallest slot class it fits", "[inventory]") {
  Tower tower = default_tower();
  const CarId golf = stock_car(tower, "Golf");
  CHECK(tower.car(golf)->size == SizeClass::compact);
  CHECK(slot_of(tower, golf).size == SizeClass::compact);

  const CarId corolla = stock_car(tower, "Corolla");
  CHECK(tower.car(corolla)->size == SizeClass::standard);
  CHECK(slot_of(tower, corolla).size == SizeClass::standard);

  const CarId gls = stock_car(tower, "GLS");
  CHECK(tower.car(gls)->size == SizeClass::large);
  CHECK(slot_of(tower, gls).size == SizeClass::large);
  CHECK(tower.car(gls)->state == CarState::in_slot);
  CHECK(tower.car_in_slot(tower.car(gls)->slot) == gls);
}

TEST_CASE("the smallest fitting class wins whatever order the configuration lists the classes in", "[inventory]") {
  TowerConfig config = default_tower_config();
  std::reverse(config.size_classes.begin(), config.size_classes.end());
  Tower tower = default_tower(config);
  CHECK(tower.car(stock_car(tower, "Golf"))->size == SizeClass::compact);
  CHECK(tower.car(stock_car(tower, "Corolla"))->size == SizeClass::standard);
  CHECK(tower.car(stock_car(tower, "GLS"))->size == SizeClass::large);
}

TEST_CASE("a compact car takes a compact slot while one is free, then the next larger class", "[inventory]") {
  Tower tower = default_tower();
  int compact_slots = 0;
  for (const auto& slot : tower.config().layout.slots) compact_slots += slot.size == SizeClass::compact ? 1 : 0;
  REQUIRE(compact_slots > 0);
  for (int i = 0; i < compact_slots; ++i) {
    const CarId golf = stock_car(tower, "Golf");
    REQUIRE(slot_of(tower, golf).size == SizeClass::compact);
  }
  const CarId overflow = stock_car(tower, "Golf");
  CHECK(tower.car(overflow)->size == SizeClass::compact);
  CHECK(slot_of(tower, overflow).size == SizeClass::standard);
}

TEST_CASE("slot assignment by demand puts the most wanted model nearest the bays", "[inventory]") {
  Tower tower = default_tower();
  // Corolla and Accord are both standard-class cars, so they compete for the same slots.
  const CarId first_corolla = stock_car(tower, "Corolla");
  const CarId second_corolla = stock_car(tower, "Corolla");
  const CustomerId buyer = register_customer(tower, 800);
  const CustomerId driver = register_customer(tower, 600);
  accept(tower, PlaceOrder{buyer, first_corolla, "buy"}, at_minute(1));
  accept(tower, BookTrial{driver, second_corolla, "try"}, at_minute(2));
  REQUIRE(tower.demand(model_key("Toyota", "Corolla")) == 2);
  REQUIRE(tower.demand(model_key("Honda", "Accord")) == 0);

  const CarId wanted = stock_car(tower, "Corolla", at_minute(3));
  const CarId unwanted = stock_car(tower, "Accord", at_minute(3));
  REQUIRE(slot_of(tower, wanted).size == slot_of(tower, unwanted).size);
  CHECK(slot_of(tower, wanted).level < slot_of(tower, unwanted).level);
}

TEST_CASE("stocking a car when no slot fits it is refused", "[inventory]") {
  Tower tower = default_tower();
  int large_slots = 0;
  for (const auto& slot : tower.config().layout.slots) large_slots += slot.size == SizeClass::large ? 1 : 0;
  for (int i = 0; i < large_slots; ++i) stock_car(tower, "GLS");
  const auto cars_before = tower.state().cars.size();
  const Error error = refuse(tower, StockCar{spec_of("GLS", 9'000)}, at_minute(1));
  CHECK(error.code == ErrorCode::conflict);
  CHECK(contains(error.message, "large"));
  CHECK(tower.state().cars.size() == cars_before);
  // Smaller cars still fit.
  stock_car(tower, "Golf", at_minute(1));
}

TEST_CASE("registration refuses a second account for the same identity", "[inventory]") {
  Tower tower = default_tower();
  accept(tower, RegisterCustomer{"Li Wei", "identity-dup", "selfie", 600, false}, at_minute(0));
  const Error error = refuse(tower, RegisterCustomer{"Li Wei again", "identity-dup", "selfie-2", 700, true}, at_minute(1));
  CHECK(error.code == ErrorCode::conflict);
  CHECK(tower.state().customers.size() == 1u);
}

TEST_CASE("registration refuses a credit score outside 350..950", "[inventory]") {
  Tower tower = default_tower();
  for (const int score : {349, 951, -1}) {
    INFO("score " << score);
    const Error error = refuse(tower, RegisterCustomer{"Out Of Range", "identity-range", "selfie", score, false}, at_minute(0));
    CHECK(error.code == ErrorCode::invalid_argument);
    CHECK(contains(error.message, "350..950"));
  }
  accept(tower, RegisterCustomer{"Lowest", "identity-low", "selfie", 350, false}, at_minute(0));
  accept(tower, RegisterCustomer{"Highest", "identity-high", "selfie", 950, false}, at_minute(0));
}

TEST_CASE("a customer registered without a score gets the new-customer score of 550", "[inventory]") {
  Tower tower = default_tower();
  const auto events = accept(tower, RegisterCustomer{"New", "identity-new", "selfie", 0, false}, at_minute(0));
  const CustomerId id = only_event<CustomerRegistered>(events).customer;
  CHECK(tower.customer(id)->credit_score == 550);
}

TEST_CASE("sample stock is priced in the tower's currency, and none where the catalogue has no prices", "[inventory]") {
  Random random(5);
  for (const CarSpec& spec : sample_stock(20, random, 1, usd(0).currency)) {
    CHECK(spec.price.currency == usd(0).currency);
    CHECK(spec.price.minor >= usd(20'000).minor);  // dollar list prices, not yuan figures relabelled
    CHECK(spec.price.minor <= usd(100'000).minor);
  }
  for (const CarSpec& spec : sample_stock(20, random)) CHECK(spec.price.currency == cny(0).currency);
  CHECK(sample_stock(20, random, 1, Currency{{'E', 'U', 'R'}}).empty());
  CHECK_FALSE(catalogue_prices_in(Currency{{'E', 'U', 'R'}}));
}
