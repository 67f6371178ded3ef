// Tower: the deterministic state machine of one tower's business. apply(command, now) validates a command
// against the state and the rules, returns the events it causes (or an Error a person can read) and folds
// them into the state. The state is exactly the fold of the events: replaying a log rebuilds it.
//
// [SECTION] Creating and restoring
// [SECTION] Commands and events
// [SECTION] Queries
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tower/commands.hpp"
#include "tower/config.hpp"
#include "tower/credit.hpp"
#include "tower/entities.hpp"
#include "tower/events.hpp"
#include "tower/result.hpp"

namespace tower {

// Everything a snapshot holds. Indices (who holds which slot, claims per customer, ...) are derived from it.
struct TowerState {
  TowerConfig config;
  SimTime now{};
  std::vector<Customer> customers;  // customers[i].id.value == i + 1, and likewise below
  std::vector<Car> cars;
  std::vector<Order> orders;
  std::vector<Trial> trials;
  std::vector<FlashSale> sales;
  std::vector<Claim> claims;
  std::vector<Survey> surveys;
};

// What the app shows before a customer commits: can they buy this car, can they test-drive it, on what terms.
struct Eligibility {
  Decision purchase;
  Decision trial;
  TrialTerms trial_terms;
};

class Tower {
 public:
  // [SECTION] Creating and restoring

  // An empty tower (no customers, no cars) with a validated configuration.
  static Result<Tower> create(TowerConfig config);
  // Rebuilds a tower from a snapshot's state, checking its consistency (ids, slots, holds).
  static Result<Tower> restore(TowerState state);

  // [SECTION] Commands and events

  // Validates `command` at time `now` and applies it. On success returns the events (possibly none) that are
  // now part of the state; on failure the state is untouched. `now` must not go backwards.
  Result<std::vector<Event>> apply(const Command& command, SimTime now);
  // The validation half of apply: the events the command would cause, without changing anything.
  Result<std::vector<Event>> decide(const Command& command, SimTime now) const;
  // Folds one event that apply (here or elsewhere) produced. Replaying a log is folding its events in order.
  void fold(const Event& event);

  // [SECTION] Queries
  const TowerState& state() const { return state_; }
  const TowerConfig& config() const { return state_.config; }
  SimTime now() const { return state_.now; }

  const Customer* customer(CustomerId id) const;
  const Car* car(CarId id) const;
  const Order* order(OrderId id) const;
  const Trial* trial(TrialId id) const;
  const FlashSale* sale(SaleId id) const;
  const Claim* claim(ClaimId id) const;
  CarId car_in_slot(SlotId slot) const;  // none when empty
  CarId car_at_bay(BayId bay) const;     // the car in, or moving to or from, the bay; none when free
  // Every car not yet delivered (in a slot or a bay, moving, out on a test drive, sold and awaiting handover),
  // by ascending id: the tower's own stock, without a walk over every car it has ever held.
  const std::vector<CarId>& undelivered_cars() const { return undelivered_; }

  // Whether the customer may buy or test-drive the car, with the terms and every reason.
  Result<Eligibility> eligibility(CustomerId customer, CarId car, SimTime now) const;
  // How often a model (make + model) has been ordered, test-driven or claimed: drives slot assignment.
  int demand(const std::string& model_key) const;

  // 64-bit FNV-1a of the canonical JSON of the state: equal states hash equally on every platform.
  std::uint64_t state_hash() const;

 private:
  explicit Tower(TowerState state);
  void rebuild_indices();

  // Deadlines of one kind arrive in time order (each is now + a fixed policy duration), so a FIFO per kind
  // is a priority queue. Entries that stopped pending are skipped, then popped by prune_deadlines().
  using DeadlineQueue = std::deque<std::pair<SimTime, std::uint32_t>>;
  void prune_deadlines();

  // decisions, one per command, in tower_*.cpp by area
  using Events = std::vector<Event>;
  Result<Events> decide_command(const RegisterCustomer&, SimTime) const;
  Result<Events> decide_command(const UpdateCreditScore&, SimTime) const;
  Result<Events> decide_command(const SetMembership&, SimTime) const;
  Result<Events> decide_command(const StockCar&, SimTime) const;
  Result<Events> decide_command(const PlaceOrder&, SimTime) const;
  Result<Events> decide_command(const PayOrder&, SimTime) const;
  Result<Events> decide_command(const CancelOrder&, SimTime) const;
  Result<Events> decide_command(const BookTrial&, SimTime) const;
  Result<Events> decide_command(const CancelTrial&, SimTime) const;
  Result<Events> decide_command(const ReturnTrial&, SimTime) const;
  Result<Events> decide_command(const ConvertTrial&, SimTime) const;
  Result<Events> decide_command(const StartPickup&, SimTime) const;
  Result<Events> decide_command(const CarArrived&, SimTime) const;
  Result<Events> decide_command(const HandOver&, SimTime) const;
  Result<Events> decide_command(const StoreCar&, SimTime) const;
  Result<Events> decide_command(const CarStored&, SimTime) const;
  Result<Events> decide_command(const ServiceDone&, SimTime) const;
  Result<Events> decide_command(const CreateFlashSale&, SimTime) const;
  Result<Events> decide_command(const ClaimFlashSale&, SimTime) const;
  Result<Events> decide_command(const PayClaim&, SimTime) const;
  Result<Events> decide_command(const SubmitSurvey&, SimTime) const;
  Result<Events> decide_command(const Tick&, SimTime) const;

