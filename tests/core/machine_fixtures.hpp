// Shared by the machine planner and checker tests: the three preset layouts, safety inputs, and helpers to
// build, re-time and inspect plans.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "property.hpp"
#include "tower/config.hpp"
#include "tower/machine.hpp"
#include "tower/random.hpp"

namespace tower::testing::machine_fixtures {

using Catch::Matchers::Contains;
using tower::Actuator;
using tower::AxisLimits;
using tower::BayId;
using tower::Duration;
using tower::ErrorCode;
using tower::MachineConfig;
using tower::MachinePlan;
using tower::MachinePose;
using tower::PlanStep;
using tower::SafetyInputs;
using tower::SlotId;
using tower::Status;
using tower::TowerLayout;

constexpr double pi = 3.141592653589793;
const MachineConfig machine{};

inline TowerLayout autobahn() { return tower::default_tower_config().layout; }
inline TowerLayout guangzhou() { return tower::make_layout("Guangzhou", 7, 6, 2, 6); }
inline TowerLayout carvana() { return tower::make_layout("Carvana", 8, 4, 4, 2); }

inline SafetyInputs all_clear(const TowerLayout& layout) {
  SafetyInputs safety;
  safety.bays.resize(layout.bays.size());
  return safety;
}

inline MachinePose facing_bay(const TowerLayout& layout, BayId bay) { return {0.0, tower::bay_facing_rad(bay, layout), 0.0}; }

// Seconds rounded up to whole microseconds, as the plan's durations are.
inline Duration whole_us(double seconds) {
  const double us = seconds * 1e6;
  auto whole = static_cast<std::int64_t>(us);
  if (static_cast<double>(whole) < us) ++whole;
  return Duration{whole};
}

inline tower::Profile rest_to_rest(double distance, const AxisLimits& limits) {
  tower::ProfileRequest request;
  request.distance_m = distance;
  request.limits = limits;
  auto profile = tower::plan_profile(request);
  REQUIRE(profile.ok());
  return *profile;
}

inline Duration move_time(double distance, const AxisLimits& limits) {
  return whole_us(rest_to_rest(distance, limits).duration_s);
}

// A hand-made move step, for building plans the planner would never make.
inline PlanStep move_step(Actuator actuator, const AxisLimits& limits, Duration start, double from, double to) {
  PlanStep step;
  step.actuator = actuator;
  step.start = start;
  step.from = from;
  step.to = to;
  double distance = to - from;
  if (actuator == Actuator::turntable && distance > pi) distance -= 2 * pi;
  if (actuator == Actuator::turntable && distance < -pi) distance += 2 * pi;
  step.profile = rest_to_rest(distance, limits);
  step.duration = whole_us(step.profile.duration_s);
  return step;
}

inline const AxisLimits& limits_of(Actuator actuator, const MachineConfig& config = machine) {
  return actuator == Actuator::lift        ? config.lift
         : actuator == Actuator::turntable ? config.turntable
                                           : config.transfer;
}

// Re-plans a move step from `from` to `to`, keeping its start.
inline void replan(PlanStep& step, double from, double to, const MachineConfig& config = machine) {
  step = move_step(step.actuator, limits_of(step.actuator, config), step.start, from, to);
}

// After a mutation: steps sorted by start again and the duration the end of the last step.
inline void tidy(MachinePlan& plan) {
  std::stable_sort(plan.steps.begin(), plan.steps.end(),
                   [](const PlanStep& a, const PlanStep& b) { return a.start < b.start; });
  plan.duration = Duration{};
  for (const auto& step : plan.steps) plan.duration = std::max(plan.duration, step.start + step.duration);
}

inline MachinePlan planned(const tower::Result<MachinePlan>& result) {
  INFO("planning failed: " << (result.ok() ? std::string() : result.error().message));
  REQUIRE(result.ok());
  return *result;
}

inline void require_passes(const MachinePlan& plan, const TowerLayout& layout, const SafetyInputs& safety,
                    const MachineConfig& config = machine) {
  const Status status = tower::check_plan(config, layout, plan, safety);
  INFO("checker refused: " << (status.ok() ? std::string() : status.error().message));
  REQUIRE(status.ok());
}

inline void require_refused(const MachinePlan& plan, const TowerLayout& layout, const SafetyInputs& safety,
                     const std::string& rule, const MachineConfig& config = machine) {
  const Status status = tower::check_plan(config, layout, plan, safety);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.error().message, Contains(rule));
}

// Index of the n-th step (0-based) of an actuator.
inline std::size_t nth_step(const MachinePlan& plan, Actuator actuator, int n = 0) {
  for (std::size_t i = 0; i < plan.steps.size(); ++i)
    if (plan.steps[i].actuator == actuator && n-- == 0) return i;
  FAIL("the plan has too few steps of that actuator");
  return 0;
}

inline Duration end_of(const PlanStep& step) { return step.start + step.duration; }

// The retrieval used by the mutation tests: Autobahn, top-level slot 58 (level 15, position 1) to bay 2, from
// the lift at rest serving bay 1. Every axis moves both ways, so every rule has something to break.
struct Retrieval {
  TowerLayout layout = autobahn();
  SafetyInputs safety = all_clear(layout);
  MachinePlan plan =
      planned(tower::plan_retrieval(machine, layout, facing_bay(layout, BayId{1}), SlotId{58}, BayId{2}, safety));
};

}  // namespace tower::testing::machine_fixtures
