// Decoding and validating what-if scenarios, and the compiled-in tower presets.
#include "tower/scenario.hpp"

#include <set>

#include "tower/codec.hpp"

namespace tower {

using nlohmann::json;

namespace {

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

// "24", "0.5": no trailing zeros.
std::string number_text(double value) {
  std::string s = std::to_string(value);
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string range_text(double low, double high) { return number_text(low) + ".." + number_text(high); }

// Reads the fields of one JSON object, each checked against its range; the first problem wins.
class Fields {
 public:
  Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) status_ = invalid(path_ + " must be an object");
  }

  void number(const char* key, double low, double high, double& out) {
    const json* value = find(key);
    if (!value) return;
    if (!value->is_number() || value->get<double>() < low || value->get<double>() > high)
      fail(key, "must be a number in " + range_text(low, high));
    else
      out = value->get<double>();
  }
  void integer(const char* key, std::int64_t low, std::int64_t high, int& out) {
    std::int64_t wide = out;
    integer64(key, low, high, wide);
    out = static_cast<int>(wide);
  }
  void integer64(const char* key, std::int64_t low, std::int64_t high, std::int64_t& out) {
    const json* value = find(key);
    if (!value) return;
    if (!value->is_number_integer() || value->get<std::int64_t>() < low || value->get<std::int64_t>() > high)
      fail(key, "must be a whole number in " + range_text(static_cast<double>(low), static_cast<double>(high)));
    else
      out = value->get<std::int64_t>();
  }
  void text(const char* key, std::string& out) {
    const json* value = find(key);
    if (!value) return;
    if (!value->is_string() || value->get<std::string>().empty() || value->get<std::string>().size() > 200)
      fail(key, "must be a text of 1..200 characters");
    else
      out = value->get<std::string>();
  }
  const json* find(const char* key) {
    known_.insert(key);
    if (!status_ || !object_.is_object()) return nullptr;
    const auto found = object_.find(key);
    return found == object_.end() ? nullptr : &*found;
  }
  void fail(const std::string& key, const std::string& what) {
    if (status_) status_ = invalid(path_ + "." + key + " " + what);
  }
  void fail(const Error& error) {
    if (status_) status_ = error;
  }
  std::string path(const std::string& key) const { return path_ + "." + key; }
  // Call last: refuses fields nobody asked for.
  Status finish() {
    if (status_ && object_.is_object())
      for (const auto& item : object_.items())
        if (!known_.count(item.key())) return invalid(path_ + "." + item.key() + " is not a known field");
    return status_;
  }

