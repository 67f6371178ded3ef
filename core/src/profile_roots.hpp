// Root finding for the jerk-limited profile: quadratics in closed form, a deterministic cube root, and a
// bracketed Newton iteration for a root that has already been isolated analytically.
// Only + - * / and std::sqrt (correctly rounded on every platform) are used, so native and WASM agree bit
// for bit: libm's cbrt differs between libraries, hence our own.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace tower::profile_detail {

inline double min_of(double a, double b) { return b < a ? b : a; }  // std::fmin is a libm call at -O3
inline double max_of(double a, double b) { return a < b ? b : a; }

// Real roots of x^2 + b x + c = 0 written to roots[0..1]; returns their count (a double root counts once).
// Uses the cancellation-free form (-b - sign(b) sqrt(disc)) / 2 and Vieta for the second root.
inline int solve_monic_quadratic(double b, double c, double roots[2]) {
  const double disc = b * b - 4.0 * c;
  if (disc < 0.0) return 0;
  if (disc == 0.0) {
    roots[0] = -0.5 * b;
    return 1;
  }
  const double q = -0.5 * (b + (b >= 0.0 ? std::sqrt(disc) : -std::sqrt(disc)));
  roots[0] = q;
  roots[1] = q != 0.0 ? c / q : 0.0;
  return 2;
}

// Cube root: an exponent-based first guess (within ~6%) and three Halley steps (error cubes each step).
inline double cube_root(double x) {
  if (x == 0.0 || !std::isfinite(x)) return x;
  const double magnitude = std::fabs(x);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &magnitude, sizeof bits);
  bits = bits / 3 + 0x2A9F7893782DA1CEull;  // divides the biased exponent by 3
  double y = 0.0;
  std::memcpy(&y, &bits, sizeof y);
  for (int i = 0; i < 3; ++i) {
    const double y3 = y * y * y;
    y = y * (y3 + 2.0 * magnitude) / (2.0 * y3 + magnitude);
  }
  return x < 0.0 ? -y : y;
}

// The root of f in [lo, hi], given f(lo) and f(hi) of opposite signs and f monotone in between (callers
// split at the extrema, which they know in closed form). Newton steps from the regula-falsi point, with a
// bisection whenever a step would leave the shrinking bracket; stops at machine precision.
// eval(x, f, df) writes f(x) and f'(x).
template <class Eval>
double bracketed_root(const Eval& eval, double lo, double f_lo, double hi, double f_hi) {
  if (f_lo == 0.0) return lo;
  if (f_hi == 0.0) return hi;
  double below = f_lo < 0.0 ? lo : hi;  // f < 0 there
  double above = f_lo < 0.0 ? hi : lo;  // f > 0 there
  double x = lo + (hi - lo) * (f_lo / (f_lo - f_hi));
  const double resolution = 1e-15 * (std::fabs(lo) + std::fabs(hi));
  for (int i = 0; i < 64; ++i) {
    double f = 0.0, df = 0.0;
    eval(x, f, df);
    if (f == 0.0) return x;
    (f < 0.0 ? below : above) = x;
    double next = x - f / df;
    const double left = min_of(below, above), right = max_of(below, above);
    if (!(next > left && next < right)) next = 0.5 * (left + right);  // also catches df == 0
    if (std::fabs(next - x) <= resolution || next == left || next == right) return next;
    x = next;
  }
  return x;
}

}  // namespace tower::profile_detail
