// Layout presets and the validation of a configuration.
#include <set>
#include <string>

#include "tower/config.hpp"

namespace tower {

std::vector<SizeClassLimit> default_size_classes() {
  return {
      {SizeClass::compact, {4500, 1850, 1550, 1600}},
      {SizeClass::standard, {5000, 2000, 1750, 2200}},
      {SizeClass::large, {5300, 2300, 2200, 2500}},
  };
}

TowerLayout make_layout(std::string name, int levels, int slots_per_level, int bays, int lowest_level_slots,
                        int lifts) {
  TowerLayout layout;
  layout.name = std::move(name);
  layout.levels = levels;
  layout.lifts = lifts;
  std::uint32_t next_slot = 1;
  for (int lift = 1; lift <= lifts; ++lift)
    for (int level = 1; level <= levels; ++level) {
      const int count = level == 1 ? lowest_level_slots : slots_per_level;
      for (int position = 0; position < count; ++position) {
        // Large cars go low, where the lift is quickest to reach and the structure strongest; above that,
        // one slot a level is compact, matching a stock that is mostly mid-size sedans.
        const SizeClass size = level <= 3 ? SizeClass::large
                               : position == count - 1 ? SizeClass::compact
                                                       : SizeClass::standard;
        layout.slots.push_back(SlotDef{SlotId{next_slot++}, level, position, size,
                                       LiftId{static_cast<std::uint32_t>(lift)}});
      }
    }
  for (int bay = 1; bay <= bays; ++bay)
    layout.bays.push_back(BayDef{BayId{static_cast<std::uint32_t>(bay)}, "Bay " + std::to_string(bay),
                                 LiftId{static_cast<std::uint32_t>((bay - 1) % lifts + 1)}});
  return layout;
}

TowerLayout shaft_layout(const TowerLayout& layout, LiftId lift) {
  if (layout.lifts == 1) return layout;
  TowerLayout shaft;
  shaft.name = layout.name;
  shaft.levels = layout.levels;
  shaft.level_pitch_m = layout.level_pitch_m;
  for (const SlotDef& slot : layout.slots)
    if (slot.lift == lift) shaft.slots.push_back(slot);
  for (const BayDef& bay : layout.bays)
    if (bay.lift == lift) shaft.bays.push_back(bay);
  return shaft;
}

LiftId lift_of(const TowerLayout& layout, SlotId slot) {
  return slot.valid() && slot.value <= layout.slots.size() ? layout.slots[slot.value - 1].lift : LiftId{};
}

LiftId lift_of(const TowerLayout& layout, BayId bay) {
  return bay.valid() && bay.value <= layout.bays.size() ? layout.bays[bay.value - 1].lift : LiftId{};
}

TowerConfig default_tower_config() {
  TowerConfig config;
  config.layout = make_layout("Autobahn Motors (15 levels, 60 cars)", 15, 4, 2, 4);
  config.size_classes = default_size_classes();
  return config;
}

namespace {
Status invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }
}  // namespace

Status validate(const TowerConfig& config) {
  const auto& layout = config.layout;
  if (layout.levels < 1 || layout.levels > 200) return invalid("layout.levels must be between 1 and 200");
  if (layout.slots.empty()) return invalid("layout has no slots");
  if (layout.bays.empty()) return invalid("layout has no delivery bays");
  if (!(layout.level_pitch_m > 0.5 && layout.level_pitch_m < 10.0))
    return invalid("layout.level_pitch_m must be between 0.5 and 10 metres");
  for (std::size_t i = 0; i < layout.slots.size(); ++i) {
    const auto& slot = layout.slots[i];
    if (slot.id.value != i + 1) return invalid("layout.slots must be numbered 1, 2, 3, ... in order");
    if (slot.level < 1 || slot.level > layout.levels)
      return invalid("slot " + std::to_string(slot.id.value) + " is on level " + std::to_string(slot.level) +
                     ", outside 1.." + std::to_string(layout.levels));
  }
  for (std::size_t i = 0; i < layout.bays.size(); ++i)
    if (layout.bays[i].id.value != i + 1) return invalid("layout.bays must be numbered 1, 2, 3, ... in order");
  if (layout.lifts < 1 || layout.lifts > max_lifts)
    return invalid("layout.lifts must be between 1 and " + std::to_string(max_lifts));
  std::vector<int> slots_of(static_cast<std::size_t>(layout.lifts), 0), bays_of(slots_of);
  for (const auto& slot : layout.slots) {
    if (slot.lift.value < 1 || slot.lift.value > static_cast<std::uint32_t>(layout.lifts))
      return invalid("slot " + std::to_string(slot.id.value) + " opens onto lift " + std::to_string(slot.lift.value) +
                     ", outside 1.." + std::to_string(layout.lifts));
    ++slots_of[slot.lift.value - 1];
  }
  for (const auto& bay : layout.bays) {
    if (bay.lift.value < 1 || bay.lift.value > static_cast<std::uint32_t>(layout.lifts))
      return invalid("bay " + std::to_string(bay.id.value) + " is served by lift " + std::to_string(bay.lift.value) +
                     ", outside 1.." + std::to_string(layout.lifts));
    ++bays_of[bay.lift.value - 1];
  }
  for (int lift = 1; lift <= layout.lifts; ++lift)
    if (slots_of[lift - 1] == 0 || bays_of[lift - 1] == 0)
      return invalid("lift " + std::to_string(lift) + " needs at least one slot and one bay");
  std::set<SizeClass> classes;
  for (const auto& limit : config.size_classes) classes.insert(limit.size);
  for (const auto& slot : layout.slots)
    if (!classes.count(slot.size)) return invalid("slot " + std::to_string(slot.id.value) + " has a size class with no limits");
  const auto& credit = config.credit;
  if (credit.min_score >= credit.max_score) return invalid("credit.min_score must be below credit.max_score");
  for (int score : {credit.new_customer_score, credit.instant_purchase_min_score, credit.free_trial_min_score})
    if (score < credit.min_score || score > credit.max_score + 1)
      return invalid("credit thresholds must lie within the score range");
  for (const auto& band : credit.discounts)
    if (band.discount.value < 0 || band.discount.value > 1'000'000) return invalid("credit.discounts must be 0..100%");
  for (const Money& money : {credit.standard_trial_fee, credit.premium_trial_fee, credit.trial_deposit,
                             credit.premium_from_price, config.trials.late_fee_per_day})
    if (money.currency != config.currency || money.minor < 0)
      return invalid("every fee must be non-negative and in the tower's currency " + config.currency.str());
  const auto& trials = config.trials;
  if (trials.drive_length.us <= 0 || trials.pickup_window.us <= 0 || trials.quota_window.us <= 0)
    return invalid("trial durations must be positive");
  if (trials.max_trials_in_window < 1) return invalid("trials.max_trials_in_window must be at least 1");
  if (trials.face_match_min_permille < 1 || trials.face_match_min_permille > 1000)
    return invalid("trials.face_match_min_permille must be 1..1000");
  if (config.sales.down_payment.value < 0 || config.sales.down_payment.value > 1'000'000)
    return invalid("sales.down_payment must be 0..100%");
  if (config.sales.reservation_hold.us <= 0) return invalid("sales.reservation_hold must be positive");
  return ok_status();
}

}  // namespace tower