 private:
  const json& object_;
  std::string path_;
  std::set<std::string> known_;
  Status status_ = ok_status();
};

Status decode_visit(const json& object, const std::string& path, ScriptedVisit& visit) {
  Fields fields(object, path);
  std::string kind;
  fields.text("kind", kind);
  if (kind == "buyer") visit.kind = ScriptedKind::buyer;
  else if (kind == "trial_booking") visit.kind = ScriptedKind::trial_booking;
  else if (kind == "trial_return") visit.kind = ScriptedKind::trial_return;
  else fields.fail("kind", "must be \"buyer\", \"trial_booking\" or \"trial_return\"");
  if (!fields.find("at_hour")) fields.fail("at_hour", "is required: when the customer comes, in hours from the start");
  fields.number("at_hour", 0, 24 * 366, visit.at_hour);
  fields.number("pickup_at_hour", 0, 24 * 366, visit.pickup_at_hour);
  fields.number("return_at_hour", 0, 24 * 366, visit.return_at_hour);
  fields.integer("credit_score", 0, 2000, visit.credit_score);
  const bool trial_booking = visit.kind == ScriptedKind::trial_booking;
  if (trial_booking && !fields.find("pickup_at_hour"))
    fields.fail("pickup_at_hour", "is required for a trial_booking: the pickup time announced when booking");
  if (!trial_booking && fields.find("pickup_at_hour")) fields.fail("pickup_at_hour", "is only for a trial_booking");
  if (!trial_booking && fields.find("return_at_hour")) fields.fail("return_at_hour", "is only for a trial_booking");
  if (trial_booking && visit.pickup_at_hour >= 0 && visit.pickup_at_hour < visit.at_hour)
    fields.fail("pickup_at_hour", "must not be before at_hour (the booking)");
  if (trial_booking && visit.return_at_hour >= 0 && visit.pickup_at_hour >= 0 &&
      visit.return_at_hour <= visit.pickup_at_hour)
    fields.fail("return_at_hour", "must be after pickup_at_hour (the driver needs the car first)");
  if (visit.kind == ScriptedKind::trial_return && fields.find("credit_score"))
    fields.fail("credit_score", "is not for a trial_return (the driver has already passed the check)");
  return fields.finish();
}

Status decode_demand(const json& object, DemandDef& demand) {
  Fields fields(object, "scenario.demand");
  fields.number("buyers_per_hour", 0, 1000, demand.buyers_per_hour);
  fields.number("trial_pickups_per_hour", 0, 1000, demand.trial_pickups_per_hour);
  fields.integer("trials_out_at_start", 0, 10000, demand.trials_out_at_start);
  fields.integer("min_credit_score", 0, 2000, demand.min_credit_score);
  fields.integer("max_credit_score", 0, 2000, demand.max_credit_score);
  fields.number("booking_lead_min_hours", 0, 22, demand.booking_lead_min_hours);
  fields.number("booking_lead_max_hours", 0, 22, demand.booking_lead_max_hours);
  std::string choice = "popularity";
  fields.text("car_choice", choice);
  if (choice == "popularity") demand.car_choice = CarChoice::popularity;
  else if (choice == "random_storage") demand.car_choice = CarChoice::random_storage;
  else fields.fail("car_choice", "must be \"popularity\" or \"random_storage\"");
  if (const json* profile = fields.find("hourly_profile")) {
    if (!profile->is_array() || profile->size() != 24) {
      fields.fail("hourly_profile", "must be a list of 24 factors, one per hour of day");
    } else {
      for (std::size_t hour = 0; hour < 24; ++hour) {
        const json& factor = (*profile)[hour];
        if (!factor.is_number() || factor.get<double>() < 0 || factor.get<double>() > 10) {
          fields.fail("hourly_profile[" + std::to_string(hour) + "]", "must be a number in 0..10");
          break;
        }
        demand.hourly_profile.push_back(factor.get<double>());
      }
    }
  }
  if (const json* script = fields.find("script")) {
    if (!script->is_array()) {
      fields.fail("script", "must be a list of scripted customers");
    } else {
      for (std::size_t i = 0; i < script->size(); ++i) {
        ScriptedVisit visit;
        if (auto decoded = decode_visit((*script)[i], "scenario.demand.script[" + std::to_string(i) + "]", visit); !decoded)
          fields.fail(decoded.error());
        demand.script.push_back(visit);
      }
    }
  }
  if (demand.min_credit_score > demand.max_credit_score)
    fields.fail("min_credit_score", "must not exceed scenario.demand.max_credit_score");
  if (demand.booking_lead_min_hours > demand.booking_lead_max_hours)
    fields.fail("booking_lead_min_hours", "must not exceed scenario.demand.booking_lead_max_hours");
  return fields.finish();
}

Status decode_rush(const json& object, FlashRushDef& rush) {
  Fields fields(object, "scenario.flash_rush");
  fields.number("at_hour", 0, 24 * 366, rush.at_hour);
  fields.integer("pickups", 0, 100000, rush.pickups);
  fields.number("over_minutes", 1, 24 * 60, rush.over_minutes);
  return fields.finish();
}

Status decode_fault(const json& object, const std::string& path, FaultDef& fault) {
  Fields fields(object, path);
  std::string kind;
  fields.text("kind", kind);
  if (kind == "lift_out") fault.kind = FaultKind::lift_out;
  else if (kind == "bay_blocked") fault.kind = FaultKind::bay_blocked;
  else if (kind == "transfer_jam") fault.kind = FaultKind::transfer_jam;
  else if (kind == "emergency_stop") fault.kind = FaultKind::emergency_stop;
  else fields.fail("kind", "must be \"lift_out\", \"bay_blocked\", \"transfer_jam\" or \"emergency_stop\"");
  int bay = 0, lift = 0;
  fields.integer("bay", 1, 16, bay);
  fault.bay = BayId{static_cast<std::uint32_t>(bay)};
  fields.integer("lift", 1, max_lifts, lift);
  fault.lift = LiftId{static_cast<std::uint32_t>(lift > 0 ? lift : 1)};
  if (fault.kind == FaultKind::transfer_jam || fault.kind == FaultKind::emergency_stop) {
    // Neither is a planned window: it strikes at a time and lasts until staff have cleared or reset it.
    const char* clear = fault.kind == FaultKind::transfer_jam ? "clear_after_minutes" : "reset_after_minutes";
    double at_hour = -1, clear_minutes = 0;
    fields.number("at_hour", 0, 24 * 366, at_hour);
    fields.number(clear, 0.1, 7 * 24 * 60, clear_minutes);
    const std::string fault_name = fault.kind == FaultKind::transfer_jam ? "a transfer_jam" : "an emergency_stop";
    if (at_hour < 0) fields.fail("at_hour", "is required for " + fault_name + " fault");
    else if (clear_minutes <= 0) fields.fail(clear, "is required for " + fault_name + " fault");
    fault.from_hour = at_hour;
    fault.to_hour = at_hour + clear_minutes / 60.0;
  } else {
    fields.number("from_hour", 0, 24 * 366, fault.from_hour);
    fields.number("to_hour", 0, 24 * 366, fault.to_hour);
    if (fault.to_hour <= fault.from_hour) fields.fail("to_hour", "must be after from_hour");
  }
  if (fault.kind == FaultKind::bay_blocked && bay == 0) fields.fail("bay", "is required for a bay_blocked fault");
  if (fault.kind != FaultKind::bay_blocked && bay != 0) fields.fail("bay", "applies only to a bay_blocked fault");
  if (fault.kind != FaultKind::lift_out && fault.kind != FaultKind::transfer_jam && lift != 0)
    fields.fail("lift", "applies only to a lift_out or a transfer_jam fault (an emergency stop halts every lift)");
  return fields.finish();
}

Status decode_policy(const json& object, PolicyDef& policy) {
  Fields fields(object, "scenario.policy");
  std::string schedule = "fcfs", dwell = "ground";
  fields.text("schedule", schedule);
  fields.text("dwell", dwell);
  fields.number("call_ahead_margin_minutes", 0, 120, policy.call_ahead_margin_minutes);
  if (schedule == "fcfs") policy.call_ahead = policy.dual_command = false;
  else if (schedule == "call_ahead") policy.call_ahead = true;
  else if (schedule == "dual_command") policy.dual_command = true;
  else if (schedule == "call_ahead+dual_command") policy.call_ahead = policy.dual_command = true;
  else fields.fail("schedule", "must be \"fcfs\", \"call_ahead\", \"dual_command\" or \"call_ahead+dual_command\"");
  if (dwell == "ground" || dwell == "stay") policy.dwell_ground = dwell == "ground";
  else fields.fail("dwell", "must be \"ground\" or \"stay\"");
  return fields.finish();
}

// The layout with `lifts` shafts, each a copy of lift 1's slots (renumbered shaft by shaft), and `bays` bays
// dealt out to the lifts in turn, as make_layout deals them.
TowerLayout with_lifts_and_bays(const TowerLayout& layout, int lifts, int bays) {
  TowerLayout out = layout;
  if (lifts != layout.lifts) out.name = layout.name + " x " + std::to_string(lifts) + " lifts";
  out.lifts = lifts;
  out.slots.clear();
  out.bays.clear();
  for (int lift = 1; lift <= lifts; ++lift)
    for (const SlotDef& slot : layout.slots) {
      if (slot.lift != LiftId{1}) continue;
      SlotDef copy = slot;
      copy.id = SlotId{static_cast<std::uint32_t>(out.slots.size() + 1)};
      copy.lift = LiftId{static_cast<std::uint32_t>(lift)};
      out.slots.push_back(copy);
    }
  for (int bay = 1; bay <= bays; ++bay)
    out.bays.push_back(BayDef{BayId{static_cast<std::uint32_t>(bay)}, "Bay " + std::to_string(bay),
                              LiftId{static_cast<std::uint32_t>((bay - 1) % lifts + 1)}});
  return out;
}

Status decode_preset(const json* preset, TowerConfig& config) {
  if (!preset) return ok_status();
  Result<TowerConfig> decoded = preset->is_string() ? preset_config(preset->get<std::string>())
                                                    : config_from_json(*preset);
  if (!decoded) return invalid("scenario.preset: " + decoded.error().message);
  config = std::move(*decoded);
  return ok_status();
}

}  // namespace

