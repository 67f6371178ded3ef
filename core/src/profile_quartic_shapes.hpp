// The no-cruise shapes whose distance equation is a quartic: none, acc0 and acc1 (see profile_shapes.hpp).
//
// Rather than a general quartic solver, each root is isolated analytically: the derivative of the distance
// along each shape's parameter factors into a quadratic (derived with a computer-algebra system and checked
// by the tests), so the distance is monotone between at most two extrema given by square roots. A sign
// change across a monotone piece brackets exactly one root, found by bracketed Newton to machine precision;
// a piece without one cannot hold a solution. Duration is monotone along every parameter too, so pieces are
// visited fastest first and skipped once they cannot beat the best profile found so far.
#pragma once

#include <cmath>
#include <limits>

#include "profile_shapes.hpp"

namespace tower::profile_detail {

// Quantities shared by the three shapes.
struct Coefficients {
  double K;      // ap^2 - am^2 forced by the velocity change: J (vf - v0) + (a0^2 - af^2) / 2
  double alpha;  // 2 J v0 - a0^2
  double beta;   // 2 J vf - af^2
  double C;      // J^2 D - J (vf af - v0 a0) - (a0^3 - af^3) / 3
  double S1;     // the amax-dependent part of the acc0 / acc1 constant terms
  double S2;     // 3 (alpha^2 - beta^2)
  double C_terms, S_terms;  // sizes of the terms that C and S1 +- S2 are summed from (see Quartic)
};

inline Coefficients coefficients(const Problem& pr) {
  const double J = pr.jmax, A = pr.amax;
  const double a0 = pr.a0, af = pr.af, v0 = pr.v0, vf = pr.vf;
  const double a0_3 = a0 * a0 * a0, af_3 = af * af * af;
  Coefficients k{};
  k.K = J * (vf - v0) + 0.5 * (a0 * a0 - af * af);
  k.alpha = 2.0 * J * v0 - a0 * a0;
  k.beta = 2.0 * J * vf - af * af;
  k.C = J * J * pr.distance - J * (vf * af - v0 * a0) - (a0_3 - af_3) / 3.0;
  k.S1 = 12.0 * A * A * J * (v0 + vf) - 6.0 * A * A * (a0 * a0 + af * af) - 24.0 * A * pr.distance * J * J -
         24.0 * A * J * (a0 * v0 - af * vf) + 8.0 * A * (a0_3 - af_3);
  k.S2 = 3.0 * (k.alpha * k.alpha - k.beta * k.beta);
  const double abs_a0_3 = std::fabs(a0_3), abs_af_3 = std::fabs(af_3), abs_d = std::fabs(pr.distance);
  k.C_terms = J * J * abs_d + J * (std::fabs(vf * af) + std::fabs(v0 * a0)) + (abs_a0_3 + abs_af_3) / 3.0;
  k.S_terms = 12.0 * A * A * J * (std::fabs(v0) + std::fabs(vf)) + 6.0 * A * A * (a0 * a0 + af * af) +
              24.0 * A * abs_d * J * J + 24.0 * A * J * (std::fabs(a0 * v0) + std::fabs(af * vf)) +
              8.0 * A * (abs_a0_3 + abs_af_3) + 3.0 * (k.alpha * k.alpha + k.beta * k.beta);
  return k;
}

// x^4 + p x^2 + q x + r and its derivative.
struct Quartic {
  double p, q, r;
  // Sizes of the terms that q and r were summed from, which bound their rounding: a coefficient that cancels
  // to about zero (r does for a move that is one constant acceleration) is only known to within that.
  double q_terms = 0.0, r_terms = 0.0;
  double value(double x) const {
    const double x2 = x * x;
    return (x2 + p) * x2 + q * x + r;
  }
  void eval(double x, double& f, double& df) const {
    const double x2 = x * x;
    f = (x2 + p) * x2 + q * x + r;
    df = (4.0 * x2 + 2.0 * p) * x + q;
  }
  // Size of the terms at x, for telling a touching root from rounding.
  double magnitude(double x) const {
    const double x2 = x * x;
    return x2 * x2 + std::fabs(p) * x2 + max_of(std::fabs(q), q_terms) * std::fabs(x) + max_of(std::fabs(r), r_terms);
  }
};

// A shape's distance equation over its parameter s: f(s) = quartic(s - shift) has the sign of
// distance(s) - D; distance(s) is monotone between `breaks` (ascending, inside [lo, hi]).
struct Isolation {
  Quartic quartic;
  double shift;
  double lo, hi;
  double breaks[2];
  int break_count;
  bool fastest_at_lo;  // duration grows with s (else it shrinks)
};

// Adds the real roots of a s^2 + b s + c (a > 0) strictly inside (lo, hi) to the breaks, ascending.
inline void add_breaks(Isolation& iso, double a, double b, double c) {
  double roots[2];
  const int n = solve_monic_quadratic(b / a, c / a, roots);
  if (n == 2 && roots[1] < roots[0]) {
    const double swap = roots[0];
    roots[0] = roots[1];
    roots[1] = swap;
  }
  for (int i = 0; i < n; ++i) {
    if (roots[i] > iso.lo && roots[i] < iso.hi) iso.breaks[iso.break_count++] = roots[i];
  }
}

// Visits the roots of the shape's equation fastest first; `build(s, candidate)` turns a root into phase
// durations and returns false to skip it; `duration(s)` bounds the pieces. Stops at the first accepted one.
template <class Build, class Duration>
void solve_isolated(const Problem& pr, const Isolation& iso, Best& best, const Build& build,
                    const Duration& duration) {
  double points[4];
  int count = 0;
  points[count++] = iso.lo;
  for (int i = 0; i < iso.break_count; ++i) points[count++] = iso.breaks[i];
  points[count++] = iso.hi;
  double values[4];
  for (int i = 0; i < count; ++i) values[i] = iso.quartic.value(points[i] - iso.shift);
  const auto eval = [&](double s, double& f, double& df) { iso.quartic.eval(s - iso.shift, f, df); };
  for (int k = 0; k + 1 < count; ++k) {
    const int i = iso.fastest_at_lo ? k : count - 2 - k;  // piece [points[i], points[i + 1]]
    const double start = iso.fastest_at_lo ? points[i] : points[i + 1];
    if (best.found && duration(start) >= best.candidate.duration_s) return;
    double root = 0.0;
    if ((values[i] <= 0.0) != (values[i + 1] <= 0.0) || values[i] == 0.0) {
      root = bracketed_root(eval, points[i], values[i], points[i + 1], values[i + 1]);
    } else {
      // No sign change, yet a root may sit on an end of the piece: touching zero at an extremum, or at an end
      // of the parameter range (a phase of zero length: a move that is one constant acceleration ends its
      // acc0 range exactly on the root). Rounding decides the sign there, so an end where f vanishes to
      // rounding is the root, the fast end first.
      const double near = start, far = iso.fastest_at_lo ? points[i + 1] : points[i];
      const auto vanishes = [&](double s) {
        return std::fabs(iso.quartic.value(s - iso.shift)) <= 1e-12 * iso.quartic.magnitude(s - iso.shift);
      };
      if (vanishes(near)) {
        root = near;
      } else if (vanishes(far)) {
        root = far;
      } else {
        continue;
      }
    }
    Candidate c{};
    if (build(root, c) && best.offer(pr, c)) return;
  }
}

// No limit reached: with d = ap - am and ap + am = K / d, d^4 + 2 (alpha + beta) d^2 - 4 C d - K^2 = 0
// (that is 4 d J^2 (distance(d) - D)). distance'(d) has the sign of 3 d^4 + 2 (alpha + beta) d^2 + K^2.
inline void solve_none(const Problem& pr, const Coefficients& k, Best& best) {
  const double J = pr.jmax, A = pr.amax, inv_j = 1.0 / J;
  // ap <= A and am >= -A need d^2 - 2 A d + |K| <= 0.
  const double spare = A * A - std::fabs(k.K);
  if (spare < 0.0) return;
  const double width = std::sqrt(spare);
  Isolation iso{{2.0 * (k.alpha + k.beta), -4.0 * k.C, -k.K * k.K, 4.0 * k.C_terms}, 0.0, max_of(max_of(A - width, pr.a0 - pr.af), 1e-9 * A),
                A + width, {0.0, 0.0}, 0, true};
  if (!(iso.lo < iso.hi)) return;
  const auto duration = [&](double d) { return (2.0 * d + pr.af - pr.a0) * inv_j; };
  if (std::fabs(pr.distance) > pr.vmax * duration(iso.hi) * (1.0 + 1e-9)) return;  // |p| <= vmax t
  if (duration(iso.lo) >= best.duration_or(std::numeric_limits<double>::infinity())) return;
  // Extrema: 3 u^2 + 2 (alpha + beta) u + K^2 = 0 with u = d^2.
  double u[2];
  const int n = solve_monic_quadratic(2.0 * (k.alpha + k.beta) / 3.0, k.K * k.K / 3.0, u);
  for (int i = n - 1; i >= 0; --i) {
    if (u[i] <= 0.0) continue;
    const double d = std::sqrt(u[i]);
    if (d > iso.lo && d < iso.hi) iso.breaks[iso.break_count++] = d;
  }
  if (iso.break_count == 2 && iso.breaks[1] < iso.breaks[0]) {
    const double swap = iso.breaks[0];
    iso.breaks[0] = iso.breaks[1];
    iso.breaks[1] = swap;
  }
  const auto build = [&](double d, Candidate& c) {
    const double ap = 0.5 * (k.K / d + d), am = 0.5 * (k.K / d - d);
    c = Candidate{{(ap - pr.a0) * inv_j, 0.0, d * inv_j, 0.0, 0.0, 0.0, (pr.af - am) * inv_j}, 0.0, 1.0};
    return peak_within_vmax(pr, ap, am, 0.0);
  };
  solve_isolated(pr, iso, best, build, duration);
  // d -> 0 needs K = 0: one +J ramp straight from a0 to af.
  if (pr.af > pr.a0 && std::fabs(k.K) <= 1e-9 * A * A) {
    best.offer(pr, Candidate{{(pr.af - pr.a0) * inv_j, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, 0.0, 1.0});
  }
}

// Peak held at +amax, trough am free: with x = am - A/2,
// x^4 + (beta - A^2/2) x^2 - A beta x + A^4/16 - 3 A^2 beta/4 + (S1 - S2)/12 = 0.
// distance'(am) has the sign of -(A - am) (2 am^2 - A am + beta); duration shrinks as am grows.
inline void solve_acc0(const Problem& pr, const Coefficients& k, Best& best) {
  const double J = pr.jmax, A = pr.amax, A2 = A * A, inv_j = 1.0 / J;
  const double v1 = pr.v0 + (A2 - pr.a0 * pr.a0) * 0.5 * inv_j;
  const double v4 = pr.vf + (A2 - pr.af * pr.af) * 0.5 * inv_j;  // v after the middle ramp when am = -A
  if (v4 < v1 - 1e-12 * (1.0 + pr.vmax)) return;  // the hold at +A would be negative for every am
  const auto duration = [&](double am) {
    const double v2 = pr.vf + (2.0 * am * am - pr.af * pr.af - A2) * 0.5 * inv_j;
    return (2.0 * A - pr.a0 + pr.af - 2.0 * am) * inv_j + (v2 - v1) / A;
  };
  Isolation iso{{k.beta - 0.5 * A2, -A * k.beta, A2 * A2 / 16.0 - 0.75 * A2 * k.beta + (k.S1 - k.S2) / 12.0, 0.0,
                 A2 * A2 / 16.0 + 0.75 * A2 * std::fabs(k.beta) + k.S_terms / 12.0},
                0.5 * A, -A, min_of(pr.af, A), {0.0, 0.0}, 0, false};
  if (!(iso.lo < iso.hi)) return;
  if (std::fabs(pr.distance) > pr.vmax * duration(iso.lo) * (1.0 + 1e-9)) return;
  if (duration(iso.hi) >= best.duration_or(std::numeric_limits<double>::infinity())) return;
  add_breaks(iso, 2.0, -A, k.beta);
  const auto build = [&](double am, Candidate& c) {
    const double v2 = pr.vf + (2.0 * am * am - pr.af * pr.af - A2) * 0.5 * inv_j;
    c = Candidate{{(A - pr.a0) * inv_j, (v2 - v1) / A, (A - am) * inv_j, 0.0, 0.0, 0.0, (pr.af - am) * inv_j}, 0.0, 1.0};
    return peak_within_vmax(pr, A, am, c.t[1]);
  };
  solve_isolated(pr, iso, best, build, duration);
}

// Trough held at -amax, peak ap free: with x = ap + A/2,
// x^4 + (alpha - A^2/2) x^2 + A alpha x + A^4/16 - 3 A^2 alpha/4 + (S1 + S2)/12 = 0.
// distance'(ap) has the sign of (A + ap) (2 ap^2 + A ap + alpha); duration grows with ap.
inline void solve_acc1(const Problem& pr, const Coefficients& k, Best& best) {
  const double J = pr.jmax, A = pr.amax, A2 = A * A, inv_j = 1.0 / J;
  const double v1 = pr.v0 + (A2 - pr.a0 * pr.a0) * 0.5 * inv_j;  // v after the middle ramp's start at ap = A
  const double v4 = pr.vf + (A2 - pr.af * pr.af) * 0.5 * inv_j;
  if (v1 < v4 - 1e-12 * (1.0 + pr.vmax)) return;  // the hold at -A would be negative for every ap
  const auto duration = [&](double ap) {
    const double v3 = pr.v0 + (2.0 * ap * ap - pr.a0 * pr.a0 - A2) * 0.5 * inv_j;
    return (2.0 * ap - pr.a0 + 2.0 * A + pr.af) * inv_j + (v3 - v4) / A;
  };
  Isolation iso{{k.alpha - 0.5 * A2, A * k.alpha, A2 * A2 / 16.0 - 0.75 * A2 * k.alpha + (k.S1 + k.S2) / 12.0, 0.0,
                 A2 * A2 / 16.0 + 0.75 * A2 * std::fabs(k.alpha) + k.S_terms / 12.0},
                -0.5 * A, max_of(pr.a0, -A), A, {0.0, 0.0}, 0, true};
  if (!(iso.lo < iso.hi)) return;
  if (std::fabs(pr.distance) > pr.vmax * duration(iso.hi) * (1.0 + 1e-9)) return;
  if (duration(iso.lo) >= best.duration_or(std::numeric_limits<double>::infinity())) return;
  add_breaks(iso, 2.0, A, k.alpha);
  const auto build = [&](double ap, Candidate& c) {
    const double v3 = pr.v0 + (2.0 * ap * ap - pr.a0 * pr.a0 - A2) * 0.5 * inv_j;
    c = Candidate{{(ap - pr.a0) * inv_j, 0.0, (ap + A) * inv_j, 0.0, 0.0, (v3 - v4) / A, (pr.af + A) * inv_j}, 0.0, 1.0};
    return peak_within_vmax(pr, ap, -A, 0.0);
  };
  solve_isolated(pr, iso, best, build, duration);
}

inline void solve_quartic_shapes(const Problem& pr, Best& best) {
  // Cheap necessary conditions first (see each solver): most moves need none of the quartic shapes.
  const double J = pr.jmax, A = pr.amax, A2 = A * A, inv_j = 1.0 / J;
  const double v1 = pr.v0 + (A2 - pr.a0 * pr.a0) * 0.5 * inv_j;
  const double v4 = pr.vf + (A2 - pr.af * pr.af) * 0.5 * inv_j;
  const double longest = (4.0 * A - pr.a0 + pr.af) * inv_j + std::fabs(v4 - v1) / A;  // bounds every shape
  if (std::fabs(pr.distance) > pr.vmax * longest * (1.0 + 1e-9)) return;  // |p| <= vmax t
  const Coefficients k = coefficients(pr);
  solve_none(pr, k, best);
  solve_acc0(pr, k, best);
  solve_acc1(pr, k, best);
}

}  // namespace tower::profile_detail