  void fold_event(const CustomerRegistered&, SimTime);
  void fold_event(const CreditScoreChanged&, SimTime);
  void fold_event(const MembershipChanged&, SimTime);
  void fold_event(const CarStocked&, SimTime);
  void fold_event(const OrderPlaced&, SimTime);
  void fold_event(const OrderPaid&, SimTime);
  void fold_event(const OrderCancelled&, SimTime);
  void fold_event(const OrderExpired&, SimTime);
  void fold_event(const OrderDelivered&, SimTime);
  void fold_event(const TrialBooked&, SimTime);
  void fold_event(const TrialCancelled&, SimTime);
  void fold_event(const TrialNoShow&, SimTime);
  void fold_event(const TrialStarted&, SimTime);
  void fold_event(const TrialReturned&, SimTime);
  void fold_event(const TrialConverted&, SimTime);
  void fold_event(const RetrievalStarted&, SimTime);
  void fold_event(const CarArrivedInBay&, SimTime);
  void fold_event(const StorageStarted&, SimTime);
  void fold_event(const CarStoredInSlot&, SimTime);
  void fold_event(const CarServiced&, SimTime);
  void fold_event(const FlashSaleCreated&, SimTime);
  void fold_event(const ClaimWon&, SimTime);
  void fold_event(const ClaimPaid&, SimTime);
  void fold_event(const ClaimExpired&, SimTime);
  void fold_event(const SurveyRecorded&, SimTime);

  // shared checks
  Result<const Customer*> find_customer(CustomerId id) const;
  Result<const Car*> find_car(CarId id) const;
  Result<const Order*> find_order(OrderId id) const;
  Result<const Trial*> find_trial(TrialId id) const;
  Result<const Claim*> find_claim(ClaimId id) const;
  Result<const FlashSale*> find_sale(SaleId id) const;
  Status check_bay(BayId bay) const;
  Status check_car_available(const Car& car) const;
  Status check_trial_quota(const Customer& customer, const Car& car, SimTime now) const;
  // A free slot for the car, around `lift` if one is given.
  Result<SlotId> choose_slot(const CarSpec& spec, SizeClass size, LiftId lift = {}) const;
  Result<SizeClass> size_class_of(const CarSpec& spec) const;
  std::unordered_map<std::string, int> demand_by_model() const;
  bool order_pending(std::uint32_t id) const;
  bool claim_pending(std::uint32_t id) const;
  bool trial_awaiting_pickup(std::uint32_t id) const;
  void release_hold(CarId car);
  void set_slot(SlotId slot, CarId car);
  void set_bay(BayId bay, CarId car);
  void mark_delivered(Car& car);

  TowerState state_;

  // derived indices, rebuilt by rebuild_indices()
  std::vector<CarId> slot_cars_;                    // by slot id - 1
  std::vector<std::uint32_t> slots_low_first_;      // slot indices by level, in id order within a level
  std::vector<CarId> bay_cars_;                     // by bay id - 1
  std::vector<CarId> undelivered_;                  // ascending
  std::unordered_set<std::string> vins_;            // of every car ever stocked
  std::unordered_map<std::string, CustomerId> customers_by_identity_;
  std::unordered_set<std::uint64_t> claimed_;        // (sale << 32 | customer) of every claim ever made
  std::vector<std::vector<TrialId>> customer_trials_;  // by customer id - 1
  std::unordered_map<std::string, int> demand_;      // model key -> times ordered or test-driven
  std::vector<int> sale_demand_;                     // by sale id - 1: claims made; counted into demand()
  DeadlineQueue order_deadlines_;  // payment deadlines of orders awaiting payment
  DeadlineQueue claim_deadlines_;  // payment deadlines of reserved flash-sale claims
  DeadlineQueue trial_deadlines_;  // pickup deadlines of booked test drives
};

// "Make Model": the key for "each model once" and for demand.
std::string model_key(const std::string& make, const std::string& model);

}  // namespace tower