Result<TowerConfig> preset_config(const std::string& name) {
  // The same documents as public/presets/*.json.
  static const char* const autobahn = R"json({"layout": {"name": "Autobahn Motors (15 levels, 60 cars)", "levels": 15,
      "slots_per_level": 4, "bays": 2, "level_pitch_m": 2.7}, "currency": "CNY"})json";
  static const char* const tmall = R"json({"layout": {"name": "Tmall Guangzhou (42 cars)", "levels": 7,
      "slots_per_level": 6, "bays": 2, "level_pitch_m": 2.7}, "currency": "CNY",
      "credit": {"free_trial_rule": "member_or_score"}})json";
  static const char* const carvana = R"json({"layout": {"name": "Carvana 8-storey (30 cars)", "levels": 8,
      "slots_per_level": 4, "lowest_level_slots": 2, "bays": 4, "level_pitch_m": 2.7}, "currency": "USD",
      "credit": {"standard_trial_fee": {"minor": 0, "currency": "USD"},
                 "premium_trial_fee": {"minor": 0, "currency": "USD"},
                 "premium_from_price": {"minor": 10000000, "currency": "USD"},
                 "trial_deposit": {"minor": 50000, "currency": "USD"}},
      "trials": {"late_fee_per_day": {"minor": 5000, "currency": "USD"}}})json";
  const char* text = name == "autobahn-motors" ? autobahn
                     : name == "tmall-guangzhou" ? tmall
                     : name == "carvana-8-storey" ? carvana
                                                  : nullptr;
  if (!text)
    return make_error(ErrorCode::not_found, "unknown preset '" + name +
                                                "'; use autobahn-motors, tmall-guangzhou or carvana-8-storey");
  auto document = parse_json(text);
  if (!document) return document.error();
  return config_from_json(*document);
}

