// Small helpers shared by the decision files: refusals in words, and field checks on outside input.
#pragma once

#include <string>

#include "tower/money.hpp"
#include "tower/result.hpp"
#include "tower/time.hpp"

namespace tower::rules {

inline Error refuse(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }
inline Error invalid(std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; }

inline std::string number(std::uint32_t id) { return std::to_string(id); }

// "12.50 CNY"
inline std::string money_text(Money money) { return format_major_units(money.minor) + " " + money.currency.str(); }

// Whole minutes or hours for people: "29 minutes", "3 hours".
std::string duration_text(Duration duration);

// A free-text field from outside: present, not too long, no control characters.
Status check_text(const std::string& value, const char* field, std::size_t max_length, bool required = true);

// An amount in the tower's currency that must be positive.
Status check_price(Money price, Currency currency, const char* field);

// A payment must be exactly what is due, currency included.
Status check_payment(Money paid, Money due);

// Constant-time comparison, so a pickup code cannot be guessed byte by byte from response times.
bool same_secret(const std::string& a, const std::string& b);

}  // namespace tower::rules
