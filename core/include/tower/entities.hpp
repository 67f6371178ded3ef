// The records a tower keeps: customers, cars, orders, trials, flash sales, claims and surveys.
// They are plain data; only Tower (tower.hpp) changes them, by folding events.
#pragma once

#include <string>

#include "tower/config.hpp"
#include "tower/ids.hpp"
#include "tower/money.hpp"
#include "tower/time.hpp"

namespace tower {

struct Customer {
  CustomerId id{};
  std::string name;
  std::string identity_digest;  // keyed hash of the identity document; the number itself never enters the core
  std::string selfie_template;  // reference to the enrolled face template
  int credit_score = 0;
  bool super_member = false;
};

// What a car is, as the stock list describes it.
struct CarSpec {
  std::string vin;
  std::string make;
  std::string model;
  std::string trim;
  std::string colour;
  Money price{};
  int length_mm = 0;
  int width_mm = 0;
  int height_mm = 0;
  int mass_kg = 0;
};

// in_slot and in_bay are places; the others say who has the car.
enum class CarState { in_slot, moving, in_bay, out_on_trial, sold, delivered, in_service };

// Who holds a car that is not free: nobody, an order (purchase) or a trial.
struct Hold {
  OrderId order{};
  TrialId trial{};
  bool held() const { return order.valid() || trial.valid(); }
};

struct Car {
  CarId id{};
  CarSpec spec;
  SizeClass size = SizeClass::standard;
  CarState state = CarState::in_slot;
  SlotId slot{};  // set while in_slot, and while moving into or out of it
  BayId bay{};    // set while in_bay, and while moving to or from it
  bool to_bay = false;  // while moving: true on retrieval (slot to bay), false on storage
  Hold hold;
};

enum class OrderState { awaiting_payment, paid, delivered, expired, cancelled };

struct Order {
  OrderId id{};
  CustomerId customer{};
  CarId car{};
  Money price{};
  Money down_payment{};
  OrderState state = OrderState::awaiting_payment;
  SimTime placed_at{};
  SimTime payment_deadline{};
  std::string pickup_code;  // opaque, single-use; the gateway stores a keyed digest here
  bool from_trial = false;  // converted from a test drive: the customer already has the car
};

enum class TrialState { booked, out, returned, no_show, cancelled, converted };

struct Trial {
  TrialId id{};
  CustomerId customer{};
  CarId car{};
  std::string model_key;  // make + model: each model once per customer
  TrialState state = TrialState::booked;
  Money fee{};
  Money deposit{};
  SimTime booked_at{};
  SimTime pickup_deadline{};
  SimTime started_at{};
  SimTime due_at{};
  SimTime returned_at{};
  Money late_fee{};
  bool damaged = false;
  std::string pickup_code;
};

struct FlashSale {
  SaleId id{};
  std::string make;
  std::string model;
  std::string colour;
  int units = 0;
  Money price{};
  SimTime opens_at{};
  int reserved = 0;  // claims awaiting payment
  int sold = 0;      // claims paid
  int available() const { return units - reserved - sold; }
};

enum class ClaimState { reserved, paid, expired };

struct Claim {
  ClaimId id{};
  SaleId sale{};
  CustomerId customer{};
  ClaimState state = ClaimState::reserved;
  SimTime claimed_at{};
  SimTime payment_deadline{};
};

// What a survey is about: exactly one of an order or a trial.
struct SurveySubject {
  OrderId order{};
  TrialId trial{};
};

struct Survey {
  SurveyId id{};
  CustomerId customer{};
  SurveySubject subject;
  int rating = 0;  // 1..5
  std::string comment;
  SimTime submitted_at{};
};

const char* to_string(CarState state);
const char* to_string(OrderState state);
const char* to_string(TrialState state);
const char* to_string(ClaimState state);
const char* to_string(SizeClass size);
const char* to_string(FreeTrialRule rule);

}  // namespace tower
