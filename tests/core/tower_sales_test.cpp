// Purchases and flash sales (core/src/tower_sales.cpp): instant orders with a down payment, reservations that
// expire back to stock, and flash-sale claims that never oversell.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "fixtures.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

OrderId place_order(Tower& tower, CustomerId customer, CarId car, SimTime now) {
  return only_event<OrderPlaced>(accept(tower, PlaceOrder{customer, car, "code-" + std::to_string(customer.value)}, now))
      .order;
}

SaleId create_sale(Tower& tower, int units, SimTime opens_at, SimTime now = {}) {
  return only_event<FlashSaleCreated>(
             accept(tower, CreateFlashSale{"Maserati", "Ghibli", "blue", units, cny(698'800), opens_at}, now))
      .sale;
}

ClaimId claim(Tower& tower, SaleId sale, CustomerId customer, SimTime now) {
  return only_event<ClaimWon>(accept(tower, ClaimFlashSale{sale, customer}, now)).claim;
}

}  // namespace

// [SECTION] Orders

TEST_CASE("an order needs instant-purchase eligibility", "[orders]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId at_750 = register_customer(tower, 750);
  const Error error = refuse(tower, PlaceOrder{at_750, car, "code"}, at_minute(1));
  CHECK(error.code == ErrorCode::not_eligible);
  CHECK(contains(error.message, "751"));
  CHECK(tower.state().orders.empty());
  CHECK_FALSE(tower.car(car)->hold.held());

  const CustomerId at_751 = register_customer(tower, 751);
  const OrderId order = place_order(tower, at_751, car, at_minute(2));
  CHECK(tower.order(order)->state == OrderState::awaiting_payment);
  CHECK(tower.car(car)->hold.order == order);
}

TEST_CASE("the down payment is 10% of the price", "[orders]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");  // 159,800 CNY
  const CustomerId buyer = register_customer(tower, 800);
  const auto events = accept(tower, PlaceOrder{buyer, car, "code"}, at_minute(1));
  const OrderPlaced& placed = only_event<OrderPlaced>(events);
  CHECK(placed.price == cny(159'800));
  CHECK(placed.down_payment == cny(15'980));
  CHECK(tower.order(placed.order)->down_payment == cny(15'980));
  CHECK(placed.payment_deadline == at_minute(31));
}

TEST_CASE("a car is never promised twice", "[orders]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId first = register_customer(tower, 800);
  const CustomerId second = register_customer(tower, 800);
  const OrderId order = place_order(tower, first, car, at_minute(1));

  CHECK(refuse(tower, PlaceOrder{second, car, "code"}, at_minute(2)).code == ErrorCode::conflict);
  CHECK(refuse(tower, BookTrial{second, car, "code"}, at_minute(2)).code == ErrorCode::conflict);
  CHECK(refuse(tower, PlaceOrder{first, car, "again"}, at_minute(2)).code == ErrorCode::conflict);

  // Still promised once it is paid.
  accept(tower, PayOrder{order, tower.order(order)->down_payment}, at_minute(3));
  CHECK(refuse(tower, PlaceOrder{second, car, "code"}, at_minute(4)).code == ErrorCode::conflict);
  CHECK(refuse(tower, BookTrial{second, car, "code"}, at_minute(4)).code == ErrorCode::conflict);
  CHECK(tower.state().orders.size() == 1u);

  // A car booked for a test drive cannot be ordered either.
  const CarId other = stock_car(tower, "Corolla", at_minute(5));
  accept(tower, BookTrial{second, other, "try"}, at_minute(5));
  CHECK(refuse(tower, PlaceOrder{first, other, "code"}, at_minute(6)).code == ErrorCode::conflict);
}

TEST_CASE("an unpaid reservation expires after 30 minutes and the car returns to stock", "[orders]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId first = register_customer(tower, 800);
  const CustomerId second = register_customer(tower, 800);
  const OrderId order = place_order(tower, first, car, at_minute(0));

  CHECK(accept(tower, Tick{}, at_minute(29)).empty());
  CHECK(accept(tower, Tick{}, at_minute(30)).empty());  // the deadline itself still counts
  CHECK(tower.order(order)->state == OrderState::awaiting_payment);
  CHECK(tower.car(car)->hold.order == order);

  const auto expired = accept(tower, Tick{}, at_minute(30) + microseconds(1));
  CHECK(only_event<OrderExpired>(expired).order == order);
  CHECK(tower.order(order)->state == OrderState::expired);
  CHECK(tower.car(car)->state == CarState::in_slot);
  CHECK_FALSE(tower.car(car)->hold.held());
  CHECK(accept(tower, Tick{}, at_minute(31)).empty());  // expires once

  const OrderId again = place_order(tower, second, car, at_minute(32));
  CHECK(tower.order(again)->state == OrderState::awaiting_payment);
  CHECK(tower.car(car)->hold.order == again);
}

TEST_CASE("paying after the deadline is refused as expired", "[orders]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId buyer = register_customer(tower, 800);
  const OrderId order = place_order(tower, buyer, car, at_minute(0));
  const Money due = tower.order(order)->down_payment;

  SECTION("before the tick has run") {
    const Error error = refuse(tower, PayOrder{order, due}, at_minute(31));
    CHECK(error.code == ErrorCode::expired);
    CHECK(tower.order(order)->state == OrderState::awaiting_payment);
  }
  SECTION("at the deadline it is still accepted") {
    accept(tower, PayOrder{order, due}, at_minute(30));
    CHECK(tower.order(order)->state == OrderState::paid);
  }
  SECTION("after the tick expired it") {
    accept(tower, Tick{}, at_minute(30) + microseconds(1));
    const Error error = refuse(tower, PayOrder{order, due}, at_minute(31));
    CHECK(error.code == ErrorCode::expired);
    CHECK(tower.order(order)->state == OrderState::expired);
    CHECK(tower.car(car)->state == CarState::in_slot);
  }
}

TEST_CASE("a payment of the wrong amount is refused", "[orders]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId buyer = register_customer(tower, 800);
  const OrderId order = place_order(tower, buyer, car, at_minute(0));
  const Money due = tower.order(order)->down_payment;

  for (const Money wrong : {Money{due.minor - 1, due.currency}, Money{due.minor + 1, due.currency},
                            Money{due.minor, Currency{{'U', 'S', 'D'}}}, cny(0)}) {
    const Error error = refuse(tower, PayOrder{order, wrong}, at_minute(1));
    CHECK(error.code == ErrorCode::invalid_argument);
    CHECK(contains(error.message, "15980.00 CNY"));
  }
  CHECK(tower.order(order)->state == OrderState::awaiting_payment);

  accept(tower, PayOrder{order, due}, at_minute(2));
  CHECK(tower.order(order)->state == OrderState::paid);
  CHECK(tower.car(car)->state == CarState::sold);
  CHECK(refuse(tower, PayOrder{order, due}, at_minute(3)).code == ErrorCode::conflict);  // paid once
}

TEST_CASE("a customer cannot cancel another customer's order", "[orders]") {
  Tower tower = default_tower();
  const CarId car = stock_car(tower, "Golf");
  const CustomerId owner = register_customer(tower, 800);
  const CustomerId stranger = register_customer(tower, 800);
  const OrderId order = place_order(tower, owner, car, at_minute(0));

  const Error error = refuse(tower, CancelOrder{order, stranger}, at_minute(1));
  CHECK(error.code == ErrorCode::forbidden);
  CHECK(tower.order(order)->state == OrderState::awaiting_payment);
  CHECK(tower.car(car)->hold.order == order);

  accept(tower, CancelOrder{order, owner}, at_minute(2));
  CHECK(tower.order(order)->state == OrderState::cancelled);
  CHECK(tower.car(car)->state == CarState::in_slot);
  CHECK_FALSE(tower.car(car)->hold.held());
}

// [SECTION] Flash sales

TEST_CASE("a flash-sale claim before the opening is refused", "[flash_sale]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const SaleId sale = create_sale(tower, 10, at_minute(60));
  const Error error = refuse(tower, ClaimFlashSale{sale, buyer}, at_minute(59));
  CHECK(error.code == ErrorCode::too_early);
  CHECK(tower.sale(sale)->reserved == 0);
  claim(tower, sale, buyer, at_minute(60));  // the early attempt did not use up the customer's claim
  CHECK(tower.sale(sale)->reserved == 1);
}

TEST_CASE("a flash sale gives one unit per customer, even after the first claim expired", "[flash_sale]") {
  Tower tower = default_tower();
  const CustomerId buyer = register_customer(tower, 800);
  const SaleId sale = create_sale(tower, 10, at_minute(0));
  const ClaimId first = claim(tower, sale, buyer, at_minute(0));

  CHECK(refuse(tower, ClaimFlashSale{sale, buyer}, at_minute(1)).code == ErrorCode::limit_reached);

  accept(tower, Tick{}, at_minute(30) + microseconds(1));
  REQUIRE(tower.claim(first)->state == ClaimState::expired);
  CHECK(refuse(tower, ClaimFlashSale{sale, buyer}, at_minute(31)).code == ErrorCode::limit_reached);
  CHECK(tower.state().claims.size() == 1u);

  // One per customer per sale: another sale is a new chance.
  const SaleId next_sale = create_sale(tower, 1, at_minute(31), at_minute(31));
  claim(tower, next_sale, buyer, at_minute(31));
}

TEST_CASE("a flash-sale claim needs instant-purchase eligibility", "[flash_sale]") {
  Tower tower = default_tower();
  const CustomerId low = register_customer(tower, 750);
  const SaleId sale = create_sale(tower, 10, at_minute(0));
  const Error error = refuse(tower, ClaimFlashSale{sale, low}, at_minute(1));
  CHECK(error.code == ErrorCode::not_eligible);
  CHECK(contains(error.message, "751"));
  CHECK(tower.sale(sale)->available() == 10);
}

TEST_CASE("a claim on a sold-out flash sale is refused as sold out", "[flash_sale]") {
  Tower tower = default_tower();
  const CustomerId winner = register_customer(tower, 800);
  const CustomerId late = register_customer(tower, 800);
  const SaleId sale = create_sale(tower, 1, at_minute(0));
  const ClaimId won = claim(tower, sale, winner, at_minute(0));
  CHECK(refuse(tower, ClaimFlashSale{sale, late}, at_minute(1)).code == ErrorCode::sold_out);

  accept(tower, PayClaim{won, cny(69'880)}, at_minute(2));
  CHECK(tower.claim(won)->state == ClaimState::paid);
  CHECK(tower.sale(sale)->sold == 1);
  accept(tower, Tick{}, at_minute(40));  // a paid claim never expires
  CHECK(tower.claim(won)->state == ClaimState::paid);
  CHECK(refuse(tower, ClaimFlashSale{sale, late}, at_minute(41)).code == ErrorCode::sold_out);
}

TEST_CASE("a flash sale never has more winners than units", "[flash_sale]") {
  Tower tower = default_tower();
  const int units = 7;
  const SaleId sale = create_sale(tower, units, at_minute(0));
  int winners = 0;
  int sold_out = 0;
  std::set<std::uint32_t> winning_customers;
  for (int i = 0; i < 50; ++i) {
    const CustomerId customer = register_customer(tower, 800, false, at_minute(0));
    auto result = tower.apply(ClaimFlashSale{sale, customer}, at_minute(0));
    if (result) {
      ++winners;
      winning_customers.insert(customer.value);
    } else {
      CHECK(result.error().code == ErrorCode::sold_out);
      ++sold_out;
    }
  }
  CHECK(winners == units);
  CHECK(sold_out == 50 - units);
  CHECK(winning_customers.size() == static_cast<std::size_t>(units));
  CHECK(tower.sale(sale)->reserved == units);
  CHECK(tower.sale(sale)->available() == 0);
}

TEST_CASE("an expired flash-sale claim returns the unit so another customer can win it", "[flash_sale]") {
  Tower tower = default_tower();
  const CustomerId first = register_customer(tower, 800);
  const CustomerId second = register_customer(tower, 800);
  const SaleId sale = create_sale(tower, 1, at_minute(0));
  const ClaimId lapsed = claim(tower, sale, first, at_minute(0));
  REQUIRE(refuse(tower, ClaimFlashSale{sale, second}, at_minute(1)).code == ErrorCode::sold_out);

  CHECK(accept(tower, Tick{}, at_minute(30)).empty());
  const auto expired = accept(tower, Tick{}, at_minute(30) + microseconds(1));
  CHECK(only_event<ClaimExpired>(expired).claim == lapsed);
  CHECK(tower.claim(lapsed)->state == ClaimState::expired);
  CHECK(tower.sale(sale)->available() == 1);
  CHECK(refuse(tower, PayClaim{lapsed, cny(69'880)}, at_minute(31)).code == ErrorCode::expired);

  const ClaimId won = claim(tower, sale, second, at_minute(31));
  CHECK(tower.claim(won)->customer == second);
  CHECK(tower.sale(sale)->available() == 0);
}

TEST_CASE("the three flash-sale refusals have distinct messages", "[flash_sale]") {
  Tower tower = default_tower();
  const CustomerId first = register_customer(tower, 800);
  const CustomerId second = register_customer(tower, 800);
  const SaleId sale = create_sale(tower, 1, at_minute(10));

  const Error too_early = refuse(tower, ClaimFlashSale{sale, first}, at_minute(5));
  claim(tower, sale, first, at_minute(10));
  const Error duplicate = refuse(tower, ClaimFlashSale{sale, first}, at_minute(11));
  const Error sold_out = refuse(tower, ClaimFlashSale{sale, second}, at_minute(11));

  CHECK(too_early.code == ErrorCode::too_early);
  CHECK(duplicate.code == ErrorCode::limit_reached);
  CHECK(sold_out.code == ErrorCode::sold_out);
  CHECK_FALSE(too_early.message.empty());
  CHECK_FALSE(duplicate.message.empty());
  CHECK_FALSE(sold_out.message.empty());
  CHECK(too_early.message != duplicate.message);
  CHECK(too_early.message != sold_out.message);
  CHECK(duplicate.message != sold_out.message);
  CHECK(contains(too_early.message, "5 minutes"));
}
