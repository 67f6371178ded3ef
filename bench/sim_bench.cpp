// Speed of the what-if simulator: events per second on the shipped scenarios, and the wall time of a 30-day
// and a one-year run of the default tower. Prints the median of several runs. The scenarios are embedded, as in the tests.
// Setup (stocking the tower, planning every slot's retrieval and storage for the ETAs) is timed apart from
// the run, since it is most of a one-day run; events/s counts the whole, run/s the run alone.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tower/codec.hpp"
#include "tower/sim.hpp"

using namespace tower;

namespace {

const char* const profile =
    "[0, 0, 0, 0, 0, 0, 0, 0.3, 0.8, 1.2, 1.4, 1.5, 1.6, 1.4, 1.3, 1.3, 1.4, 1.6, 1.8, 1.6, 1.0, 0.5, 0, 0]";

Scenario scenario_of(const std::string& text) {
  auto scenario = scenario_from_json(*parse_json(text));
  if (!scenario) {
    std::fprintf(stderr, "%s\n", scenario.error().message.c_str());
    std::exit(1);
  }
  return *scenario;
}

struct Timing {
  double seconds;  // setup and run
  double setup_seconds;
  std::uint64_t events;
};

Timing time_run(const Scenario& scenario) {
  const auto start = std::chrono::steady_clock::now();
  auto sim = Simulator::create(scenario);
  const auto created = std::chrono::steady_clock::now();
  sim->run();
  const auto end = std::chrono::steady_clock::now();
  return {std::chrono::duration<double>(end - start).count(), std::chrono::duration<double>(created - start).count(),
          sim->events_processed()};
}

Timing median_of(const Scenario& scenario, int runs) {
  std::vector<Timing> timings;
  for (int i = 0; i < runs; ++i) timings.push_back(time_run(scenario));
  std::sort(timings.begin(), timings.end(), [](const Timing& a, const Timing& b) { return a.seconds < b.seconds; });
  return timings[timings.size() / 2];
}

}  // namespace

int main() {
  const std::string demand = std::string(R"("demand": {"buyers_per_hour": 1.5, "trial_pickups_per_hour": 1.5,
      "trials_out_at_start": 8, "hourly_profile": )") + profile + "}";
  const std::pair<const char*, std::string> scenarios[] = {
      {"normal day", R"({"stock": 54, "duration_hours": 24, )" + demand + "}"},
      {"flash-sale rush", R"({"stock": 60, "duration_hours": 24, )" + demand +
                              R"(, "flash_rush": {"at_hour": 18, "pickups": 40, "over_minutes": 45}})"},
      {"lift outage at noon", R"({"stock": 54, "duration_hours": 24, )" + demand +
                                  R"(, "faults": [{"kind": "lift_out", "from_hour": 12, "to_hour": 13}]})"},
      {"second bay", R"({"stock": 60, "duration_hours": 24, "bays": 3, )" + demand +
                         R"(, "flash_rush": {"at_hour": 18, "pickups": 40, "over_minutes": 45}})"},
      {"two lifts, e-stop", R"({"stock": 60, "duration_hours": 24, "lifts": 2, "bays": 4, )" + demand +
                               R"(, "flash_rush": {"at_hour": 18, "pickups": 40, "over_minutes": 45},
                               "faults": [{"kind": "emergency_stop", "at_hour": 18.25, "reset_after_minutes": 6}]})"},
      {"30 days, default tower", R"({"duration_hours": 720, )" + demand + "}"},
      // A year shows whether the cost per event stays flat as sold cars and past customers pile up.
      {"1 year, default tower", R"({"duration_hours": 8760, )" + demand + "}"},
  };
  std::printf("%-24s %10s %12s %12s %14s %14s\n", "scenario", "events", "wall [ms]", "setup [ms]", "events/s",
              "run events/s");
  for (const auto& [name, text] : scenarios) {
    const Timing timing = median_of(scenario_of(text), 11);
    const double events = static_cast<double>(timing.events);
    std::printf("%-24s %10llu %12.3f %12.3f %14.0f %14.0f\n", name, static_cast<unsigned long long>(timing.events),
                timing.seconds * 1e3, timing.setup_seconds * 1e3, events / timing.seconds,
                events / (timing.seconds - timing.setup_seconds));
  }
  return 0;
}
