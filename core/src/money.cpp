// Parsing and formatting of amounts and percentages, all in integers.
#include "tower/money.hpp"

#include "int128.hpp"

#include <cstdio>

namespace tower {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::not_eligible: return "not_eligible";
    case ErrorCode::limit_reached: return "limit_reached";
    case ErrorCode::expired: return "expired";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::too_early: return "too_early";
    case ErrorCode::sold_out: return "sold_out";
  }
  return "unknown";
}

Result<Currency> parse_currency(std::string_view text) {
  if (text.size() != 3) return make_error(ErrorCode::invalid_argument, "currency must be a 3-letter code such as CNY");
  Currency currency;
  for (std::size_t i = 0; i < 3; ++i) {
    if (text[i] < 'A' || text[i] > 'Z')
      return make_error(ErrorCode::invalid_argument, "currency must be a 3-letter upper-case code such as CNY");
    currency.code[i] = text[i];
  }
  return currency;
}

namespace {

// Parses "digits[.digits]" with at most max_decimals decimals into value * 10^max_decimals.
Result<std::int64_t> parse_fixed(std::string_view text, int max_decimals, std::int64_t max_whole, const char* what) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::invalid_argument, std::string(what) + " '" + std::string(text) + "' " + why);
  };
  if (text.empty()) return bad("is empty");
  std::int64_t whole = 0;
  std::size_t i = 0;
  int whole_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    if (text[i] < '0' || text[i] > '9') return bad("is not a plain decimal number");
    whole = whole * 10 + (text[i] - '0');
    if (whole > max_whole) return bad("is too large");
    ++whole_digits;
  }
  std::int64_t fraction = 0;
  int decimals = 0;
  if (i < text.size()) {
    ++i;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return bad("is not a plain decimal number");
      if (++decimals > max_decimals)
        return bad("has more than " + std::to_string(max_decimals) + " decimals");
      fraction = fraction * 10 + (text[i] - '0');
    }
    if (decimals == 0) return bad("ends with a decimal point");
  }
  if (whole_digits == 0) return bad("has no digits before the decimal point");
  std::int64_t scale = 1;
  for (int d = 0; d < max_decimals; ++d) scale *= 10;
  for (int d = decimals; d < max_decimals; ++d) fraction *= 10;
  return whole * scale + fraction;
}

}  // namespace

Result<std::int64_t> parse_major_units(std::string_view text) {
  return parse_fixed(text, 2, 10'000'000'000'000, "amount");
}

std::string format_major_units(std::int64_t minor) {
  const bool negative = minor < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  char text[32];
  std::snprintf(text, sizeof text, "%s%llu.%02llu", negative ? "-" : "", static_cast<unsigned long long>(magnitude / 100),
                static_cast<unsigned long long>(magnitude % 100));
  return text;
}

Result<Ppm> parse_percent(std::string_view text) {
  auto parsed = parse_fixed(text, 4, 1'000'000, "percentage");
  if (!parsed) return parsed.error();
  return Ppm{*parsed};  // 4 decimals of a percent are exactly ppm
}

std::int64_t apply_ppm(std::int64_t minor, Ppm fraction) {
  const Int128 product = static_cast<Int128>(minor) * fraction.value;
  const Int128 half = product >= 0 ? 500'000 : -500'000;
  return static_cast<std::int64_t>((product + half) / 1'000'000);
}

}  // namespace tower
