// The extremal profile shapes of a time-optimal jerk-limited move, for one direction: the problem, the
// candidate check, and the shapes solved directly in closed form (profile_quartic_shapes.hpp has the rest).
//
// Every candidate is a "UDDU" profile: seven constant-jerk phases with jerks (+J, 0, -J, 0, -J, 0, +J).
// Acceleration ramps from a0 up to a peak ap, may hold there (only at +amax), ramps down to a trough am, may
// hold there (only at -amax), and ramps up to af. When the velocity reaches +vmax the down-ramp is split at
// a = 0 by a cruise phase. The mirrored direction (-J first) is the same problem with every sign flipped.
// Each shape leaves one or two unknowns; the velocity equation removes one and the position equation gives
// a polynomial in the other:
//   cruise          peaks from the two velocity changes (square roots), cruise time from the distance
//   acc0_acc1       both accelerations at the limits: a quadratic in the velocity held between them
//   none            no limit reached: a quartic in the accel swing d = ap - am of the middle ramp
//   acc0 / acc1     one acceleration limit reached: a quartic in the other extreme acceleration
// Position equations use the invariants of constant-jerk motion: over a jerk-j ramp p changes by
// (d(v a) - d(a^3)/(3 j)) / j, over a constant-acceleration hold by d(v^2) / (2 a).
#pragma once

#include <cmath>

#include "profile_roots.hpp"

