// Invariants under seeded random command streams: no car in two places, no unit sold twice, no car promised
// twice, money and counts conserved, and the state always equal to the fold of its events.
// Long mode: tower_core_tests "[property]" --property-seed N --property-count 1000000
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "command_stream.hpp"
#include "fixtures.hpp"
#include "property.hpp"
#include "tower/codec.hpp"

using namespace tower;
using namespace tower::testing;

namespace {

void check_places(const Tower& tower) {
  const auto& state = tower.state();
  std::set<std::uint32_t> slots, bays;
  for (const auto& car : state.cars) {
    INFO("car " << car.id.value << " " << to_string(car.state));
    if (car.slot.valid()) {
      REQUIRE(slots.insert(car.slot.value).second);  // no two cars in one slot
      REQUIRE(tower.car_in_slot(car.slot) == car.id);
    }
    if (car.bay.valid()) {
      REQUIRE(bays.insert(car.bay.value).second);  // no two cars in one bay
      REQUIRE(tower.car_at_bay(car.bay) == car.id);
    }
    switch (car.state) {
      case CarState::in_slot:
      case CarState::sold: REQUIRE((car.slot.valid() && !car.bay.valid())); break;
      case CarState::in_bay: REQUIRE((car.bay.valid() && !car.slot.valid())); break;
      case CarState::moving: REQUIRE((car.slot.valid() && car.bay.valid())); break;
      default: REQUIRE((!car.slot.valid() && !car.bay.valid()));  // out of the tower
    }
  }
}

void check_promises(const Tower& tower) {
  const auto& state = tower.state();
  std::map<std::uint32_t, int> promised;  // car -> live orders and trials
  for (const auto& order : state.orders)
    if (!order.from_trial && (order.state == OrderState::awaiting_payment || order.state == OrderState::paid))
      ++promised[order.car.value];
  for (const auto& trial : state.trials)
    if (trial.state == TrialState::booked || trial.state == TrialState::out) ++promised[trial.car.value];
  for (const auto& [car, count] : promised) {
    INFO("car " << car);
    REQUIRE(count == 1);
  }
  std::set<std::uint64_t> claimants;
  std::vector<int> reserved(state.sales.size()), sold(state.sales.size());
  for (const auto& claim : state.claims) {
    REQUIRE(claimants.insert(std::uint64_t{claim.sale.value} << 32 | claim.customer.value).second);
    if (claim.state == ClaimState::reserved) ++reserved[claim.sale.value - 1];
    if (claim.state == ClaimState::paid) ++sold[claim.sale.value - 1];
  }
  for (const auto& sale : state.sales) {
    REQUIRE(sale.reserved == reserved[sale.id.value - 1]);
    REQUIRE(sale.sold == sold[sale.id.value - 1]);
    REQUIRE(sale.reserved + sale.sold <= sale.units);  // never more winners than units
  }
}

void check_money(const Tower& tower, const Event& event) {
  const auto& config = tower.config();
  if (const auto* placed = std::get_if<OrderPlaced>(&event.body)) {
    REQUIRE(placed->price == tower.car(placed->car)->spec.price);
    REQUIRE(placed->down_payment.minor == apply_ppm(placed->price.minor, config.sales.down_payment));
  }
  if (const auto* returned = std::get_if<TrialReturned>(&event.body)) {
    const Trial& trial = *tower.trial(returned->trial);
    // The deposit is split between the refund and what lateness or damage keeps; nothing appears or vanishes.
    REQUIRE(returned->deposit_refund.minor >= 0);
    REQUIRE(returned->deposit_refund.minor <= trial.deposit.minor);
    if (!returned->damaged)
      REQUIRE(returned->deposit_refund.minor == std::max<std::int64_t>(0, trial.deposit.minor - returned->late_fee.minor));
  }
}

}  // namespace

TEST_CASE("random command streams keep every invariant", "[property]") {
  const std::uint64_t seed = property_seed;
  const int steps = property_count * 10;
  INFO("seed " << seed << ", " << steps << " commands");
  Tower tower = default_tower();
  CommandStream stream(seed);
  std::vector<Event> log;
  std::size_t stocked = 0, accepted = 0;
  std::map<std::string, int> seen;  // events by type
  for (int step = 0; step < steps; ++step) {
    const Command command = stream.next(tower);
    // Hashing the whole state is costly, so every 32nd command also checks that a refusal changes nothing.
    const bool audit = step % 32 == 0;
    const std::uint64_t before = audit ? tower.state_hash() : 0;
    auto events = tower.apply(command, stream.now());
    if (!events) {
      if (audit) REQUIRE(tower.state_hash() == before);
      continue;
    }
    ++accepted;
    for (const auto& event : *events) {
      check_money(tower, event);
      ++seen[event_name(event)];
      if (std::holds_alternative<CarStocked>(event.body)) ++stocked;
    }
    log.insert(log.end(), events->begin(), events->end());
    check_places(tower);
    check_promises(tower);
    REQUIRE(tower.state().cars.size() == stocked);  // cars never appear or vanish
  }
  // The stream must reach the interesting paths, or the invariants above prove little.
  CHECK(accepted > static_cast<std::size_t>(steps) / 20);
  for (const char* kind : {"order_paid", "order_expired", "retrieval_started", "order_delivered", "trial_started",
                           "trial_returned", "trial_no_show", "claim_won", "claim_paid", "claim_expired",
                           "storage_started", "car_stored_in_slot"}) {
    INFO(kind);
    CHECK(seen[kind] > 0);
  }

  Tower replayed = default_tower();
  for (const auto& event : log) replayed.fold(event);
  CHECK(replayed.state_hash() == tower.state_hash());
}
