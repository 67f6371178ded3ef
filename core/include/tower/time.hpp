// Time is an input to the core, never read from a clock: SimTime is microseconds since the tower's epoch.
#pragma once

#include <compare>
#include <cstdint>

namespace tower {

// A span of time in microseconds.
struct Duration {
  std::int64_t us = 0;
  friend constexpr auto operator<=>(Duration, Duration) = default;
  friend constexpr Duration operator+(Duration a, Duration b) { return {a.us + b.us}; }
  friend constexpr Duration operator-(Duration a, Duration b) { return {a.us - b.us}; }
  friend constexpr Duration operator*(Duration a, std::int64_t k) { return {a.us * k}; }
};

// An instant: microseconds since the tower's epoch (the gateway maps it to wall-clock UTC).
struct SimTime {
  std::int64_t us = 0;
  friend constexpr auto operator<=>(SimTime, SimTime) = default;
  friend constexpr SimTime operator+(SimTime t, Duration d) { return {t.us + d.us}; }
  friend constexpr SimTime operator-(SimTime t, Duration d) { return {t.us - d.us}; }
  friend constexpr Duration operator-(SimTime a, SimTime b) { return {a.us - b.us}; }
};

constexpr Duration microseconds(std::int64_t n) { return {n}; }
constexpr Duration seconds(std::int64_t n) { return {n * 1'000'000}; }
constexpr Duration minutes(std::int64_t n) { return seconds(n * 60); }
constexpr Duration hours(std::int64_t n) { return minutes(n * 60); }
constexpr Duration days(std::int64_t n) { return hours(n * 24); }

}  // namespace tower
