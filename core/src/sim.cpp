// The simulator's event loop: a binary heap of (time, sequence, event) over plain data, the clock, the
// event log and its hash, and the time accounting behind the utilisation KPIs.
#include "tower/sim.hpp"

#include <algorithm>
#include <cstring>

namespace tower {

namespace {

// Min-heap order: earlier first, then the order of scheduling, so ties are deterministic.
struct Later {
  template <class P>
  bool operator()(const P& a, const P& b) const {
    return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
  }
};

SimTime at_hours(double hours_value) {
  return SimTime{static_cast<std::int64_t>(hours_value * 3'600'000'000.0 + 0.5)};
}

}  // namespace

double portable_log(double x) {
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716.
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & 0x000fffffffffffffull) | (std::uint64_t{1023} << 52);
  double mantissa;
  std::memcpy(&mantissa, &bits, sizeof mantissa);
  if (mantissa > 1.4142135623730951) {
    mantissa *= 0.5;
    ++exponent;
  }
  const double s = (mantissa - 1.0) / (mantissa + 1.0);
  const double s2 = s * s;
  double term = s, sum = 0.0;
  for (int k = 1; k <= 27; k += 2) {  // s^28 / 29 < 1e-22: below double precision
    sum += term / k;
    term *= s2;
  }
  return 2.0 * sum + exponent * 0.6931471805599453;
}

Result<Simulator> Simulator::create(const Scenario& scenario) {
  auto tower = Tower::create(scenario.config);
  if (!tower) return tower.error();
  Simulator sim(scenario, std::move(*tower));
  // Planned lift times from each lift's dwell point, for ETAs and call-ahead; every slot must be reachable.
  // They go through the plan memo, where the jobs that start from the dwell point find them again.
  for (Lift& lift : sim.lifts_) {
    std::int64_t storage_total = 0;
    for (const SlotDef& slot : lift.shaft.slots) {
      const PlannedMove retrieval = sim.planned(lift, Move::retrieval, lift.ground, slot.id, lift.first_bay);
      const PlannedMove storage = sim.planned(lift, Move::storage, lift.ground, slot.id, lift.first_bay);
      if (!retrieval.ok || !storage.ok) {
        // Planned again for the reason, once: this is the failure path.
        auto retrieval_plan = plan_retrieval(scenario.machine, lift.shaft, lift.ground, slot.id, lift.first_bay, lift.safety);
        auto storage_plan = plan_storage(scenario.machine, lift.shaft, lift.ground, lift.first_bay, slot.id, lift.safety);
        const Error& error = !retrieval_plan ? retrieval_plan.error() : storage_plan.error();
        return make_error(ErrorCode::invalid_argument, "scenario.preset: " + error.message);
      }
      sim.retrieval_estimates_[slot.id.value - 1] = retrieval.duration;
      storage_total += storage.duration.us;
    }
    lift.storage_estimate = Duration{storage_total / static_cast<std::int64_t>(lift.shaft.slots.size())};
  }
  sim.stock_up(scenario.stock);
  sim.start_trials_out(scenario.demand.trials_out_at_start);
  // Scripted drivers out since the start take their cars now; the other scripted customers come in time.
  for (std::uint32_t i = 0; i < scenario.demand.script.size(); ++i) {
    const ScriptedVisit& visit = scenario.demand.script[i];
    if (visit.kind == ScriptedKind::trial_return) sim.start_trial_out(at_hours(visit.at_hour));
    else sim.schedule(at_hours(visit.at_hour), EventKind::scripted_visit, i);
  }
  if (scenario.demand.buyers_per_hour > 0)
    sim.schedule_next_arrival(EventKind::buyer_arrives, scenario.demand.buyers_per_hour);
  if (scenario.demand.trial_pickups_per_hour > 0)
    sim.schedule_next_arrival(EventKind::trial_booking, scenario.demand.trial_pickups_per_hour);
  if (scenario.flash_rush.at_hour >= 0 && scenario.flash_rush.pickups > 0)
    sim.schedule(at_hours(scenario.flash_rush.at_hour), EventKind::rush_starts);
  for (std::uint32_t i = 0; i < scenario.faults.size(); ++i) {
    const FaultDef& fault = scenario.faults[i];
    EventKind starts = EventKind::lift_out_starts, ends = EventKind::lift_out_ends;
    if (fault.kind == FaultKind::bay_blocked) starts = EventKind::bay_blocked_starts, ends = EventKind::bay_blocked_ends;
    if (fault.kind == FaultKind::transfer_jam) starts = EventKind::transfer_jam, ends = EventKind::jam_cleared;
    if (fault.kind == FaultKind::emergency_stop) starts = EventKind::emergency_stop, ends = EventKind::emergency_reset;
    sim.schedule(at_hours(fault.from_hour), starts, fault.bay.value, i);
    sim.schedule(at_hours(fault.to_hour), ends, fault.bay.value, i);
  }
  sim.schedule(SimTime{} + hours(1), EventKind::hour_tick, 1);
  return sim;
}

Simulator::Simulator(const Scenario& scenario, Tower tower)
    : scenario_(scenario), tower_(std::move(tower)), random_(scenario.seed),
      buyer_arrivals_(scenario.seed ^ 0xb0e1u),
      trial_arrivals_(scenario.seed ^ 0x7a1au) {
  end_ = at_hours(scenario.duration_hours);
  const TowerLayout& layout = scenario.config.layout;
  const std::size_t bays = layout.bays.size();
  SafetyInputs safety;
  safety.bays.resize(bays);
  for (int number = 1; number <= layout.lifts; ++number) {
    Lift lift;
    lift.id = LiftId{static_cast<std::uint32_t>(number)};
    lift.shaft = shaft_layout(layout, lift.id);
    lift.safety = shaft_safety(layout, lift.id, safety);
    lift.first_bay = lift.shaft.bays.front().id;
    lift.ground = MachinePose{0.0, bay_angle_rad(lift.first_bay, lift.shaft), 0.0};
    lift.pose = lift.ground;
    lifts_.push_back(std::move(lift));
  }
  retrieval_estimates_.assign(layout.slots.size(), Duration{});
  bay_blocked_.assign(bays, 0);
  bay_busy_.assign(bays, 0);
  bay_leaves_at_.assign(bays, SimTime{});
  counts_.scenario = scenario.name;
  counts_.schedule = schedule_name(scenario.policy);
  counts_.dwell = scenario.policy.dwell_ground ? "ground" : "stay";
  counts_.seed = scenario.seed;
  counts_.lifts = layout.lifts;
}

void Simulator::schedule(SimTime at, EventKind kind, std::uint32_t a, std::uint32_t b) {
  heap_.push_back(Pending{at, sequence_++, kind, a, b});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

bool Simulator::finished() const { return heap_.empty() || heap_.front().at > end_; }

bool Simulator::step() {
  if (finished()) {
    advance_clock(end_);
    return false;
  }
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  const Pending event = heap_.back();
  heap_.pop_back();
  advance_clock(event.at);
  ++events_;
  handle(event);
  update_etas();
  return true;
}

void Simulator::run_until(SimTime until) {
  if (until > end_) until = end_;
  while (!heap_.empty() && heap_.front().at <= until && step()) {
  }
  advance_clock(until);  // a walk-in or a fault added now happens at `until`, not at the last event
}

void Simulator::advance_clock(SimTime to) {
  if (to <= last_accounted_) return;
  const std::int64_t span = (to - last_accounted_).us;
  int busy_bays = 0;
  for (const std::uint8_t busy : bay_busy_) busy_bays += busy;
  for (Lift& lift : lifts_) {
    if (lift.activity == LiftActivity::job && lift.out == 0) {
      lift.busy_us += span;
      lift.hour_busy_us += span;
    }
    if (lift.out > 0) lift.out_us += span;
  }
  bay_busy_us_ += span * busy_bays;
  hour_bay_busy_us_ += span * busy_bays;
  last_accounted_ = to;
  now_ = to;
}

int Simulator::queue_length() const {
  std::size_t length = returners_.size();
  for (const Lift& lift : lifts_) length += lift.queue.size();
  return static_cast<int>(length);
}

void Simulator::log(EventKind kind, std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  // Little-endian bytes of (time, kind, a, b, c): the same on every platform.
  auto mix = [this](std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) log_hash_ = (log_hash_ ^ ((value >> (8 * i)) & 0xff)) * 0x100000001b3ull;
  };
  mix(static_cast<std::uint64_t>(now_.us), 8);
  mix(static_cast<std::uint64_t>(kind), 1);
  mix(a, 4);
  mix(b, 4);
  mix(c, 4);
}

double Simulator::rate_factor(SimTime at) const {
  const auto& profile = scenario_.demand.hourly_profile;
  if (profile.empty()) return 1.0;
  return profile[static_cast<std::size_t>((at.us / hours(1).us) % 24)];
}

Duration Simulator::exponential_gap(Random& random, double per_hour) {
  const double gap_hours = -portable_log(1.0 - random.unit()) / per_hour;
  return Duration{static_cast<std::int64_t>(gap_hours * 3'600'000'000.0)};
}

void Simulator::schedule_next_arrival(EventKind kind, double per_hour) {
  // A Poisson stream whose rate follows the hourly profile: candidates at the peak rate, thinned.
  double peak = scenario_.demand.hourly_profile.empty() ? 1.0 : 0.0;
  for (const double factor : scenario_.demand.hourly_profile) peak = std::max(peak, factor);
  if (peak <= 0.0) return;
  Random& random = kind == EventKind::buyer_arrives ? buyer_arrivals_ : trial_arrivals_;
  SimTime at = now_;
  for (;;) {
    at = at + exponential_gap(random, per_hour * peak);
    if (at > end_) return;
    if (random.unit() * peak < rate_factor(at)) break;
  }
  schedule(at, kind);
}

void Simulator::handle(const Pending& event) {
  log(event.kind, event.a, event.b, 0);
  switch (event.kind) {
    case EventKind::buyer_arrives:
      on_buyer_arrives(scenario_.demand.min_credit_score, scenario_.demand.max_credit_score);
      schedule_next_arrival(EventKind::buyer_arrives, scenario_.demand.buyers_per_hour);
      break;
    case EventKind::trial_booking:
      on_trial_booking(scenario_.demand.min_credit_score, scenario_.demand.max_credit_score, SimTime{-1}, SimTime{-1});
      schedule_next_arrival(EventKind::trial_booking, scenario_.demand.trial_pickups_per_hour);
      break;
    case EventKind::scripted_visit: {
      const ScriptedVisit& visit = scenario_.demand.script[event.a];
      const bool drawn = visit.credit_score < 0;  // else the script's score
      const int low = drawn ? scenario_.demand.min_credit_score : visit.credit_score;
      const int high = drawn ? scenario_.demand.max_credit_score : visit.credit_score;
      if (visit.kind == ScriptedKind::buyer) on_buyer_arrives(low, high);
      else on_trial_booking(low, high, at_hours(visit.pickup_at_hour),
                            visit.return_at_hour < 0 ? SimTime{-1} : at_hours(visit.return_at_hour));
      break;
    }
    case EventKind::kiosk_arrival: on_kiosk_arrival(event.a); break;
    case EventKind::call_ahead:
      if (visitors_[event.a].job == 0) request_retrieval(event.a);
      break;
    case EventKind::rush_starts: on_rush_starts(); break;
    case EventKind::lift_done:
      if (event.a == lifts_[event.b].generation) finish_lift(lifts_[event.b]);
      break;
    case EventKind::handover_done: on_handover_done(event.a); break;
    case EventKind::trial_return: on_trial_return(event.a); break;
    case EventKind::lift_out_starts:
    case EventKind::transfer_jam:
    case EventKind::lift_out_ends:
    case EventKind::jam_cleared: {
      const FaultDef& fault = scenario_.faults[event.b];
      const bool starts = event.kind == EventKind::lift_out_starts || event.kind == EventKind::transfer_jam;
      lift_out(lifts_[fault.lift.value - 1], starts, at_hours(fault.to_hour));
      break;
    }
    case EventKind::emergency_stop:
    case EventKind::emergency_reset:
      emergency_stop(event.kind == EventKind::emergency_stop, at_hours(scenario_.faults[event.b].to_hour));
      break;
    case EventKind::bay_blocked_starts: bay_blocked(BayId{event.a}, true); break;
    case EventKind::bay_blocked_ends: bay_blocked(BayId{event.a}, false); break;
    case EventKind::hour_tick: {
      HourSample sample;
      sample.hour = static_cast<int>(event.a) - 1;
      sample.queue_length = queue_length();
      sample.max_queue_length = std::max(hour_max_queue_, sample.queue_length);
      std::int64_t lift_busy_us = 0;
      for (Lift& lift : lifts_) {
        lift_busy_us += lift.hour_busy_us;
        lift.hour_busy_us = 0;
      }
      sample.lift_utilisation = static_cast<double>(lift_busy_us) /
                                (static_cast<double>(hours(1).us) * static_cast<double>(lifts_.size()));
      sample.bay_utilisation = static_cast<double>(hour_bay_busy_us_) /
                               (static_cast<double>(hours(1).us) * static_cast<double>(bay_busy_.size()));
      sample.retrievals = static_cast<int>(hour_waits_us_.size());
      std::int64_t sum = 0, max = 0;
      for (const std::int64_t wait : hour_waits_us_) {
        sum += wait;
        max = std::max(max, wait);
      }
      if (!hour_waits_us_.empty()) sample.mean_wait = Duration{sum / static_cast<std::int64_t>(hour_waits_us_.size())};
      sample.max_wait = Duration{max};
      counts_.hourly.push_back(sample);
      hour_waits_us_.clear();
      hour_bay_busy_us_ = 0;
      hour_max_queue_ = sample.queue_length;
      (void)tower_.apply(Tick{}, now_);  // expiries; nothing the simulator waits on
      if (scenario_.restock_hour >= 0 && static_cast<int>(event.a % 24) == scenario_.restock_hour)
        stock_up(scenario_.stock);
      schedule(now_ + hours(1), EventKind::hour_tick, event.a + 1);
      break;
    }
  }
  hour_max_queue_ = std::max(hour_max_queue_, queue_length());
  counts_.max_queue_length = std::max(counts_.max_queue_length, hour_max_queue_);
}

Result<SimKpis> run_scenario(const Scenario& scenario) {
  auto sim = Simulator::create(scenario);
  if (!sim) return sim.error();
  sim->run();
  return sim->kpis();
}

}  // namespace tower
