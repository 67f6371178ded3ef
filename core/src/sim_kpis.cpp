// The simulator's KPIs: percentiles and means over integer microseconds (identical on every platform),
// utilisation shares, and their JSON form for the CLI and the twin's plots.
#include <algorithm>

#include "tower/sim.hpp"

namespace tower {

namespace {

DurationStats stats_of(std::vector<std::int64_t> values) {
  DurationStats stats;
  stats.count = static_cast<int>(values.size());
  if (values.empty()) return stats;
  std::sort(values.begin(), values.end());
  std::int64_t sum = 0;
  for (const std::int64_t value : values) sum += value;
  const auto n = static_cast<std::int64_t>(values.size());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  auto rank = [&](std::int64_t percent) { return values[static_cast<std::size_t>((percent * n + 99) / 100 - 1)]; };
  stats.mean = Duration{sum / n};
  stats.p50 = Duration{rank(50)};
  stats.p95 = Duration{rank(95)};
  stats.max = Duration{values.back()};
  return stats;
}

double share(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

double in_seconds(Duration duration) { return static_cast<double>(duration.us) / 1e6; }

// Shares rounded to 1e-6 so the JSON reads well and compares exactly.
double rounded(double value) { return static_cast<double>(static_cast<std::int64_t>(value * 1e6 + 0.5)) / 1e6; }

std::string hex(std::uint64_t value) {
  const char* digits = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = digits[value & 15];
  return text;
}

}  // namespace

SimKpis Simulator::kpis() const {
  SimKpis kpis = counts_;
  const std::int64_t elapsed = now_.us;
  kpis.simulated = Duration{elapsed};
  kpis.events = events_;
  kpis.event_log_hash = log_hash_;
  kpis.wait = stats_of(waits_us_);
  kpis.retrieval = stats_of(retrievals_us_);
  kpis.storage = stats_of(storages_us_);
  std::int64_t lift_busy_us = 0, lift_out_us = 0;
  for (const Lift& lift : lifts_) {
    lift_busy_us += lift.busy_us;
    lift_out_us += lift.out_us;
  }
  kpis.lift_utilisation = rounded(share(lift_busy_us, elapsed * static_cast<std::int64_t>(lifts_.size())));
  kpis.bay_utilisation = rounded(share(bay_busy_us_, elapsed * static_cast<std::int64_t>(bay_busy_.size())));
  kpis.throughput_per_hour =
      rounded(share(static_cast<std::int64_t>(retrievals_us_.size()) * hours(1).us, elapsed));
  kpis.ready_on_arrival_share = rounded(share(kpis.ready_on_arrival, kpis.booked_pickups));
  if (eta_errors_ > 0) kpis.eta_error_mean = Duration{eta_error_sum_us_ / eta_errors_};
  kpis.eta_error_max = Duration{eta_error_max_us_};
  kpis.lift_out_time = Duration{lift_out_us};
  return kpis;
}

nlohmann::json to_json(const DurationStats& stats) {
  return {{"count", stats.count}, {"mean_s", in_seconds(stats.mean)}, {"p50_s", in_seconds(stats.p50)},
          {"p95_s", in_seconds(stats.p95)}, {"max_s", in_seconds(stats.max)}};
}

nlohmann::json to_json(const SimKpis& kpis) {
  nlohmann::json hourly = nlohmann::json::array();
  for (const HourSample& hour : kpis.hourly)
    hourly.push_back({{"hour", hour.hour}, {"queue_length", hour.queue_length},
                      {"max_queue_length", hour.max_queue_length}, {"lift_utilisation", rounded(hour.lift_utilisation)},
                      {"bay_utilisation", rounded(hour.bay_utilisation)}, {"retrievals", hour.retrievals},
                      {"mean_wait_s", in_seconds(hour.mean_wait)}, {"max_wait_s", in_seconds(hour.max_wait)}});
  return {
      {"scenario", kpis.scenario},
      {"schedule", kpis.schedule},
      {"dwell", kpis.dwell},
      {"seed", kpis.seed},
      {"simulated_hours", in_seconds(kpis.simulated) / 3600.0},
      {"events", kpis.events},
      {"event_log_hash", hex(kpis.event_log_hash)},
      {"customers", kpis.customers},
      {"refused", kpis.refused},
      {"refused_not_eligible", kpis.refused_not_eligible},
      {"refused_no_car", kpis.refused_no_car},
      {"purchases_delivered", kpis.purchases_delivered},
      {"trials_started", kpis.trials_started},
      {"trials_returned", kpis.trials_returned},
      {"wait", to_json(kpis.wait)},
      {"retrieval", to_json(kpis.retrieval)},
      {"storage", to_json(kpis.storage)},
      {"lift_utilisation", kpis.lift_utilisation},
      {"bay_utilisation", kpis.bay_utilisation},
      {"throughput_per_hour", kpis.throughput_per_hour},
      {"booked_pickups", kpis.booked_pickups},
      {"ready_on_arrival", kpis.ready_on_arrival},
      {"ready_on_arrival_share", kpis.ready_on_arrival_share},
      {"eta_error_mean_s", in_seconds(kpis.eta_error_mean)},
      {"eta_error_max_s", in_seconds(kpis.eta_error_max)},
      {"eta_revisions", kpis.eta_revisions},
      {"lift_out_hours", in_seconds(kpis.lift_out_time) / 3600.0},
      {"lifts", kpis.lifts},
      {"emergency_stops", kpis.emergency_stops},
      {"max_queue_length", kpis.max_queue_length},
      {"hourly", hourly},
  };
}

}  // namespace tower
