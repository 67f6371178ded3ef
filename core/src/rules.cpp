#include "rules.hpp"

namespace tower::rules {

std::string duration_text(Duration duration) {
  const std::int64_t minutes_total = duration.us / 60'000'000;
  if (minutes_total < 120) return std::to_string(minutes_total) + (minutes_total == 1 ? " minute" : " minutes");
  const std::int64_t hours_total = minutes_total / 60;
  if (hours_total < 48) return std::to_string(hours_total) + " hours";
  return std::to_string(hours_total / 24) + " days";
}

Status check_text(const std::string& value, const char* field, std::size_t max_length, bool required) {
  if (required && value.empty()) return invalid(std::string(field) + " is required");
  if (value.size() > max_length)
    return invalid(std::string(field) + " is longer than " + std::to_string(max_length) + " characters");
  for (const unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return invalid(std::string(field) + " contains control characters");
  return ok_status();
}

Status check_price(Money price, Currency currency, const char* field) {
  if (price.currency != currency)
    return invalid(std::string(field) + " is in " + price.currency.str() + " but this tower sells in " + currency.str());
  if (price.minor <= 0) return invalid(std::string(field) + " must be more than zero");
  return ok_status();
}

Status check_payment(Money paid, Money due) {
  if (paid != due)
    return invalid("payment of " + money_text(paid) + " does not match the " + money_text(due) + " due");
  return ok_status();
}

bool same_secret(const std::string& a, const std::string& b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const std::string& longer = a.size() >= b.size() ? a : b;
  for (std::size_t i = 0; i < longer.size(); ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    difference = static_cast<unsigned char>(difference | (x ^ y));
  }
  return difference == 0;
}

}  // namespace tower::rules
