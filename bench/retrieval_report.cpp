// Retrieval and storage times of the shipped towers (DESIGN.md section 1: automated garages retrieve in 25-90 s;
// the Autostadt's longest trip is 104 s). For every slot x bay it plans the move from the lift at rest at the
// bays (0 m, serving bay 1), checks the plan with the independent checker, and prints the best, mean and worst
// times, the worst retrieval against the targets, and what its time is made of.
//
// Usage: tower_retrieval_report
#include <cstdio>
#include <string>
#include <vector>

#include "tower/config.hpp"
#include "tower/machine.hpp"

namespace {

constexpr double target_s = 90.0;      // the slow end of automated garages
constexpr double autostadt_s = 104.0;  // the Autostadt's longest trip

double seconds(tower::Duration duration) { return static_cast<double>(duration.us) / 1e6; }

struct Trip {
  double time_s = 0.0;
  tower::SlotId slot{};
  tower::BayId bay{};
  tower::MachinePlan plan{};
};

struct Summary {
  Trip best, worst;
  double total_s = 0.0;
  int count = 0;
  void add(Trip trip) {
    if (count == 0 || trip.time_s < best.time_s) best = trip;
    if (count == 0 || trip.time_s > worst.time_s) worst = trip;
    total_s += trip.time_s;
    ++count;
  }
};

// What a plan's time is made of: the transfer's strokes, the final door, and the travel in between (the longer
// of the lift and the turntable each time, plus any wait for the inner door to open).
void print_breakdown(const tower::MachinePlan& plan) {
  double transfer_s = 0.0, lift_s = 0.0, turntable_s = 0.0, last_door_s = 0.0;
  int strokes = 0;
  for (const auto& step : plan.steps) {
    const double time_s = seconds(step.duration);
    if (step.actuator == tower::Actuator::transfer) transfer_s += time_s, ++strokes;
    if (step.actuator == tower::Actuator::lift) lift_s += time_s;
    if (step.actuator == tower::Actuator::turntable) turntable_s += time_s;
    if (step.actuator == tower::Actuator::inner_door) last_door_s = step.to == 0.0 ? time_s : last_door_s;
  }
  const double travel_s = seconds(plan.duration) - transfer_s - last_door_s;
  std::printf(
      "    made of: travel %.2f s (lift moving %.2f s, turntable %.2f s, in parallel), transfer %d strokes %.2f s, "
      "closing the inner door %.2f s\n",
      travel_s, lift_s, turntable_s, strokes, transfer_s, last_door_s);
  const char* travel = lift_s >= travel_s - 1e-6 ? "the lift's travel" : "the travel (the turntable or a door wait)";
  const char* dominant = travel_s >= transfer_s && travel_s >= last_door_s ? travel
                         : transfer_s >= last_door_s                       ? "the pallet transfer"
                                                                           : "the inner door";
  std::printf("    the largest term is %s\n", dominant);
}

// A rest-to-rest move of d over the limits takes about d / v + v / a + a / j once it reaches v and a.
double long_move_s(double distance, const tower::AxisLimits& limits) {
  return distance / limits.vmax_mps + limits.vmax_mps / limits.amax_mps2 + limits.amax_mps2 / limits.jmax_mps3;
}

void report(const tower::TowerLayout& layout, const tower::MachineConfig& machine) {
  tower::SafetyInputs safety;
  safety.bays.resize(layout.bays.size());
  const tower::MachinePose start{0.0, tower::bay_facing_rad(tower::BayId{1}, layout), 0.0};
  Summary retrievals, storages;
  int refused = 0;
  for (const auto& slot : layout.slots)
    for (const auto& bay : layout.bays) {
      auto retrieval = tower::plan_retrieval(machine, layout, start, slot.id, bay.id, safety);
      auto storage = tower::plan_storage(machine, layout, start, bay.id, slot.id, safety);
      if (!retrieval || !storage) {
        std::printf("  planning failed: %s\n", (!retrieval ? retrieval.error() : storage.error()).message.c_str());
        return;
      }
      refused += tower::check_plan(machine, layout, *retrieval, safety).ok() ? 0 : 1;
      refused += tower::check_plan(machine, layout, *storage, safety).ok() ? 0 : 1;
      retrievals.add(Trip{seconds(retrieval->duration), slot.id, bay.id, *retrieval});
      storages.add(Trip{seconds(storage->duration), slot.id, bay.id, *storage});
    }
  const double top_m = tower::level_height_m(layout, layout.levels);
  std::printf("%s: %d levels (top at %.1f m), %zu slots, %zu bays; start: lift at rest at 0 m serving bay 1\n",
              layout.name.c_str(), layout.levels, top_m, layout.slots.size(), layout.bays.size());
  const auto line = [](const char* what, const Summary& summary) {
    std::printf("  %-9s best %6.2f s (slot %u, bay %u)  mean %6.2f s  worst %6.2f s (slot %u, bay %u)  over %d plans\n",
                what, summary.best.time_s, summary.best.slot.value, summary.best.bay.value,
                summary.total_s / summary.count, summary.worst.time_s, summary.worst.slot.value,
                summary.worst.bay.value, summary.count);
  };
  line("retrieval", retrievals);
  line("storage", storages);
  std::printf("  plans refused by the independent checker: %d\n", refused);
  const double worst_s = retrievals.worst.time_s;
  std::printf("  worst retrieval %.2f s: %s the %.0f s target (%+.2f s), %s the Autostadt's %.0f s (%+.2f s)\n",
              worst_s, worst_s <= target_s ? "within" : "OVER", target_s, worst_s - target_s,
              worst_s <= autostadt_s ? "within" : "over", autostadt_s, worst_s - autostadt_s);
  print_breakdown(retrievals.worst.plan);
  // The physics: a top-level trip rides the shaft twice and the transfer makes four strokes; each long move is
  // its cruise d / v plus v / a + a / j for the ramps.
  const double lift_s = long_move_s(top_m, machine.lift);
  const double stroke_s = long_move_s(machine.transfer_stroke_m, machine.transfer);
  std::printf(
      "    physics: %.1f m at %.1f m/s is %.1f s of cruise + %.1f s of ramps per ride (x2); a %.1f m stroke at "
      "%.1f m/s takes ~%.1f s (x4)\n",
      top_m, machine.lift.vmax_mps, top_m / machine.lift.vmax_mps, lift_s - top_m / machine.lift.vmax_mps,
      machine.transfer_stroke_m, machine.transfer.vmax_mps, stroke_s);
  if (worst_s > target_s)
    std::printf("    over the target: %s; raise the lift's top speed or add a lift for the upper levels\n",
                2.0 * lift_s >= 4.0 * stroke_s ? "the lift's cruise through the shaft dominates"
                                               : "the four transfer strokes dominate");
  std::printf("\n");
}

}  // namespace

int main() {
  const tower::MachineConfig machine{};
  std::printf(
      "Retrieval report: lift %.2f m/s, %.2f m/s^2, %.2f m/s^3; transfer %.2f m/s, %.2f m/s^2, %.2f m/s^3 "
      "over %.1f m; turntable %.4f rad/s; inner door %.1f s\n\n",
      machine.lift.vmax_mps, machine.lift.amax_mps2, machine.lift.jmax_mps3, machine.transfer.vmax_mps,
      machine.transfer.amax_mps2, machine.transfer.jmax_mps3, machine.transfer_stroke_m, machine.turntable.vmax_mps,
      machine.inner_door_s);
  report(tower::default_tower_config().layout, machine);
  report(tower::make_layout("Tmall Guangzhou (7 levels x 6)", 7, 6, 2, 6), machine);
  report(tower::make_layout("Carvana 8-storey (30 cars)", 8, 4, 4, 2), machine);
  return 0;
}