Result<Scenario> scenario_from_json(const json& json_value) {
  Scenario scenario;
  Fields fields(json_value, "scenario");
  fields.text("name", scenario.name);
  if (auto preset = decode_preset(fields.find("preset"), scenario.config); !preset) fields.fail(preset.error());
  int bays = 0, lifts = 0;
  fields.integer("lifts", 1, max_lifts, lifts);
  fields.integer("bays", 1, 16, bays);
  if (lifts > 0 || bays > 0) {
    TowerLayout& layout = scenario.config.layout;
    if (lifts == 0) lifts = layout.lifts;
    if (bays == 0) bays = static_cast<int>(layout.bays.size());
    if (bays < lifts) fields.fail("bays", "must be at least the number of lifts (" + std::to_string(lifts) + "): each lift needs a bay");
    else layout = with_lifts_and_bays(layout, lifts, bays);
  }
  fields.integer("stock", 0, 100000, scenario.stock);
  fields.number("duration_hours", 0.01, 24 * 366, scenario.duration_hours);
  std::int64_t seed = 1;
  fields.integer64("seed", 0, INT64_MAX, seed);
  scenario.seed = static_cast<std::uint64_t>(seed);
  fields.integer("restock_hour", -1, 23, scenario.restock_hour);
  fields.number("handover_minutes", 0, 60, scenario.handover_minutes);
  fields.number("arrival_jitter_minutes", 0, 60, scenario.arrival_jitter_minutes);
  if (const json* demand = fields.find("demand"))
    if (auto decoded = decode_demand(*demand, scenario.demand); !decoded) fields.fail(decoded.error());
  if (const json* rush = fields.find("flash_rush"))
    if (auto decoded = decode_rush(*rush, scenario.flash_rush); !decoded) fields.fail(decoded.error());
  if (const json* policy = fields.find("policy"))
    if (auto decoded = decode_policy(*policy, scenario.policy); !decoded) fields.fail(decoded.error());
  if (const json* faults = fields.find("faults")) {
    if (!faults->is_array()) fields.fail("faults", "must be a list");
    else
      for (std::size_t i = 0; i < faults->size(); ++i) {
        FaultDef fault;
        if (auto decoded = decode_fault((*faults)[i], "scenario.faults[" + std::to_string(i) + "]", fault); !decoded)
          fields.fail(decoded.error());
        scenario.faults.push_back(fault);
      }
  }
  if (auto done = fields.finish(); !done) return done.error();
  if (auto valid = validate(scenario.config); !valid) return invalid("scenario.preset: " + valid.error().message);
  const auto slots = static_cast<int>(scenario.config.layout.slots.size());
  if (scenario.stock < 0) scenario.stock = slots * 4 / 5;
  if (scenario.stock > slots)
    return invalid("scenario.stock must be 0.." + std::to_string(slots) + " (the tower's slots)");
  const auto& credit = scenario.config.credit;
  const double drive_hours = static_cast<double>(scenario.config.trials.drive_length.us) / 3.6e9;
  for (std::size_t i = 0; i < scenario.demand.script.size(); ++i) {
    const ScriptedVisit& visit = scenario.demand.script[i];
    const std::string path = "scenario.demand.script[" + std::to_string(i) + "]";
    if (visit.at_hour > scenario.duration_hours)
      return invalid(path + ".at_hour must be within the run (duration_hours " + number_text(scenario.duration_hours) + ")");
    if (visit.credit_score >= 0 && (visit.credit_score < credit.min_score || visit.credit_score > credit.max_score))
      return invalid(path + ".credit_score must be " + std::to_string(credit.min_score) + ".." +
                     std::to_string(credit.max_score));
    if (visit.kind == ScriptedKind::trial_return && visit.at_hour > drive_hours)
      return invalid(path + ".at_hour must be within the " + number_text(drive_hours) +
                     "-hour test drive of a car out since the start");
    if (visit.return_at_hour > scenario.duration_hours)
      return invalid(path + ".return_at_hour must be within the run (duration_hours " +
                     number_text(scenario.duration_hours) + ")");
    if (visit.return_at_hour > visit.pickup_at_hour + drive_hours)
      return invalid(path + ".return_at_hour must be within the " + number_text(drive_hours) +
                     "-hour test drive from pickup_at_hour");
  }
  const auto bay_count = scenario.config.layout.bays.size();
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    if (scenario.faults[i].kind == FaultKind::bay_blocked && scenario.faults[i].bay.value > bay_count)
      return invalid("scenario.faults[" + std::to_string(i) + "].bay must be 1.." + std::to_string(bay_count));
    if (scenario.faults[i].lift.value > static_cast<std::uint32_t>(scenario.config.layout.lifts))
      return invalid("scenario.faults[" + std::to_string(i) + "].lift must be 1.." +
                     std::to_string(scenario.config.layout.lifts) + " (the tower's lifts)");
  }
  return scenario;
}

std::string schedule_name(const PolicyDef& policy) {
  if (policy.call_ahead && policy.dual_command) return "call_ahead+dual_command";
  if (policy.call_ahead) return "call_ahead";
  if (policy.dual_command) return "dual_command";
  return "fcfs";
}

}  // namespace tower
