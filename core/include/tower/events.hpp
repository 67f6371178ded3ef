// Events: what happened. A tower's state is the fold of its events, so the log is the record of truth;
// replaying it (natively or in the browser) rebuilds the same state, bit for bit.
#pragma once

#include <string>
#include <variant>

#include "tower/entities.hpp"

namespace tower {

struct CustomerRegistered {
  CustomerId customer{};
  std::string name;
  std::string identity_digest;
  std::string selfie_template;
  int credit_score = 0;
  bool super_member = false;
};
struct CreditScoreChanged {
  CustomerId customer{};
  int credit_score = 0;
};
struct MembershipChanged {
  CustomerId customer{};
  bool super_member = false;
};
struct CarStocked {
  CarId car{};
  CarSpec spec;
  SizeClass size = SizeClass::standard;
  SlotId slot{};
};
struct OrderPlaced {
  OrderId order{};
  CustomerId customer{};
  CarId car{};
  Money price{};
  Money down_payment{};
  SimTime payment_deadline{};
  std::string pickup_code;
  bool from_trial = false;
};
struct OrderPaid {
  OrderId order{};
};
struct OrderCancelled {
  OrderId order{};
};
struct OrderExpired {
  OrderId order{};
};
struct OrderDelivered {
  OrderId order{};
};
struct TrialBooked {
  TrialId trial{};
  CustomerId customer{};
  CarId car{};
  std::string model_key;
  Money fee{};
  Money deposit{};
  SimTime pickup_deadline{};
  std::string pickup_code;
};
struct TrialCancelled {
  TrialId trial{};
};
struct TrialNoShow {
  TrialId trial{};
};
struct TrialStarted {
  TrialId trial{};
  SimTime due_at{};
};
struct TrialReturned {
  TrialId trial{};
  BayId bay{};
  Money late_fee{};
  bool damaged = false;
  Money deposit_refund{};
};
struct TrialConverted {
  TrialId trial{};
  OrderId order{};
};
struct RetrievalStarted {  // consumes the pickup code
  CarId car{};
  SlotId slot{};
  BayId bay{};
  OrderId order{};
  TrialId trial{};
};
struct CarArrivedInBay {
  CarId car{};
  BayId bay{};
};
struct StorageStarted {
  CarId car{};
  BayId bay{};
  SlotId slot{};
};
struct CarStoredInSlot {
  CarId car{};
  SlotId slot{};
};
struct CarServiced {
  CarId car{};
  BayId bay{};
};
struct FlashSaleCreated {
  SaleId sale{};
  std::string make;
  std::string model;
  std::string colour;
  int units = 0;
  Money price{};
  SimTime opens_at{};
};
struct ClaimWon {
  ClaimId claim{};
  SaleId sale{};
  CustomerId customer{};
  SimTime payment_deadline{};
};
struct ClaimPaid {
  ClaimId claim{};
};
struct ClaimExpired {
  ClaimId claim{};
};
struct SurveyRecorded {
  SurveyId survey{};
  CustomerId customer{};
  OrderId order{};
  TrialId trial{};
  int rating = 0;
  std::string comment;
};

using EventBody =
    std::variant<CustomerRegistered, CreditScoreChanged, MembershipChanged, CarStocked, OrderPlaced, OrderPaid,
                 OrderCancelled, OrderExpired, OrderDelivered, TrialBooked, TrialCancelled, TrialNoShow, TrialStarted,
                 TrialReturned, TrialConverted, RetrievalStarted, CarArrivedInBay, StorageStarted, CarStoredInSlot,
                 CarServiced, FlashSaleCreated, ClaimWon, ClaimPaid, ClaimExpired, SurveyRecorded>;

struct Event {
  SimTime at{};
  EventBody body;
};

}  // namespace tower
