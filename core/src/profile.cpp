// Time-optimal jerk-limited single-axis profiles: input checks, braking an out-of-limits start, choosing the
// fastest extremal shape over both directions (the shapes are in profile_shapes.hpp and
// profile_quartic_shapes.hpp, root finding in profile_roots.hpp), and the exact position envelope.
#include "tower/profile.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "profile_quartic_shapes.hpp"
#include "profile_shapes.hpp"

namespace tower {

namespace {

// For messages only (std::to_chars for double is missing from Emscripten's libc++).
std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

Error invalid(const char* field, const std::string& rule, double value) {
  return make_error(ErrorCode::invalid_argument, std::string(field) + " " + rule + " (got " + number_text(value) + ")");
}

// Exact state after `t` seconds of constant jerk `j` from `s`.
AxisState advance(const AxisState& s, double j, double t) {
  return AxisState{s.position_m + t * (s.velocity_mps + t * (0.5 * s.acceleration_mps2 + t * j * (1.0 / 6.0))),
                   s.velocity_mps + t * (s.acceleration_mps2 + 0.5 * j * t), s.acceleration_mps2 + j * t};
}

// [SECTION] Braking an out-of-limits start
//
// A state is viable when |a| <= amax, |v| <= vmax and ramping a to zero at full jerk keeps v within the band:
// from there the limits can be kept forever. A start outside that set first brakes back into it, greedily:
// each stage pushes the offending quantity back as hard as the jerk and acceleration limits allow, and ends
// on the boundary of the viable set or at a switching point. The limits may be exceeded during braking.

// One braking stage: its jerk and duration, and the velocity and acceleration it ends with (exactly on the
// boundary it aims for, so that rounding cannot leave a sliver of violation for another stage).
struct Step {
  double jerk = 0.0;
  double duration = 0.0;
  double end_velocity = 0.0;
  double end_acceleration = 0.0;
};

constexpr double slack = 1e-12;  // relative tolerance on the limits, for states that sit on a boundary
constexpr std::size_t max_braking_phases = Profile::max_phases - 7;

// +1 when the state violates "upwards" (must be pushed down with -J first), -1 downwards, 0 when viable.
int violation(double v, double a, const AxisLimits& lim) {
  const double V = lim.vmax_mps * (1.0 + slack), A = lim.amax_mps2 * (1.0 + slack), J = lim.jmax_mps3;
  if (a > A) return 1;
  if (a < -A) return -1;
  if (v > V || (a > 0.0 && v + a * a / (2.0 * J) > V)) return 1;
  if (v < -V || (a < 0.0 && v - a * a / (2.0 * J) < -V)) return -1;
  return 0;
}

// One braking stage for a state that violates upwards (mirrored by the caller for downwards).
Step brake_stage(double v, double a, const AxisLimits& lim) {
  const double V = lim.vmax_mps, A = lim.amax_mps2, J = lim.jmax_mps3;
  const auto ramp = [&](double jerk, double a_end) {
    const double t = profile_detail::max_of((a_end - a) / jerk, 0.0);
    return Step{jerk, t, v + t * (a + 0.5 * jerk * t), a_end};
  };
  if (a > A * (1.0 + slack)) return ramp(-J, A);
  a = profile_detail::min_of(a, A);
  // Under -J the velocity at a = 0, E = v + a^2/(2J), is invariant; stop where v = V (a_v), or earlier where
  // a +J ramp would just level out at -V (a_l, narrow velocity bands), or at -A.
  const double e = v + a * a / (2.0 * J);
  const double a_v = -std::sqrt(2.0 * J * profile_detail::max_of(e - V, 0.0));
  const double a_l = -std::sqrt(J * profile_detail::max_of(e + V, 0.0));
  const double a_stop = profile_detail::max_of(profile_detail::max_of(a_v, a_l), -A);
  if (a - a_stop > slack * A) {
    Step step = ramp(-J, a_stop);
    if (a_stop == a_v) step.end_velocity = V;
    return step;
  }
  if (a_stop == -A) {
    // Holding -A until v = V, or until a +J ramp would level out at -V if that comes first.
    const double v_stop = profile_detail::max_of(V, -V + A * A / (2.0 * J));
    if (v - v_stop > slack * V) return Step{0.0, (v - v_stop) / A, v_stop, -A};
  }
  // Ramp +J: under it the velocity at a = 0, L = v - a^2/(2J), is invariant; v comes down to V.
  const double l = v - a * a / (2.0 * J);
  Step step = ramp(J, -std::sqrt(2.0 * J * profile_detail::max_of(V - l, 0.0)));
  step.end_velocity = V;
  return step;
}

// Appends braking phases to `profile` and returns the viable state they end in.
AxisState brake(const ProfileRequest& request, Profile& profile) {
  AxisState state{0.0, request.v0_mps, request.a0_mps2};
  // Each stage ends on a boundary, so a handful suffices; the cap only guards against rounding ping-pong.
  for (int stage = 0; stage < 12 && profile.phase_count < max_braking_phases; ++stage) {
    const double side = violation(state.velocity_mps, state.acceleration_mps2, request.limits);
    if (side == 0.0) break;
    const Step step = brake_stage(side * state.velocity_mps, side * state.acceleration_mps2, request.limits);
    if (!(step.duration > 0.0)) break;
    const double jerk = side * step.jerk;
    const std::size_t n = profile.phase_count;
    if (n > 0 && profile.phases[n - 1].jerk_mps3 == jerk) {
      profile.phases[n - 1].duration_s += step.duration;  // the same ramp continues
    } else {
      profile.phases[n] = ProfilePhase{step.duration, jerk, state};
      profile.phase_count = n + 1;
    }
    state = AxisState{advance(state, jerk, step.duration).position_m, side * step.end_velocity,
                      side * step.end_acceleration};
  }
  profile.braking_phases = profile.phase_count;
  return state;
}

// [SECTION] Choosing the fastest shape
//
// The optimum is the fastest valid extremal profile over both directions. Two facts keep this cheap:
// - Stopping at the target (vf = af = 0) has exactly one valid extremal profile (as Ruckig relies on too;
//   the property tests check it against the full search), in the direction that the target lies from the
//   point where the fastest stop would end. The first valid shape found there is the answer.
// - Otherwise the cruise towards the target comes first: when its halves never lose ground (see
//   solve_cruise) no trajectory at all is faster, and it is the answer. Failing that, every shape of both
//   directions is tried, the closed-form ones first, so that their durations prune the quartic shapes
//   (profile_quartic_shapes.hpp).
// `checked` validates every candidate by integration and tries every shape: the safety net of plan_profile.

// The problem from `start` to the target, in the requested direction.
profile_detail::Problem towards_target(const AxisState& start, const ProfileRequest& request) {
  const AxisLimits& lim = request.limits;
  return profile_detail::Problem{start.velocity_mps, start.acceleration_mps2, request.distance_m - start.position_m,
                                 request.vf_mps,     request.af_mps2,         lim.vmax_mps,
                                 lim.amax_mps2,      lim.jmax_mps3,           1.0};
}

// The stop search after the cruise towards the target failed (see solve_stop). Out of line, so that the
// problems it takes by address need no memory on the usual path.
[[gnu::noinline]] void search_stop(const AxisState& start, const ProfileRequest& request,
                                   profile_detail::Best& best) {
  using namespace profile_detail;
  const Problem up = towards_target(start, request);
  const Problem down = mirrored(up);
  const Problem& ahead = up.distance >= 0.0 ? up : down;
  double stop[7];
  velocity_change(up, stop);
  const bool forward = up.distance >= travel(up, stop);
  for (const Problem* pr : {forward ? &up : &down, forward ? &down : &up}) {
    if (pr != &ahead) solve_cruise<true>(*pr, best);
    if (!best.found) solve_acc0_acc1(*pr, best);
    if (!best.found) solve_quartic_shapes(*pr, best);
    if (best.found) return;
  }
}

// The unchecked search for a stop (vf = af = 0) from a start that is not at rest. Being the only valid one, a
// cruise towards the target (most re-plans) is the answer once found, before the stopping point that orders
// the rest of the search is worked out.
[[gnu::always_inline]] inline void solve_stop(const AxisState& start, const ProfileRequest& request,
                                              profile_detail::Best& best) {
  const AxisLimits& lim = request.limits;
  const double distance = request.distance_m - start.position_m;
  // The problem in the direction of the target; multiplying by the side gives the same bits as mirrored().
  const double side = distance >= 0.0 ? 1.0 : -1.0;
  profile_detail::solve_cruise<true>(
      profile_detail::Problem{side * start.velocity_mps, side * start.acceleration_mps2, side * distance,
                              side * request.vf_mps, side * request.af_mps2, lim.vmax_mps, lim.amax_mps2,
                              lim.jmax_mps3, side},
      best);
  if (!best.found) search_stop(start, request, best);
}

profile_detail::Best fastest(const AxisState& start, const ProfileRequest& request, bool checked) {
  using namespace profile_detail;
  const Problem up = towards_target(start, request);
  Best best;
  best.checked = checked;
  if (std::fabs(up.distance) <= 1e-12 && std::fabs(up.v0 - up.vf) <= 1e-12 * up.vmax &&
      std::fabs(up.a0 - up.af) <= 1e-12 * up.amax) {
    best.offer(up, Candidate{{0, 0, 0, 0, 0, 0, 0}, 0.0, 1.0});  // already there
    if (best.found) return best;
  }
  if (up.vf == 0.0 && up.af == 0.0 && !checked) {
    if (up.v0 == 0.0 && up.a0 == 0.0) {
      solve_rest_to_rest(up.distance >= 0.0 ? up : mirrored(up), best);
      if (best.found) return best;
    }
    solve_stop(start, request, best);
    if (best.found) return best;
  }
  const Problem down = mirrored(up);
  if (checked) {
    solve_cruise(up, best);
    solve_cruise(down, best);
  } else {
    // The cruise towards the target first: it is most often the optimum and can prove it (solve_cruise).
    const bool ahead_is_up = up.distance >= 0.0;
    if (solve_cruise(ahead_is_up ? up : down, best)) return best;
    if (solve_cruise(ahead_is_up ? down : up, best)) return best;
  }
  solve_acc0_acc1(up, best);
  solve_acc0_acc1(down, best);
  solve_quartic_shapes(up, best);
  solve_quartic_shapes(down, best);
  return best;
}

// [SECTION] Assembling the phases and the envelope

// The position envelope so far: [low, high].
struct Envelope {
  double low, high;
};

// Widens the envelope by the turning points of a phase that reverses: where v(t) = 0 strictly inside it. Takes
// and returns values (no references), so the caller's running state stays in registers on the usual path.
Envelope widen_by_reversal(const AxisState s, double j, double t_end, Envelope envelope) {
  const double v = s.velocity_mps, a = s.acceleration_mps2;
  const auto include = [&](double t) {
    if (!(t > 0.0 && t < t_end)) return;
    const double p = advance(s, j, t).position_m;
    envelope.low = profile_detail::min_of(envelope.low, p);
    envelope.high = profile_detail::max_of(envelope.high, p);
  };
  if (j == 0.0) {
    if (a != 0.0) include(-v / a);
    return envelope;
  }
  // v(t) = v + a t + j t^2 / 2 = 0  <=>  t^2 + (2a/j) t + 2v/j = 0.
  double roots[2];
  const int n = profile_detail::solve_monic_quadratic(2.0 * a / j, 2.0 * v / j, roots);
  for (int i = 0; i < n; ++i) include(roots[i]);
  return envelope;
}

// The running state of one pass over the phases (see assemble). It is kept apart from the Profile (phase
// count and flags included) and written back once at the end, so it can live in registers.
struct Assembly {
  AxisState state;
  double duration = 0.0, low = 0.0, high = 0.0;
  ProfilePhase* next = nullptr;  // where the next phase goes
  bool reaches_vmax = false, reaches_amax = false;
};

// What add_phase knows of a phase's jerk at compile time: a hold (j = 0, candidate phases only), a ramp
// (j = +-jmax, candidate phases only) or anything (braking phases).
enum class Jerk { hold, ramp, any };

// Appends one phase starting at the running state and advances it: the end state by exact integration, the
// duration, and the position envelope (every phase end, plus the turning points inside phases whose velocity
// changes sign, checked cheaply from the velocity at the ends and where a crosses zero, so most phases cost
// nothing extra).
// A hold integrates as advance(start, 0.0, t) does with its zero terms left out: with t > 0 they are all +0,
// and adding +0 changes no value but -0, which the settled acceleration never is; so the bits are the same.
template <Jerk Kind>
inline void add_phase(Assembly& run, double t, double j) {
  const AxisState start = run.state;
  *run.next++ = ProfilePhase{t, j, start};
  if constexpr (Kind == Jerk::hold) {
    run.state = AxisState{start.position_m + t * (start.velocity_mps + t * (0.5 * start.acceleration_mps2)),
                          start.velocity_mps + t * start.acceleration_mps2, start.acceleration_mps2};
  } else {
    run.state = advance(start, j, t);
  }
  run.duration += t;
  run.low = profile_detail::min_of(run.low, run.state.position_m);
  run.high = profile_detail::max_of(run.high, run.state.position_m);
  const double v = start.velocity_mps, a = start.acceleration_mps2;
  double v_low = profile_detail::min_of(v, run.state.velocity_mps), v_high = profile_detail::max_of(v, run.state.velocity_mps);
  if (Kind != Jerk::hold && (Kind == Jerk::ramp || j != 0.0) && a * run.state.acceleration_mps2 < 0.0) {
    const double v_turn = v - a * a * (0.5 / j);
    v_low = profile_detail::min_of(v_low, v_turn);
    v_high = profile_detail::max_of(v_high, v_turn);
  }
  if (v_low < 0.0 && v_high > 0.0) [[unlikely]] {
    const Envelope widened = widen_by_reversal(start, j, t, Envelope{run.low, run.high});
    run.low = widened.low;
    run.high = widened.high;
  }
}

// Phase I of the candidate (jerk pattern known at compile time), skipped when it has zero length.
template <int I>
inline void add_candidate_phase(const AxisLimits& lim, const profile_detail::Candidate& candidate, Assembly& run) {
  const double t = candidate.t[I];
  if (t == 0.0) return;
  if constexpr (profile_detail::jerk_pattern[I] == 0) {
    // Zero-jerk phases after braking hold a settled acceleration (see profile_detail::settled).
    run.state.acceleration_mps2 = profile_detail::settled(run.state.acceleration_mps2, lim.amax_mps2);
    const double a = std::fabs(run.state.acceleration_mps2);
    run.reaches_amax |= a >= lim.amax_mps2 * (1.0 - 1e-9);
    run.reaches_vmax |= a == 0.0 && std::fabs(run.state.velocity_mps) >= lim.vmax_mps * (1.0 - 1e-9);
    add_phase<Jerk::hold>(run, t, 0.0);
  } else {
    add_phase<Jerk::ramp>(run, t, candidate.direction * profile_detail::jerk_pattern[I] * lim.jmax_mps3);
  }
}

// One pass that appends the candidate's phases after the braking phases and fills in the start states (by
// exact integration from the request's start, braking phases included), the end state and duration, which
// limits are reached, and the position envelope.
void assemble(const ProfileRequest& request, const profile_detail::Candidate& candidate, Profile& profile) {
  const AxisLimits& lim = request.limits;
  Assembly run{AxisState{0.0, request.v0_mps, request.a0_mps2}};
  run.next = profile.phases.data();
  const std::size_t braking = profile.braking_phases;
  // Each braking phase is read before its own slot is rewritten (run.next points at it).
  for (std::size_t i = 0; i < braking; ++i) {
    add_phase<Jerk::any>(run, profile.phases[i].duration_s, profile.phases[i].jerk_mps3);
  }
  add_candidate_phase<0>(lim, candidate, run);
  add_candidate_phase<1>(lim, candidate, run);
  add_candidate_phase<2>(lim, candidate, run);
  add_candidate_phase<3>(lim, candidate, run);
  add_candidate_phase<4>(lim, candidate, run);
  add_candidate_phase<5>(lim, candidate, run);
  add_candidate_phase<6>(lim, candidate, run);
  profile.phase_count = static_cast<std::size_t>(run.next - profile.phases.data());
  profile.reaches_vmax = run.reaches_vmax;
  profile.reaches_amax = run.reaches_amax;
  profile.end = run.state;
  profile.duration_s = run.duration;
  profile.min_position_m = run.low;
  profile.max_position_m = run.high;
}

bool finite(double x) { return std::isfinite(x); }

// Whether the integrated profile ends at the requested state, to the precision every candidate is held to.
bool reaches_target(const ProfileRequest& request, const Profile& profile) {
  const double reach = 1.0 + profile_detail::max_of(-profile.min_position_m, profile.max_position_m);
  return std::fabs(profile.end.position_m - request.distance_m) <= 1e-9 * reach &&
         std::fabs(profile.end.velocity_mps - request.vf_mps) <= 1e-9 * (1.0 + request.limits.vmax_mps) &&
         std::fabs(profile.end.acceleration_mps2 - request.af_mps2) <= 1e-10 * (1.0 + request.limits.amax_mps2);
}

}  // namespace

// [SECTION] Public functions

namespace {

// The checks every valid request passes, without building a Status (plan_profile's fast path).
inline bool usual_request(const ProfileRequest& request) {
  const AxisLimits& lim = request.limits;
  const double V = lim.vmax_mps, A = lim.amax_mps2, J = lim.jmax_mps3;
  // Arriving with af has swept the velocity through vf - af|af|/(2 jmax) on the way in.
  const double swept = request.vf_mps - request.af_mps2 * std::fabs(request.af_mps2) / (2.0 * J);
  return finite(V) && finite(A) && finite(J) && V > 0.0 && A > 0.0 && J > 0.0 && finite(request.v0_mps) &&
         finite(request.a0_mps2) && finite(request.distance_m) && std::fabs(request.vf_mps) <= V &&
         std::fabs(request.af_mps2) <= A && std::fabs(swept) <= V * (1.0 + slack);
}

}  // namespace

Status check_profile_request(const ProfileRequest& request) {
  if (usual_request(request)) return ok_status();  // (comparisons with NaN fail, so NaN targets take the slow path too)
  const AxisLimits& lim = request.limits;
  const double V = lim.vmax_mps, A = lim.amax_mps2, J = lim.jmax_mps3;
  const struct {
    const char* field;
    double value;
  } limits[] = {{"vmax_mps", V}, {"amax_mps2", A}, {"jmax_mps3", J}};
  for (const auto& limit : limits) {
    if (!(finite(limit.value) && limit.value > 0.0)) return invalid(limit.field, "must be finite and > 0", limit.value);
  }
  const struct {
    const char* field;
    double value;
  } values[] = {{"v0_mps", request.v0_mps},
                {"a0_mps2", request.a0_mps2},
                {"distance_m", request.distance_m},
                {"vf_mps", request.vf_mps},
                {"af_mps2", request.af_mps2}};
  for (const auto& value : values) {
    if (!finite(value.value)) return invalid(value.field, "must be finite", value.value);
  }
  if (std::fabs(request.vf_mps) > V) return invalid("vf_mps", "must be within +-vmax_mps", request.vf_mps);
  if (std::fabs(request.af_mps2) > A) return invalid("af_mps2", "must be within +-amax_mps2", request.af_mps2);
  return invalid("af_mps2", "cannot be reached at vf_mps without exceeding vmax_mps", request.af_mps2);
}

namespace {

// exhaustive: skip the closed-form search and go straight to the integration-checked one.
Result<Profile> plan(const ProfileRequest& request, bool exhaustive) {
  // Built in place inside the Result, and every path returns that one object (so it is never copied): the
  // profile is ~600 bytes, and copies were a third of the planning time.
  Result<Profile> result{Profile{}};
  if (!usual_request(request)) {
    if (Status status = check_profile_request(request); !status) {
      result = Result<Profile>(status.error());
      return result;
    }
  }
  Profile& profile = result.value();
  const AxisLimits& lim = request.limits;
  if (!exhaustive && request.v0_mps == 0.0 && request.a0_mps2 == 0.0 && request.vf_mps == 0.0 &&
      request.af_mps2 == 0.0 && std::fabs(request.distance_m) > 1e-12) {
    // Rest to rest, the lift's everyday move: no braking, and the closed form of the direction the target
    // lies in is the optimum (exactly what fastest() finds first, without setting up its search).
    const double direction = request.distance_m >= 0.0 ? 1.0 : -1.0;
    const profile_detail::Problem problem{0.0, 0.0, std::fabs(request.distance_m), 0.0, 0.0, lim.vmax_mps,
                                          lim.amax_mps2, lim.jmax_mps3, direction};
    profile_detail::Best best;
    profile_detail::solve_rest_to_rest(problem, best);
    if (best.found) {
      assemble(request, best.candidate, profile);
      if (reaches_target(request, profile)) return result;
      profile.phase_count = 0;  // not expected: the searches below start afresh
    }
  }
  const AxisState start = brake(request, profile);
  if (!exhaustive && request.vf_mps == 0.0 && request.af_mps2 == 0.0 &&
      std::fabs(request.distance_m - start.position_m) > 1e-12 &&
      !(start.velocity_mps == 0.0 && start.acceleration_mps2 == 0.0)) {
    // A stop from a moving start (the re-plan; fastest() settles a target already reached and a start at rest
    // first): its stop search, without setting up the rest of fastest().
    profile_detail::Best best;
    solve_stop(start, request, best);
    if (best.found) {
      assemble(request, best.candidate, profile);
      if (reaches_target(request, profile)) return result;
    }
  }
  // The closed-form search first; should rounding ever leave its profile short of the target, the
  // integration-checked search replaces it.
  for (const bool checked : {false, true}) {
    if (exhaustive && !checked) continue;
    const profile_detail::Best best = fastest(start, request, checked);
    if (!best.found) continue;
    assemble(request, best.candidate, profile);
    if (checked || reaches_target(request, profile)) return result;
  }
  // Not expected for a checked request; reported rather than asserted so a bad corner stays visible.
  result = Result<Profile>(make_error(ErrorCode::invalid_argument, "no jerk-limited profile found for this request"));
  return result;
}

}  // namespace

Result<Profile> plan_profile(const ProfileRequest& request) { return plan(request, false); }

Result<Profile> plan_profile_exhaustive(const ProfileRequest& request) { return plan(request, true); }

AxisState profile_state_at(const Profile& profile, double time_s) {
  if (profile.phase_count == 0) return profile.end;
  if (!(time_s > 0.0)) return profile.phases[0].start;
  double elapsed = 0.0;
  for (std::size_t i = 0; i < profile.phase_count; ++i) {
    const ProfilePhase& phase = profile.phases[i];
    if (time_s < elapsed + phase.duration_s) return advance(phase.start, phase.jerk_mps3, time_s - elapsed);
    elapsed += phase.duration_s;
  }
  return profile.end;
}

}  // namespace tower
