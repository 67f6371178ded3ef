// A seeded stream of plausible commands (valid and invalid) for property and golden tests: customers
// register, cars are stocked, ordered, paid, test-driven, returned, flash sales open and are rushed.
#pragma once

#include <string>
#include <vector>

#include "tower/catalogue.hpp"
#include "tower/random.hpp"
#include "tower/tower.hpp"

namespace tower::testing {

class CommandStream {
 public:
  explicit CommandStream(std::uint64_t seed) : random_(seed) {}

  // The next command for `tower`, and advances the clock by a random step. Most commands target a record in
  // the state that can take them (a paid order for a pickup, a car in a bay for a hand-over); some are random.
  Command next(const Tower& tower) {
    // One draw per statement: the operands of + are unsequenced, and GCC and Clang order them differently.
    now_ = now_ + seconds(random_.between(0, 120));
    if (random_.chance(0.02)) now_ = now_ + hours(random_.between(1, 72));
    const auto& state = tower.state();
    const auto bays = static_cast<std::int64_t>(state.config.layout.bays.size());
    const BayId bay{static_cast<std::uint32_t>(random_.between(1, bays))};
    const CustomerId customer{pick(state.customers.size())};
    const CarId car{pick(state.cars.size())};
    switch (random_.below(22)) {
      case 0:
      case 1: {
        const int score = static_cast<int>(random_.between(349, 951));
        return RegisterCustomer{"c" + std::to_string(++registered_), "id" + std::to_string(random_.below(400)),
                                random_.chance(0.9) ? "selfie" : "", score, random_.chance(0.4)};
      }
      case 2: {
        Random stock_random(random_.next_u64());
        auto spec = sample_stock(1, stock_random, ++serial_).front();
        if (random_.chance(0.05)) spec.length_mm = 5400;  // too long for the tower
        return StockCar{spec};
      }
      case 3:
      case 4: return PlaceOrder{customer, car, code()};
      case 5: {
        const Order* order = choose(state.orders, [](const Order& o) { return o.state == OrderState::awaiting_payment; });
        if (!order) return Tick{};
        Money amount = order->down_payment;
        if (random_.chance(0.1)) amount.minor += 1;
        return PayOrder{order->id, amount};
      }
      case 6: return CancelOrder{{pick(state.orders.size())}, customer};
      case 7:
      case 8: return BookTrial{customer, car, code()};
      case 9: return CancelTrial{{pick(state.trials.size())}, customer};
      case 10:
      case 11: return pickup(tower, bay);
      case 12: {
        const Car* moving = choose(state.cars, [](const Car& c) { return c.state == CarState::moving && c.to_bay; });
        return moving ? Command{CarArrived{moving->id, random_.chance(0.9) ? moving->bay : bay}} : Command{Tick{}};
      }
      case 13: {
        const Car* waiting = choose(state.cars, [](const Car& c) { return c.state == CarState::in_bay; });
        return HandOver{waiting ? waiting->id : car};
      }
      case 14: {
        const Trial* out = choose(state.trials, [](const Trial& t) { return t.state == TrialState::out; });
        return ReturnTrial{out ? out->id : TrialId{pick(state.trials.size())}, bay, random_.chance(0.1)};
      }
      case 15: {
        const Car* waiting = choose(state.cars, [](const Car& c) { return c.state == CarState::in_bay && !c.hold.held(); });
        return StoreCar{waiting ? waiting->id : car};
      }
      case 16: {
        const Car* moving = choose(state.cars, [](const Car& c) { return c.state == CarState::moving && !c.to_bay; });
        return moving ? Command{CarStored{moving->id, moving->slot}} : Command{Tick{}};
      }
      case 17: {
        const Trial* out = choose(state.trials, [](const Trial& t) { return t.state == TrialState::out; });
        if (!out) return Tick{};
        return ConvertTrial{out->id, Money{apply_ppm(tower.car(out->car)->spec.price.minor, percent(10)), Currency{}}};
      }
      case 18:
        return CreateFlashSale{"Maserati", "Ghibli", "blue", static_cast<int>(random_.between(1, 5)), cny(698'800),
                               now_ + minutes(random_.between(0, 30))};
      case 19: return ClaimFlashSale{{pick(state.sales.size())}, customer};
      case 20: {
        const Claim* reserved = choose(state.claims, [](const Claim& c) { return c.state == ClaimState::reserved; });
        return PayClaim{reserved ? reserved->id : ClaimId{pick(state.claims.size())}, cny(69'880)};
      }
      default: {
        if (random_.chance(0.5)) return Tick{};
        const Order* delivered = choose(state.orders, [](const Order& o) { return o.state == OrderState::delivered; });
        return SubmitSurvey{delivered ? delivered->customer : customer, delivered ? delivered->id : OrderId{1}, {},
                            static_cast<int>(random_.between(0, 6)), "ok", random_.chance(0.1)};
      }
    }
  }

  SimTime now() const { return now_; }

 private:
  std::string code() { return "code-" + std::to_string(++codes_); }

  // An id in 1..count+1: mostly existing records, sometimes one that does not exist.
  std::uint32_t pick(std::size_t count) { return static_cast<std::uint32_t>(random_.between(1, static_cast<std::int64_t>(count) + 1)); }

  // A random record satisfying `wanted`, or none.
  template <class Record, class Predicate>
  const Record* choose(const std::vector<Record>& records, Predicate wanted) {
    std::vector<const Record*> matching;
    for (const auto& record : records)
      if (wanted(record)) matching.push_back(&record);
    return matching.empty() ? nullptr : matching[static_cast<std::size_t>(random_.below(matching.size()))];
  }

  Command pickup(const Tower& tower, BayId bay) {
    const auto& state = tower.state();
    const int face = static_cast<int>(random_.between(850, 1000));
    // Mostly the real code of an order or trial waiting for pickup; sometimes a forged one.
    const bool forged = random_.chance(0.1);
    if (random_.chance(0.5)) {
      if (const Order* order = choose(state.orders, [](const Order& o) { return o.state == OrderState::paid; }))
        return StartPickup{order->id, {}, forged ? "forged" : order->pickup_code, face, bay};
    }
    if (const Trial* trial = choose(state.trials, [](const Trial& t) { return t.state == TrialState::booked; }))
      return StartPickup{{}, trial->id, forged ? "forged" : trial->pickup_code, face, bay};
    return Tick{};
  }

  Random random_;
  SimTime now_{};
  int registered_ = 0;
  int codes_ = 0;
  std::uint32_t serial_ = 0;
};

}  // namespace tower::testing
