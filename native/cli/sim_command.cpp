// `tower sim`: a headless what-if run (DESIGN.md section 3). Reads the scenario file, runs the core's
// simulator a simulated day at a time (progress on stderr) and prints the KPIs, readably or as JSON.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "tower/codec.hpp"
#include "tower/sim.hpp"

namespace tower::cli {

namespace {

constexpr const char* usage_text =
    "usage: tower sim SCENARIO.json [--seed N] [--json]\n"
    "\n"
    "Runs a what-if scenario on the simulated tower: customers arrive, buy or book test drives, and the\n"
    "scheduler and the machine deliver their cars. Prints the KPIs: customer wait (p50, p95, max), retrieval\n"
    "and storage times, lift and bay utilisation, throughput, ready-on-arrival share of booked pickups,\n"
    "refusals, ETA accuracy, and the event-log hash. Example scenarios are in public/scenarios/; the README's\n"
    "'What-if scenarios' lists every field (towers of several lifts, faults, policies).\n"
    "\n"
    "options:\n"
    "  --seed N   override the scenario's seed (a whole number >= 0)\n"
    "  --json     print the KPIs as JSON, with hourly time series\n"
    "  --help     print this help\n"
    "\n"
    "Runs longer than a day show their progress on stderr: one line kept up to date on a terminal, a line\n"
    "per tenth of the run otherwise.\n"
    "exit status: 0 ran, 1 the file or the scenario was refused, 2 usage error\n";

int usage_error(const std::string& reason) {
  std::fprintf(stderr, "tower sim: %s (try 'tower sim --help')\n", reason.c_str());
  return 2;
}

int refused(const std::string& reason) {
  std::fprintf(stderr, "tower sim: %s\n", reason.c_str());
  return 1;
}

void print_stats(const char* label, const DurationStats& stats) {
  auto s = [](Duration d) { return static_cast<double>(d.us) / 1e6; };
  std::printf("  %-22s n=%-6d mean %7.1f s  p50 %7.1f s  p95 %7.1f s  max %7.1f s\n", label, stats.count,
              s(stats.mean), s(stats.p50), s(stats.p95), s(stats.max));
}

void print_human(const SimKpis& k) {
  std::printf("Scenario: %s  (schedule %s, dwell %s, seed %llu, %.1f h simulated)\n", k.scenario.c_str(),
              k.schedule.c_str(), k.dwell.c_str(), static_cast<unsigned long long>(k.seed),
              static_cast<double>(k.simulated.us) / 3.6e9);
  std::printf("Customers: %d came, %d refused (%d not eligible, %d found no car)\n", k.customers, k.refused,
              k.refused_not_eligible, k.refused_no_car);
  std::printf("Deliveries: %d purchases handed over, %d test drives started, %d returned\n",
              k.purchases_delivered, k.trials_started, k.trials_returned);
  std::printf("Times:\n");
  print_stats("customer wait", k.wait);
  print_stats("retrieval", k.retrieval);
  print_stats("storage", k.storage);
  std::printf("%s utilisation %.1f %%, bay utilisation %.1f %%, throughput %.2f cars/h, max queue %d\n",
              k.lifts > 1 ? ("Lifts (" + std::to_string(k.lifts) + ", mean)").c_str() : "Lift",
              100 * k.lift_utilisation, 100 * k.bay_utilisation, k.throughput_per_hour, k.max_queue_length);
  std::printf("Booked pickups: %d, car ready on arrival %d (%.1f %%)\n", k.booked_pickups, k.ready_on_arrival,
              100 * k.ready_on_arrival_share);
  std::printf("ETA error: mean %.1f s, max %.1f s, %d revisions; %s out of service %.2f h, %d emergency stops\n",
              static_cast<double>(k.eta_error_mean.us) / 1e6, static_cast<double>(k.eta_error_max.us) / 1e6,
              k.eta_revisions, k.lifts > 1 ? "lift-hours" : "lift", static_cast<double>(k.lift_out_time.us) / 3.6e9,
              k.emergency_stops);
  std::printf("Events: %llu, event_log_hash %016llx\n", static_cast<unsigned long long>(k.events),
              static_cast<unsigned long long>(k.event_log_hash));
}

}  // namespace

int sim_command(const std::vector<std::string>& argv) {
  if (std::find(argv.begin(), argv.end(), "--help") != argv.end()) {
    std::fputs(usage_text, stdout);
    return 0;
  }
  const Args args(argv, {"--seed"}, {"--json", "--help"});
  if (!args.error().empty()) return usage_error(args.error());
  if (args.positional().empty()) return usage_error("missing SCENARIO.json");
  if (args.positional().size() > 1) return usage_error("unexpected argument '" + args.positional()[1] + "'");
  const std::string& path = args.positional().front();

  std::ifstream file(path, std::ios::binary);
  if (!file) return refused("cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  auto document = parse_json(text.str());
  if (!document) return refused(path + ": " + document.error().message);
  auto scenario = scenario_from_json(*document);
  if (!scenario) return refused(path + ": " + scenario.error().message);
  if (const auto seed = args.value("--seed")) {
    std::string error;
    const auto value = parse_integer("--seed", *seed, error);
    if (!value) return refused(error);
    if (*value < 0) return refused("--seed must be a whole number >= 0");
    scenario->seed = static_cast<std::uint64_t>(*value);
  }

  auto sim = Simulator::create(*scenario);
  if (!sim) return refused(path + ": " + sim.error().message);
  // Progress for runs longer than a day: on a terminal one line kept up to date, in a log a line per tenth
  // of the run (a year would otherwise write 365 lines).
  const bool long_run = sim->end() > SimTime{} + days(1);
  const bool terminal = isatty(fileno(stderr)) == 1;
  const double total_days = static_cast<double>(sim->end().us) / static_cast<double>(days(1).us);
  int tenths_reported = 0;
  for (SimTime day = SimTime{} + days(1); !sim->finished(); day = day + days(1)) {
    sim->run_until(day);
    if (!long_run) continue;
    const double done = std::min(1.0, static_cast<double>(day.us) / static_cast<double>(sim->end().us));
    const int tenths = static_cast<int>(done * 10.0);
    if (!terminal && tenths <= tenths_reported) continue;
    tenths_reported = tenths;
    std::fprintf(stderr, "%stower sim: %g of %g days (%.0f%%), %llu events%s", terminal ? "\r" : "",
                 std::min(static_cast<double>(day.us / days(1).us), total_days), total_days, done * 100.0,
                 static_cast<unsigned long long>(sim->events_processed()), terminal ? "" : "\n");
  }
  if (long_run && terminal) std::fputc('\n', stderr);
  sim->run();
  const SimKpis kpis = sim->kpis();
  if (args.has("--json")) std::printf("%s\n", to_json(kpis).dump(2).c_str());
  else print_human(kpis);
  return 0;
}

}  // namespace tower::cli
