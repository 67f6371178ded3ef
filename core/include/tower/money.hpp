// Money is integer minor units (cents, fen) with a currency: no floating point ever touches an amount.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "tower/result.hpp"

namespace tower {

// ISO 4217 code, e.g. "CNY", "USD". Every currency here has 2 minor digits.
struct Currency {
  std::array<char, 3> code{'C', 'N', 'Y'};
  friend constexpr bool operator==(Currency, Currency) = default;
  std::string str() const { return std::string(code.data(), code.size()); }
};

// Parses a 3-letter upper-case code.
Result<Currency> parse_currency(std::string_view text);

struct Money {
  std::int64_t minor = 0;  // cents / fen
  Currency currency{};
  friend constexpr bool operator==(Money, Money) = default;
};

constexpr Money cny(std::int64_t major) { return Money{major * 100, Currency{{'C', 'N', 'Y'}}}; }
constexpr Money usd(std::int64_t major) { return Money{major * 100, Currency{{'U', 'S', 'D'}}}; }

// Parses major units with at most two decimals ("22200", "22200.5", "22200.00") into minor units.
// Refuses signs, exponents, more than two decimals and amounts above 10^13 major units.
Result<std::int64_t> parse_major_units(std::string_view text);

// "22,200.00 CNY"-free canonical form: "22200.00" (sign kept for negatives).
std::string format_major_units(std::int64_t minor);

// A fraction in parts per million: 10% is 100'000, 4.99% is 49'900. Rates and percentages use it.
struct Ppm {
  std::int64_t value = 0;
  friend constexpr auto operator<=>(Ppm, Ppm) = default;
};
constexpr Ppm percent(std::int64_t whole_percent) { return Ppm{whole_percent * 10'000}; }

// Parses a percentage with at most four decimals ("10", "4.99") into ppm; refuses negatives.
Result<Ppm> parse_percent(std::string_view text);

// minor * ppm / 10^6, rounded half away from zero. Exact for |minor| < 2^63 / 10^6.
std::int64_t apply_ppm(std::int64_t minor, Ppm fraction);

}  // namespace tower
