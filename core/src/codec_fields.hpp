// The field lists of every record, command and event, written once and used by both the encoder and the
// decoder (and so by snapshots, logs and the API). Adding a field to a struct means adding one line here.
#pragma once

#include "tower/commands.hpp"
#include "tower/config.hpp"
#include "tower/events.hpp"
#include "tower/tower.hpp"

namespace tower::codec {

// [SECTION] Configuration
template <class V> void describe(V& v, CarEnvelope& x) {
  v("length_mm", x.length_mm); v("width_mm", x.width_mm); v("height_mm", x.height_mm); v("mass_kg", x.mass_kg);
}
template <class V> void describe(V& v, SizeClassLimit& x) { v("size", x.size); v("envelope", x.envelope); }
// "lift" and "lifts" are written only for towers with several lifts, so one-lift documents (and the states
// stored before lifts existed) read and hash as they always did.
template <class V> void describe(V& v, SlotDef& x) {
  v("id", x.id); v("level", x.level); v("position", x.position); v("size", x.size); v.optional("lift", x.lift, LiftId{1});
}
template <class V> void describe(V& v, BayDef& x) { v("id", x.id); v("name", x.name); v.optional("lift", x.lift, LiftId{1}); }
template <class V> void describe(V& v, TowerLayout& x) {
  v("name", x.name); v("levels", x.levels); v("level_pitch_m", x.level_pitch_m); v.optional("lifts", x.lifts, 1);
  v("slots", x.slots); v("bays", x.bays);
}
template <class V> void describe(V& v, ScoreBand& x) { v("min_score", x.min_score); v("discount", x.discount); }
template <class V> void describe(V& v, CreditPolicy& x) {
  v("min_score", x.min_score); v("max_score", x.max_score); v("new_customer_score", x.new_customer_score);
  v("instant_purchase_min_score", x.instant_purchase_min_score); v("free_trial_min_score", x.free_trial_min_score);
  v("free_trial_rule", x.free_trial_rule); v("standard_trial_fee", x.standard_trial_fee);
  v("premium_trial_fee", x.premium_trial_fee); v("premium_from_price", x.premium_from_price);
  v("trial_deposit", x.trial_deposit); v("discounts", x.discounts);
}
template <class V> void describe(V& v, TrialPolicy& x) {
  v("drive_length", x.drive_length); v("pickup_window", x.pickup_window); v("quota_window", x.quota_window);
  v("max_trials_in_window", x.max_trials_in_window); v("late_grace", x.late_grace);
  v("late_fee_per_day", x.late_fee_per_day); v("face_match_min_permille", x.face_match_min_permille);
}
template <class V> void describe(V& v, SalesPolicy& x) { v("down_payment", x.down_payment); v("reservation_hold", x.reservation_hold); }
template <class V> void describe(V& v, TowerConfig& x) {
  v("layout", x.layout); v("currency", x.currency); v("tower_envelope", x.tower_envelope);
  v("size_classes", x.size_classes); v("credit", x.credit); v("trials", x.trials); v("sales", x.sales);
}

// [SECTION] Records
template <class V> void describe(V& v, Customer& x) {
  v("id", x.id); v("name", x.name); v("identity_digest", x.identity_digest); v("selfie_template", x.selfie_template);
  v("credit_score", x.credit_score); v("super_member", x.super_member);
}
template <class V> void describe(V& v, CarSpec& x) {
  v("vin", x.vin); v("make", x.make); v("model", x.model); v("trim", x.trim); v("colour", x.colour); v("price", x.price);
  v("length_mm", x.length_mm); v("width_mm", x.width_mm); v("height_mm", x.height_mm); v("mass_kg", x.mass_kg);
}
template <class V> void describe(V& v, Hold& x) { v("order", x.order); v("trial", x.trial); }
template <class V> void describe(V& v, Car& x) {
  v("id", x.id); v("spec", x.spec); v("size", x.size); v("state", x.state); v("slot", x.slot); v("bay", x.bay);
  v("to_bay", x.to_bay); v("hold", x.hold);
}
template <class V> void describe(V& v, Order& x) {
  v("id", x.id); v("customer", x.customer); v("car", x.car); v("price", x.price); v("down_payment", x.down_payment);
  v("state", x.state); v("placed_at", x.placed_at); v("payment_deadline", x.payment_deadline);
  v("pickup_code", x.pickup_code); v("from_trial", x.from_trial);
}
template <class V> void describe(V& v, Trial& x) {
  v("id", x.id); v("customer", x.customer); v("car", x.car); v("model_key", x.model_key); v("state", x.state);
  v("fee", x.fee); v("deposit", x.deposit); v("booked_at", x.booked_at); v("pickup_deadline", x.pickup_deadline);
  v("started_at", x.started_at); v("due_at", x.due_at); v("returned_at", x.returned_at); v("late_fee", x.late_fee);
  v("damaged", x.damaged); v("pickup_code", x.pickup_code);
}
template <class V> void describe(V& v, FlashSale& x) {
  v("id", x.id); v("make", x.make); v("model", x.model); v("colour", x.colour); v("units", x.units); v("price", x.price);
  v("opens_at", x.opens_at); v("reserved", x.reserved); v("sold", x.sold);
}
template <class V> void describe(V& v, Claim& x) {
  v("id", x.id); v("sale", x.sale); v("customer", x.customer); v("state", x.state); v("claimed_at", x.claimed_at);
  v("payment_deadline", x.payment_deadline);
}
template <class V> void describe(V& v, SurveySubject& x) { v("order", x.order); v("trial", x.trial); }
template <class V> void describe(V& v, Survey& x) {
  v("id", x.id); v("customer", x.customer); v("subject", x.subject); v("rating", x.rating); v("comment", x.comment);
  v("submitted_at", x.submitted_at);
}
template <class V> void describe(V& v, TowerState& x) {
  v("config", x.config); v("now", x.now); v("customers", x.customers); v("cars", x.cars); v("orders", x.orders);
  v("trials", x.trials); v("sales", x.sales); v("claims", x.claims); v("surveys", x.surveys);
}

// [SECTION] Commands
template <class V> void describe(V& v, RegisterCustomer& x) {
  v("name", x.name); v("identity_digest", x.identity_digest); v("selfie_template", x.selfie_template);
  v("credit_score", x.credit_score); v("super_member", x.super_member);
}
template <class V> void describe(V& v, UpdateCreditScore& x) { v("customer", x.customer); v("credit_score", x.credit_score); }
template <class V> void describe(V& v, SetMembership& x) { v("customer", x.customer); v("super_member", x.super_member); }
template <class V> void describe(V& v, StockCar& x) { v("spec", x.spec); }
template <class V> void describe(V& v, PlaceOrder& x) { v("customer", x.customer); v("car", x.car); v("pickup_code", x.pickup_code); }
template <class V> void describe(V& v, PayOrder& x) { v("order", x.order); v("amount", x.amount); }
template <class V> void describe(V& v, CancelOrder& x) { v("order", x.order); v("customer", x.customer); }
template <class V> void describe(V& v, BookTrial& x) { v("customer", x.customer); v("car", x.car); v("pickup_code", x.pickup_code); }
template <class V> void describe(V& v, CancelTrial& x) { v("trial", x.trial); v("customer", x.customer); }
template <class V> void describe(V& v, ReturnTrial& x) { v("trial", x.trial); v("bay", x.bay); v("damaged", x.damaged); }
template <class V> void describe(V& v, ConvertTrial& x) { v("trial", x.trial); v("payment", x.payment); }
template <class V> void describe(V& v, StartPickup& x) {
  v("order", x.order); v("trial", x.trial); v("pickup_code", x.pickup_code);
  v("face_match_permille", x.face_match_permille); v("bay", x.bay);
}
template <class V> void describe(V& v, CarArrived& x) { v("car", x.car); v("bay", x.bay); }
template <class V> void describe(V& v, HandOver& x) { v("car", x.car); }
template <class V> void describe(V& v, StoreCar& x) { v("car", x.car); }
template <class V> void describe(V& v, CarStored& x) { v("car", x.car); v("slot", x.slot); }
template <class V> void describe(V& v, ServiceDone& x) { v("car", x.car); v("bay", x.bay); }
template <class V> void describe(V& v, CreateFlashSale& x) {
  v("make", x.make); v("model", x.model); v("colour", x.colour); v("units", x.units); v("price", x.price);
  v("opens_at", x.opens_at);
}
template <class V> void describe(V& v, ClaimFlashSale& x) { v("sale", x.sale); v("customer", x.customer); }
template <class V> void describe(V& v, PayClaim& x) { v("claim", x.claim); v("amount", x.amount); }
template <class V> void describe(V& v, SubmitSurvey& x) {
  v("customer", x.customer); v("order", x.order); v("trial", x.trial); v("rating", x.rating); v("comment", x.comment);
  v("incentive_offered", x.incentive_offered);
}
template <class V> void describe(V&, Tick&) {}

// [SECTION] Events
template <class V> void describe(V& v, CustomerRegistered& x) {
  v("customer", x.customer); v("name", x.name); v("identity_digest", x.identity_digest);
  v("selfie_template", x.selfie_template); v("credit_score", x.credit_score); v("super_member", x.super_member);
}
template <class V> void describe(V& v, CreditScoreChanged& x) { v("customer", x.customer); v("credit_score", x.credit_score); }
template <class V> void describe(V& v, MembershipChanged& x) { v("customer", x.customer); v("super_member", x.super_member); }
template <class V> void describe(V& v, CarStocked& x) { v("car", x.car); v("spec", x.spec); v("size", x.size); v("slot", x.slot); }
template <class V> void describe(V& v, OrderPlaced& x) {
  v("order", x.order); v("customer", x.customer); v("car", x.car); v("price", x.price); v("down_payment", x.down_payment);
  v("payment_deadline", x.payment_deadline); v("pickup_code", x.pickup_code); v("from_trial", x.from_trial);
}
template <class V> void describe(V& v, OrderPaid& x) { v("order", x.order); }
template <class V> void describe(V& v, OrderCancelled& x) { v("order", x.order); }
template <class V> void describe(V& v, OrderExpired& x) { v("order", x.order); }
template <class V> void describe(V& v, OrderDelivered& x) { v("order", x.order); }
template <class V> void describe(V& v, TrialBooked& x) {
  v("trial", x.trial); v("customer", x.customer); v("car", x.car); v("model_key", x.model_key); v("fee", x.fee);
  v("deposit", x.deposit); v("pickup_deadline", x.pickup_deadline); v("pickup_code", x.pickup_code);
}
template <class V> void describe(V& v, TrialCancelled& x) { v("trial", x.trial); }
template <class V> void describe(V& v, TrialNoShow& x) { v("trial", x.trial); }
template <class V> void describe(V& v, TrialStarted& x) { v("trial", x.trial); v("due_at", x.due_at); }
template <class V> void describe(V& v, TrialReturned& x) {
  v("trial", x.trial); v("bay", x.bay); v("late_fee", x.late_fee); v("damaged", x.damaged); v("deposit_refund", x.deposit_refund);
}
template <class V> void describe(V& v, TrialConverted& x) { v("trial", x.trial); v("order", x.order); }
template <class V> void describe(V& v, RetrievalStarted& x) {
  v("car", x.car); v("slot", x.slot); v("bay", x.bay); v("order", x.order); v("trial", x.trial);
}
template <class V> void describe(V& v, CarArrivedInBay& x) { v("car", x.car); v("bay", x.bay); }
template <class V> void describe(V& v, StorageStarted& x) { v("car", x.car); v("bay", x.bay); v("slot", x.slot); }
template <class V> void describe(V& v, CarStoredInSlot& x) { v("car", x.car); v("slot", x.slot); }
template <class V> void describe(V& v, CarServiced& x) { v("car", x.car); v("bay", x.bay); }
template <class V> void describe(V& v, FlashSaleCreated& x) {
  v("sale", x.sale); v("make", x.make); v("model", x.model); v("colour", x.colour); v("units", x.units);
  v("price", x.price); v("opens_at", x.opens_at);
}
template <class V> void describe(V& v, ClaimWon& x) {
  v("claim", x.claim); v("sale", x.sale); v("customer", x.customer); v("payment_deadline", x.payment_deadline);
}
template <class V> void describe(V& v, ClaimPaid& x) { v("claim", x.claim); }
template <class V> void describe(V& v, ClaimExpired& x) { v("claim", x.claim); }
template <class V> void describe(V& v, SurveyRecorded& x) {
  v("survey", x.survey); v("customer", x.customer); v("order", x.order); v("trial", x.trial); v("rating", x.rating);
  v("comment", x.comment);
}

// Wire names, in variant order.
inline constexpr const char* command_names[] = {
    "register_customer", "update_credit_score", "set_membership", "stock_car", "place_order", "pay_order",
    "cancel_order", "book_trial", "cancel_trial", "return_trial", "convert_trial", "start_pickup", "car_arrived",
    "hand_over", "store_car", "car_stored", "service_done", "create_flash_sale", "claim_flash_sale", "pay_claim",
    "submit_survey", "tick"};
inline constexpr const char* event_names[] = {
    "customer_registered", "credit_score_changed", "membership_changed", "car_stocked", "order_placed", "order_paid",
    "order_cancelled", "order_expired", "order_delivered", "trial_booked", "trial_cancelled", "trial_no_show",
    "trial_started", "trial_returned", "trial_converted", "retrieval_started", "car_arrived_in_bay",
    "storage_started", "car_stored_in_slot", "car_serviced", "flash_sale_created", "claim_won", "claim_paid",
    "claim_expired", "survey_recorded"};
static_assert(std::size(command_names) == std::variant_size_v<Command>);
static_assert(std::size(event_names) == std::variant_size_v<EventBody>);

}  // namespace tower::codec