namespace tower::profile_detail {

// One direction's problem, normalized so that the first jerk is +jmax. Limits are magnitudes (> 0).
struct Problem {
  double v0, a0, distance, vf, af;
  double vmax, amax, jmax;
  double direction;  // +1 as requested, -1 mirrored
};

inline Problem mirrored(const Problem& p) {
  return Problem{-p.v0, -p.a0, -p.distance, -p.vf, -p.af, p.vmax, p.amax, p.jmax, -p.direction};
}

// A candidate: seven phase durations [s] for jerks (+J, 0, -J, 0, -J, 0, +J) times its direction.
struct Candidate {
  double t[7];
  double duration_s;
  double direction;
};

inline constexpr double jerk_pattern[7] = {1, 0, -1, 0, -1, 0, 1};

// A cruise starts where a ramp brought the acceleration to zero; rounding leaves ~1e-16 amax there, which a
// long cruise would integrate into a velocity drift. Zero-jerk phases with a negligible acceleration
// therefore run at exactly zero acceleration (profile.cpp integrates the same way).
inline double settled(double acceleration, double amax) {
  return std::fabs(acceleration) <= 1e-12 * amax ? 0.0 : acceleration;
}

// Integrates the seven phases and accepts the candidate when all durations are non-negative, the end state
// matches the target and the limits hold (velocity also where the acceleration crosses zero inside a phase).
// Tiny negative durations from rounding are clamped to zero.
inline bool accept(const Problem& pr, Candidate& c) {
  const double time_slack = 1e-12 * (1.0 + pr.amax / pr.jmax + pr.vmax / pr.amax);
  double duration = 0.0;
  for (double& t : c.t) {
    if (!(t >= 0.0)) {
      if (!(t > -time_slack)) return false;
      t = 0.0;
    }
    duration += t;
  }
  const double a_limit = pr.amax * (1.0 + 1e-12);
  const double half_inv_j = 0.5 / pr.jmax;
  const double v_limit = pr.vmax * (1.0 + 1e-12);
  double p = 0.0, v = pr.v0, a = pr.a0;
  for (int i = 0; i < 7; ++i) {
    const double t = c.t[i];
    if (t == 0.0) continue;
    const double j = jerk_pattern[i] * pr.jmax;
    if (j == 0.0) a = settled(a, pr.amax);
    const double a_end = a + j * t;
    if (j != 0.0 && a * a_end < 0.0 && std::fabs(v - jerk_pattern[i] * a * a * half_inv_j) > v_limit) return false;
    p += t * (v + t * (0.5 * a + t * j * (1.0 / 6.0)));
    v += t * (a + 0.5 * j * t);
    a = a_end;
    if (std::fabs(a) > a_limit || std::fabs(v) > v_limit) return false;
  }
  if (!(std::fabs(p - pr.distance) <= 1e-9 * (1.0 + std::fabs(pr.distance)) &&
        std::fabs(v - pr.vf) <= 1e-9 * (1.0 + pr.vmax) && std::fabs(a - pr.af) <= 1e-10 * (1.0 + pr.amax))) {
    return false;
  }
  c.duration_s = duration;
  c.direction = pr.direction;
  return true;
}

// Keeps the fastest valid candidate of either direction.
//
// Shapes know their own validity in closed form: with a viable start and a reachable target (profile.cpp
// ensures both), a UDDU profile keeps every limit if its durations are non-negative, its extreme
// accelerations are within amax (each shape's parameter range ensures it) and, when the acceleration
// crosses zero mid-profile, the velocity peak there is within vmax. So `offer` only checks durations; the
// integrating accept() is the cross-check used by the tests and by profile.cpp's fallback (`checked`).
struct Best {
  Candidate candidate{};
  bool found = false;
  bool checked = false;  // validate by integration (accept) instead of in closed form
  bool offer(const Problem& pr, Candidate c) {
    if (checked) {
      if (!accept(pr, c)) return false;
    } else {
      const double time_slack = 1e-12 * (1.0 + pr.amax / pr.jmax + pr.vmax / pr.amax);
      double duration = 0.0;
      for (double& t : c.t) {
        if (!(t >= 0.0)) {
          if (!(t > -time_slack)) return false;
          t = 0.0;
        }
        duration += t;
      }
      c.duration_s = duration;
      c.direction = pr.direction;
    }
    if (!found || c.duration_s < candidate.duration_s) {
      candidate = c;
      found = true;
    }
    return true;
  }
  double duration_or(double fallback) const { return found ? candidate.duration_s : fallback; }
};

// Peak velocity where the acceleration crosses zero between a peak ap > 0 and a trough am < 0, reached from
// (v0, a0) by ramping to ap, holding it for `hold`, and ramping down [m/s].
inline bool peak_within_vmax(const Problem& pr, double ap, double am, double hold) {
  if (!(ap > 0.0 && am < 0.0)) return true;  // no interior maximum: v peaks at an end
  const double peak = pr.v0 + (2.0 * ap * ap - pr.a0 * pr.a0) * (0.5 / pr.jmax) + ap * hold;
  return peak <= pr.vmax * (1.0 + 1e-12);
}

// Distance covered by the seven phases from (0, v0, a0) [m].
inline double travel(const Problem& pr, const double (&t)[7]) {
  double p = 0.0, v = pr.v0, a = pr.a0;
  for (int i = 0; i < 7; ++i) {
    if (t[i] == 0.0) continue;  // adds only zeros
    const double j = jerk_pattern[i] * pr.jmax;
    p += t[i] * (v + t[i] * (0.5 * a + t[i] * j * (1.0 / 6.0)));
    v += t[i] * (a + 0.5 * j * t[i]);
    a += j * t[i];
  }
  return p;
}

// Cruise at +vmax: each half is the fastest velocity change to or from (vmax, 0), holding at the
// acceleration limit when its peak would exceed it. The halves' distances follow from the ramp invariants
// (the a^3 terms cancel within each half); the cruise covers the rest.
//
// Returns true when the candidate is valid and provably the time optimum, so no other shape need be tried
// (never when best.checked). The argument: the first half is the fastest way up to vmax, so no feasible
// trajectory is ever faster than it at any instant, v(t) <= U(t) (U = vmax after it), unless it ends while
// still accelerating above that (excluded below); likewise, by time reversal, v(t) <= W(T - t) for one that
// arrives at time T, W being the second half run backwards. So one
// with T shorter by s > 0 covers at most q(a) + D - q(a + s) for any split a, q being the cruise profile's
// position. If positions never pass q at the end of the first half before it, nor drop below q at the start
// of the second half after it, a split whose window [a, a + s] covers the cruise (or lies inside it) gives
// q(a + s) - q(a) >= vmax * min(s, cruise) > 0: less than D, so no such trajectory reaches the target. In a
// half the velocity changes monotonically but for one dip (where the acceleration crosses zero), so the
// condition holds when the half's velocity stays >= 0, or when it is <= 0 at the far-from-vmax end and the
// half covers a distance >= 0; otherwise the caller searches on.
//
// Stop: the caller knows vf = af = 0 (either zero), the re-plan's target, so their terms are left out. That
// changes no bit: each is a zero added to or subtracted from a value that cannot be -0 (J V, 2 A^2 and m are
// > 0, and the moment sum ends in v5 m > 0), so the result is that value.
template <bool Stop = false>
[[gnu::always_inline]] inline bool solve_cruise(const Problem& pr, Best& best) {
  const double J = pr.jmax, A = pr.amax, V = pr.vmax, inv_j = 1.0 / J;
  const double vf = Stop ? 0.0 : pr.vf, af = Stop ? 0.0 : pr.af;
  const double up_sq = J * (V - pr.v0) + 0.5 * pr.a0 * pr.a0;
  const double down_sq = Stop ? J * V : J * (V - vf) + 0.5 * af * af;
  if (up_sq < 0.0 || down_sq < 0.0) return false;
  double ap = std::sqrt(up_sq), hold_up = 0.0;
  if (ap > A) {
    hold_up = (V - pr.v0 - (2.0 * A * A - pr.a0 * pr.a0) * 0.5 * inv_j) / A;
    ap = A;
  }
  double m = std::sqrt(down_sq), hold_down = 0.0;
  if (m > A) {
    hold_down = Stop ? (V - 2.0 * A * A * 0.5 * inv_j) / A : (V - vf - (2.0 * A * A - af * af) * 0.5 * inv_j) / A;
    m = A;
  }
  const double v1 = pr.v0 + (ap * ap - pr.a0 * pr.a0) * 0.5 * inv_j, v2 = v1 + ap * hold_up;
  const double v5 = V - m * m * 0.5 * inv_j, v6 = v5 - m * hold_down;
  const double moments = v1 * ap - pr.v0 * pr.a0 + v2 * ap + v5 * m;
  const double halves = (Stop ? moments + v6 * m : moments + vf * af + v6 * m) * inv_j +
                        (Stop ? pr.a0 * pr.a0 * pr.a0 : pr.a0 * pr.a0 * pr.a0 - af * af * af) * (inv_j * inv_j / 3.0) +
                        0.5 * (hold_up * (v1 + v2) + hold_down * (v5 + v6));
  const double cruise = (pr.distance - halves) / V;
  if (cruise < -1e-12 * (1.0 + std::fabs(pr.distance) / V)) return false;
  const bool valid = best.offer(pr, Candidate{{(ap - pr.a0) * inv_j, hold_up, ap * inv_j, cruise, m * inv_j, hold_down,
                                               (Stop ? m : af + m) * inv_j},
                                              0.0, 1.0});
  if (!valid || best.checked) return false;
  // The optimality conditions above, with margins far above rounding.
  const double t_up = (2.0 * ap - pr.a0) * inv_j + hold_up, t_down = (2.0 * m + pr.af) * inv_j + hold_down;
  if (!(cruise > 1e-9 * (t_up + t_down))) return false;
  // U bounds every trajectory only if none can end above it: one that passes U while it levels out at vmax
  // has v + a^2/(2J) > vmax with a > 0 from then on, so it must end in such a state. Mirrored for W.
  if (pr.af > 0.0 && !(pr.vf + pr.af * pr.af * 0.5 * inv_j < V * (1.0 - 1e-9))) return false;
  if (pr.a0 < 0.0 && !(pr.v0 + pr.a0 * pr.a0 * 0.5 * inv_j < V * (1.0 - 1e-9))) return false;
  const double up_least = pr.a0 >= 0.0 ? pr.v0 : pr.v0 - pr.a0 * pr.a0 * 0.5 * inv_j;
  if (!(up_least >= 0.0)) {
    if (!(pr.v0 <= 0.0)) return false;
    const double up_distance = (v1 * ap - pr.v0 * pr.a0 + v2 * ap) * inv_j +
                               pr.a0 * pr.a0 * pr.a0 * (inv_j * inv_j / 3.0) + 0.5 * hold_up * (v1 + v2);
    if (!(up_distance > 1e-9 * V * t_up)) return false;
  }
  const double down_least = pr.af <= 0.0 ? pr.vf : pr.vf - pr.af * pr.af * 0.5 * inv_j;
  if (!(down_least >= 0.0)) {
    if (!(pr.vf <= 0.0)) return false;
    const double down_distance = (v5 * m + pr.vf * pr.af + v6 * m) * inv_j -
                                 pr.af * pr.af * pr.af * (inv_j * inv_j / 3.0) + 0.5 * hold_down * (v5 + v6);
    if (!(down_distance > 1e-9 * V * t_down)) return false;
  }
  return true;
}

// Both acceleration limits reached: the velocity w held between the +amax and -amax phases solves
// w^2 + (2 A^2 / J) w + c A = 0.
[[gnu::always_inline]] inline void solve_acc0_acc1(const Problem& pr, Best& best) {
  const double J = pr.jmax, A = pr.amax, inv_j = 1.0 / J;
  const double v1 = pr.v0 + (A * A - pr.a0 * pr.a0) * 0.5 * inv_j;
  const double v4 = pr.vf + (A * A - pr.af * pr.af) * 0.5 * inv_j;
  const double peak_gain = A * A * 0.5 * inv_j;  // the velocity peaks at w + A^2 / (2J) between the holds
  // w >= max(v1, v4) (non-negative holds) and w + A^2/(2J) <= vmax must leave room.
  if (max_of(v1, v4) + peak_gain > pr.vmax * (1.0 + 1e-9)) return;
  const double c = (v1 * A - pr.v0 * pr.a0 + v4 * A + pr.vf * pr.af) * inv_j +
                   (pr.a0 * pr.a0 * pr.a0 - pr.af * pr.af * pr.af) * (inv_j * inv_j / 3.0) -
                   (v1 * v1 + v4 * v4) / (2.0 * A) - pr.distance;
  double w[2];
  const int n = solve_monic_quadratic(2.0 * A * A * inv_j, c * A, w);
  for (int i = 0; i < n; ++i) {
    if (w[i] < max_of(v1, v4) - 1e-9 * (1.0 + pr.vmax)) continue;  // a hold would be negative
    if (w[i] + peak_gain > pr.vmax * (1.0 + 1e-9)) continue;
    best.offer(pr, Candidate{{(A - pr.a0) * inv_j, (w[i] - v1) / A, 2.0 * A * inv_j, 0.0, 0.0, (w[i] - v4) / A,
                              (pr.af + A) * inv_j},
                             0.0, 1.0});
  }
}

// The fastest change from (v0, a0) to (vf, af) ignoring position: one ramp up and one down (or down then
// up), holding at the limit if needed. It is a member of this direction's UDDU family.
inline void velocity_change(const Problem& pr, double (&t)[7]) {
  const double J = pr.jmax, A = pr.amax, inv_j = 1.0 / J;
  const double a0 = pr.a0, af = pr.af;
  for (double& x : t) x = 0.0;
  const double direct = (af >= a0 ? af * af - a0 * a0 : a0 * a0 - af * af) * 0.5 * inv_j;  // one straight ramp
  if (pr.vf - pr.v0 >= direct) {
    double peak = std::sqrt(J * (pr.vf - pr.v0) + 0.5 * (a0 * a0 + af * af));
    if (peak > A) {
      t[1] = (pr.vf - pr.v0 - (2.0 * A * A - a0 * a0 - af * af) * 0.5 * inv_j) / A;
      peak = A;
    }
    t[0] = (peak - a0) * inv_j;
    t[2] = (peak - af) * inv_j;
  } else {
    double trough = std::sqrt(J * (pr.v0 - pr.vf) + 0.5 * (a0 * a0 + af * af));
    if (trough > A) {
      t[5] = (pr.v0 - pr.vf - (2.0 * A * A - a0 * a0 - af * af) * 0.5 * inv_j) / A;
      trough = A;
    }
    t[2] = (a0 + trough) * inv_j;
    t[6] = (af + trough) * inv_j;
  }
}

// Rest to rest (v0 = a0 = vf = af = 0, distance >= 0) in closed form: the symmetric double-S profile.
// t1: jerk ramp, t2: hold at the peak acceleration, t4: cruise.
inline void solve_rest_to_rest(const Problem& pr, Best& best) {
  const double J = pr.jmax, A = pr.amax, V = pr.vmax, D = pr.distance, inv_j = 1.0 / J;
  double t1 = 0.0, t2 = 0.0, t4 = 0.0;
  const bool amax_before_vmax = V * J >= A * A;
  const double cruise_start = amax_before_vmax ? V * (A * inv_j + V / A) : 2.0 * V * std::sqrt(V * inv_j);
  if (D >= cruise_start) {
    t1 = amax_before_vmax ? A * inv_j : std::sqrt(V * inv_j);
    t2 = amax_before_vmax ? V / A - A * inv_j : 0.0;
    t4 = (D - cruise_start) / V;
  } else if (D >= 2.0 * A * A * A * inv_j * inv_j) {
    // Peak velocity A (t1 + t2) covered over 2 t1 + t2: t2^2 + 3 t1 t2 + 2 t1^2 - D / A = 0.
    t1 = A * inv_j;
    t2 = 0.5 * (std::sqrt(t1 * t1 + 4.0 * D / A) - 3.0 * t1);
  } else {
    t1 = cube_root(0.5 * D * inv_j);  // D = 2 J t1^3
  }
  // Exact by construction (the tests check it against the general search), so it skips accept().
  if (!(t1 > 0.0 && t2 >= 0.0 && t4 >= 0.0)) return;
  best.candidate = Candidate{{t1, t2, t1, t4, t1, t2, t1}, 4.0 * t1 + 2.0 * t2 + t4, pr.direction};
  best.found = true;
}

}  // namespace tower::profile_detail
