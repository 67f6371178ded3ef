// Time-optimal, jerk-limited motion of one axis (the lift, the pallet transfer): the fastest move from a
// start state to a target state that keeps |v| <= vmax, |a| <= amax and |j| <= jmax, as constant-jerk phases.
//
// [SECTION] Inputs: limits and request
// [SECTION] Output: phases, duration and position envelope
// [SECTION] Planning and sampling
//
// Pure and deterministic: no I/O, no clocks, no exceptions; only + - * / and sqrt, so native and WASM plan
// bit-identical profiles. Positions are relative to the start (p0 = 0).
//
// The profile is exact: among the extremal constant-jerk shapes (the 7-phase "double S" and its degenerate
// cases, both directions) the fastest valid one is the time optimum, and every shape is solved in closed form
// or by Newton's method on an analytically isolated root, to machine precision. A start outside the limits
// first brakes back within them as hard as the limits allow; the rest is then optimal from there.
#pragma once

#include <array>
#include <cstddef>

#include "tower/result.hpp"

namespace tower {

// [SECTION] Inputs: limits and request

// Symmetric kinematic limits of one axis. All must be finite and > 0.
struct AxisLimits {
  double vmax_mps = 0.0;   // velocity limit in [m/s], applied to both directions
  double amax_mps2 = 0.0;  // acceleration limit in [m/s^2], both signs
  double jmax_mps3 = 0.0;  // jerk limit in [m/s^3], both signs
};

// One move: start at position 0 with (v0, a0), end at `distance_m` with (vf, af).
// The start may violate the limits (a re-plan of a faster move): the profile then brakes back within them
// first. The target must be within the limits and reachable: an arrival with af < 0 has decelerated from
// vf + af^2/(2 jmax), which may not exceed vmax (mirrored for af > 0).
struct ProfileRequest {
  double v0_mps = 0.0;       // start velocity in [m/s]
  double a0_mps2 = 0.0;      // start acceleration in [m/s^2]
  double distance_m = 0.0;   // target position relative to the start in [m], either sign
  double vf_mps = 0.0;       // target velocity in [m/s], |vf| <= vmax
  double af_mps2 = 0.0;      // target acceleration in [m/s^2], |af| <= amax
  AxisLimits limits{};
};

// [SECTION] Output: phases, duration and position envelope

// Position, velocity and acceleration of the axis at one instant; position relative to the start.
struct AxisState {
  double position_m = 0.0;
  double velocity_mps = 0.0;
  double acceleration_mps2 = 0.0;
};

// A span of constant jerk.
struct ProfilePhase {
  double duration_s = 0.0;  // length of the phase in [s], > 0
  double jerk_mps3 = 0.0;   // jerk in [m/s^3] during the phase: +jmax, 0 or -jmax
  AxisState start{};        // state when the phase begins
};

// A planned move. Phases run back to back from t = 0; zero-length phases are left out.
struct Profile {
  static constexpr std::size_t max_phases = 12;  // up to 5 braking phases + the 7 of a double-S profile

  std::array<ProfilePhase, max_phases> phases{};
  std::size_t phase_count = 0;        // phases[0 .. phase_count) are used
  std::size_t braking_phases = 0;     // leading phases that bring an out-of-limits start back within limits
  double duration_s = 0.0;            // total time in [s]: the sum of the phase durations
  double min_position_m = 0.0;        // lowest position reached at any instant in [m] (overtravel envelope)
  double max_position_m = 0.0;        // highest position reached at any instant in [m]
  bool reaches_vmax = false;          // a cruise phase runs at the velocity limit
  bool reaches_amax = false;          // a phase holds the acceleration at its limit
  AxisState end{};                    // state at duration_s (the target, up to rounding)
};

// [SECTION] Planning and sampling

// Checks a request without planning. invalid_argument names the field: a limit that is not finite and > 0,
// a non-finite start or target, |vf| > vmax, |af| > amax, or a target state that cannot be approached
// within vmax (see ProfileRequest).
Status check_profile_request(const ProfileRequest& request);

// The time-optimal jerk-limited profile for `request`, with its duration in [s] and its exact position
// envelope in [m] (turning points inside phases included). Fails only as check_profile_request does.
Result<Profile> plan_profile(const ProfileRequest& request);

// The same profile found the slow way, for cross-checks: every shape of both directions is solved and each
// candidate is validated by integrating it, without the shortcuts plan_profile takes. Same failures.
Result<Profile> plan_profile_exhaustive(const ProfileRequest& request);

// State of the axis `time_s` [s] after the start of `profile`, integrated exactly within its phase.
// Times are clamped to [0, duration_s]: before the start it is the start state, after the end the end state.
AxisState profile_state_at(const Profile& profile, double time_s);

}  // namespace tower
