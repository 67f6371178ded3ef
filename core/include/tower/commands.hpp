// Commands: everything that asks a tower to change. They come from customers (through the app or the kiosk),
// from staff, and from the machine (feedback). Tower::apply validates each one and answers with events or an error.
#pragma once

#include <string>
#include <variant>

#include "tower/entities.hpp"

namespace tower {

// [SECTION] Customers
struct RegisterCustomer {
  std::string name;
  std::string identity_digest;  // one account per identity document
  std::string selfie_template;
  int credit_score = 0;  // 0: not scored yet, the policy's new-customer score applies
  bool super_member = false;
};
struct UpdateCreditScore {  // from the credit provider
  CustomerId customer{};
  int credit_score = 0;
};
struct SetMembership {
  CustomerId customer{};
  bool super_member = false;
};

// [SECTION] Stock (staff)
struct StockCar {  // a new car enters through a bay and is stored in the slot the policy picks
  CarSpec spec;
};

// [SECTION] Purchases
struct PlaceOrder {  // instant purchase: reserves the car until the down payment arrives
  CustomerId customer{};
  CarId car{};
  std::string pickup_code;
};
struct PayOrder {  // from the payment provider: the down payment, exactly
  OrderId order{};
  Money amount{};
};
struct CancelOrder {
  OrderId order{};
  CustomerId customer{};  // the caller; only the order's owner may cancel
};

// [SECTION] Test drives
struct BookTrial {
  CustomerId customer{};
  CarId car{};
  std::string pickup_code;
};
struct CancelTrial {
  TrialId trial{};
  CustomerId customer{};
};
struct ReturnTrial {  // the car is back in a bay
  TrialId trial{};
  BayId bay{};
  bool damaged = false;
};
struct ConvertTrial {  // buy the car being test-driven; carries the down payment
  TrialId trial{};
  Money payment{};
};

// [SECTION] Pickup and the machine
struct StartPickup {  // at the kiosk: exactly one of order or trial, the code, and the face-match result
  OrderId order{};
  TrialId trial{};
  std::string pickup_code;
  int face_match_permille = 0;
  BayId bay{};
};
struct CarArrived {  // machine feedback: a retrieval finished in the bay
  CarId car{};
  BayId bay{};
};
struct HandOver {  // kiosk: the customer drove the car out of the bay
  CarId car{};
};
struct StoreCar {  // staff: move a car waiting in a bay to the slot the policy picks
  CarId car{};
};
struct CarStored {  // machine feedback: a storage finished in the slot
  CarId car{};
  SlotId slot{};
};
struct ServiceDone {  // a car back from the workshop, placed in a bay
  CarId car{};
  BayId bay{};
};

// [SECTION] Flash sales
struct CreateFlashSale {  // staff
  std::string make;
  std::string model;
  std::string colour;
  int units = 0;
  Money price{};
  SimTime opens_at{};
};
struct ClaimFlashSale {
  SaleId sale{};
  CustomerId customer{};
};
struct PayClaim {
  ClaimId claim{};
  Money amount{};
};

// [SECTION] After the sale
struct SubmitSurvey {  // exactly one of order or trial
  CustomerId customer{};
  OrderId order{};
  TrialId trial{};
  int rating = 0;
  std::string comment;
  bool incentive_offered = false;  // a rating bought with a gift is refused, never recorded
};

// [SECTION] Time
struct Tick {};  // expire what is due at `now`: unpaid reservations and claims, no-shows

using Command = std::variant<RegisterCustomer, UpdateCreditScore, SetMembership, StockCar, PlaceOrder, PayOrder,
                             CancelOrder, BookTrial, CancelTrial, ReturnTrial, ConvertTrial, StartPickup, CarArrived,
                             HandOver, StoreCar, CarStored, ServiceDone, CreateFlashSale, ClaimFlashSale, PayClaim,
                             SubmitSurvey, Tick>;

}  // namespace tower
