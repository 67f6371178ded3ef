// Fuzzes scenario decoding. A scenario that decodes is simulated briefly (at most 2 simulated hours and a few
// thousand events, so one input stays fast) and its KPIs must be sane: no negative counts, shares in [0, 1].
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "tower/codec.hpp"
#include "tower/scenario.hpp"
#include "tower/sim.hpp"

namespace {

using tower::fuzz::check;

constexpr double max_hours = 2.0;
constexpr int max_events = 3000;

bool share(double value) { return value >= 0.0 && value <= 1.0; }

void check_stats(const tower::DurationStats& stats, const char* what) {
  check(stats.count >= 0 && stats.mean.us >= 0 && stats.p50.us >= 0, what);
  check(stats.p50 <= stats.p95 && stats.p95 <= stats.max && stats.mean <= stats.max, what);
}

void check_kpis(const tower::SimKpis& kpis) {
  const std::string dump = tower::to_json(kpis).dump();
  for (const int count : {kpis.customers, kpis.refused, kpis.refused_not_eligible, kpis.refused_no_car,
                          kpis.purchases_delivered, kpis.trials_started, kpis.trials_returned, kpis.booked_pickups,
                          kpis.ready_on_arrival, kpis.eta_revisions, kpis.max_queue_length})
    check(count >= 0, "a KPI count is negative", dump);
  check(kpis.refused_not_eligible + kpis.refused_no_car <= kpis.refused, "refusals by reason exceed refusals", dump);
  check(kpis.ready_on_arrival <= kpis.booked_pickups, "more ready on arrival than booked pickups", dump);
  check(share(kpis.lift_utilisation) && share(kpis.bay_utilisation) && share(kpis.ready_on_arrival_share),
        "a KPI share is outside [0, 1]", dump);
  check(kpis.throughput_per_hour >= 0 && kpis.simulated.us >= 0 && kpis.lift_out_time.us >= 0, "a KPI is negative", dump);
  check(kpis.eta_error_mean.us >= 0 && kpis.eta_error_mean <= kpis.eta_error_max, "ETA errors inconsistent", dump);
  check_stats(kpis.wait, "wait statistics inconsistent");
  check_stats(kpis.retrieval, "retrieval statistics inconsistent");
  check_stats(kpis.storage, "storage statistics inconsistent");
  for (const tower::HourSample& hour : kpis.hourly) {
    check(hour.queue_length >= 0 && hour.max_queue_length >= 0 && hour.retrievals >= 0, "an hourly count is negative", dump);
    check(share(hour.lift_utilisation) && share(hour.bay_utilisation), "an hourly share is outside [0, 1]", dump);
    check(hour.mean_wait.us >= 0 && hour.mean_wait <= hour.max_wait, "hourly waits inconsistent", dump);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto json = tower::parse_json(tower::fuzz::as_text(data, size));
  if (!json) return 0;
  auto scenario = tower::scenario_from_json(*json);
  if (!scenario) return 0;
  scenario->duration_hours = std::min(scenario->duration_hours, max_hours);
  auto simulator = tower::Simulator::create(*scenario);
  if (!simulator) return 0;
  for (int event = 0; event < max_events && simulator->step(); ++event) {
  }
  check_kpis(simulator->kpis());
  return 0;
}
