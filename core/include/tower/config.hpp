// A tower's configuration: its physical layout and every business threshold. Every number from the domain
// (scores, fees, windows, limits) is a configurable default here, never a constant in the rules.
#pragma once

#include <string>
#include <vector>

#include "tower/ids.hpp"
#include "tower/money.hpp"
#include "tower/time.hpp"

namespace tower {

// [SECTION] Physical layout

// Slot size classes, smallest first. A car takes the smallest class it fits.
enum class SizeClass { compact, standard, large };

// The largest car a class (or, for `large`, the tower: EN 14010) accepts. Millimetres and kilograms.
struct CarEnvelope {
  int length_mm = 5300;
  int width_mm = 2300;
  int height_mm = 2200;
  int mass_kg = 2500;
};

struct SizeClassLimit {
  SizeClass size = SizeClass::large;
  CarEnvelope envelope{};
};

// A tower has one or more lifts, each in its own shaft with its own slots around it and its own bays below;
// a car stored around one lift can only be delivered to that lift's bays.
struct SlotDef {
  SlotId id{};
  int level = 1;     // 1 is the lowest storage level, just above the bays
  int position = 0;  // 0, 1, 2, ... clockwise around its lift
  SizeClass size = SizeClass::standard;
  LiftId lift{1};    // the shaft the slot opens onto
};

struct BayDef {
  BayId id{};
  std::string name;
  LiftId lift{1};    // the shaft the bay is served by
};

// The most lifts a layout may have.
inline constexpr int max_lifts = 8;

struct TowerLayout {
  std::string name;
  int levels = 0;
  double level_pitch_m = 2.7;
  int lifts = 1;     // shafts, numbered 1..lifts
  std::vector<SlotDef> slots;
  std::vector<BayDef> bays;
};

// [SECTION] Business rules

// How the two conditions of a free trial combine: Tmall's first rule needs both, the later Guangzhou rule either.
enum class FreeTrialRule { member_and_score, member_or_score };

// A discount on the paid-trial fee and deposit for customers whose score is at least min_score.
struct ScoreBand {
  int min_score = 0;
  Ppm discount{};
};

struct CreditPolicy {
  int min_score = 350;
  int max_score = 950;
  int new_customer_score = 550;
  int instant_purchase_min_score = 751;  // "more than 750"
  int free_trial_min_score = 701;        // "above 700"
  FreeTrialRule free_trial_rule = FreeTrialRule::member_and_score;
  Money standard_trial_fee = cny(99);
  Money premium_trial_fee = cny(198);
  Money premium_from_price = cny(300'000);  // cars at or above this price pay the premium fee
  Money trial_deposit = cny(3'000);
  std::vector<ScoreBand> discounts{{600, percent(10)}, {650, percent(30)}, {700, percent(50)}};
};

struct TrialPolicy {
  Duration drive_length = days(3);
  Duration pickup_window = hours(24);  // a booked car waits this long before a no-show releases it
  Duration quota_window = days(60);
  int max_trials_in_window = 5;
  Duration late_grace = hours(1);
  Money late_fee_per_day = cny(300);  // per started day after the grace period
  int face_match_min_permille = 900;  // the kiosk's face-match score needed to release a car
};

struct SalesPolicy {
  Ppm down_payment = percent(10);
  Duration reservation_hold = minutes(30);  // unpaid reservations return to stock after this
};

struct TowerConfig {
  TowerLayout layout;
  Currency currency{};
  CarEnvelope tower_envelope{};  // EN 14010: nothing larger or heavier enters the tower
  std::vector<SizeClassLimit> size_classes;
  CreditPolicy credit;
  TrialPolicy trials;
  SalesPolicy sales;
};

// The size classes used by every shipped preset: compact and standard cars, and the full EN 14010 envelope.
std::vector<SizeClassLimit> default_size_classes();

// Builds a layout of `levels` levels with `slots_per_level` slots each (the lowest level may have fewer)
// and `bays` delivery bays. The three lowest levels hold large slots; above, the last slot of a level is
// compact and the others standard. With several `lifts`, each shaft gets that whole grid of slots (numbered
// shaft by shaft) and the bays are dealt out in turn (bay 1 to lift 1, bay 2 to lift 2, ...); bays >= lifts.
TowerLayout make_layout(std::string name, int levels, int slots_per_level, int bays, int lowest_level_slots,
                        int lifts = 1);

// One shaft of a layout: its lift's slots and bays, ids unchanged, and lifts = 1. The machine planner and the
// plan checker work on one shaft at a time; for a one-lift layout this is the layout itself.
TowerLayout shaft_layout(const TowerLayout& layout, LiftId lift);

// The lift of a slot or a bay; none (0) when the id is not in the layout.
LiftId lift_of(const TowerLayout& layout, SlotId slot);
LiftId lift_of(const TowerLayout& layout, BayId bay);

// Autobahn Motors: 15 levels x 4 slots around one lift, 2 bays. The embedded default.
TowerConfig default_tower_config();

// Checks a configuration for contradictions (no slots, duplicate ids, score bands out of range, ...).
Status validate(const TowerConfig& config);

}  // namespace tower
