// Buying on credit (DESIGN.md section 1, Tmall): a down payment, then level monthly instalments exact to the
// cent, optionally ending early in a balloon. Pure integer arithmetic: no I/O, no floating point, no throws.
//
// [SECTION] Rules: how every amount is rounded
// [SECTION] Terms and quote
// [SECTION] Searches: the level payment of a term, the shortest term under a monthly cap
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tower/money.hpp"
#include "tower/result.hpp"

namespace tower {

// [SECTION] Rules
// - Down payment = apply_ppm(price, down percentage): half away from zero, to the cent. Financed = price - down.
// - Each month's interest = balance * APR / 12, rounded half up to the cent (exact, 128-bit intermediate).
// - The level payment is the smallest whole-cent amount that retires the loan within the term under that rule.
// - The last payment is the remaining balance plus its interest, so it absorbs the rounding and never exceeds
//   the level payment. Principal sums to the financed amount exactly; payments to financed + interest exactly.
// - Only for tiny loans (financed amount of the order of months^2 cents) can the last payment land before month N.

inline constexpr int max_finance_months = 120;
// parse_major_units' ceiling (10^13 major units): keeps every balance and sum far inside 64 bits.
inline constexpr std::int64_t max_finance_price_minor = 1'000'000'000'000'000;

// [SECTION] Terms and quote

// What the customer asks for. The defaults are DESIGN's: 10% down; set price, apr and months.
//
// Balloon ("Tmall New Car" plan): with balloon_after = M the instalments are those of the full N-month loan, and
// after payment M the customer chooses one of three ways on:
//   - keep paying: the rest of the N-month schedule (quote without balloon_after to see it);
//   - pay off: the balloon, i.e. the balance still owed after M payments, paid with instalment M;
//   - swap the car: the balloon is settled against a new car's purchase (a new quote).
// The quote shows the pay-off path: M rows, the last of which includes the balloon.
struct FinanceTerms {
  Money price{};                     // the car's price; more than 0, at most max_finance_price_minor
  Ppm down_payment = percent(10);    // share of the price paid up front, 0% to 100%
  Ppm apr{};                         // nominal annual rate; the monthly rate is apr / 12; 0% to 100%
  int months = 36;                   // length of the full amortization in months, 1 to max_finance_months
  std::optional<int> balloon_after;  // months before the balloon falls due, 1 to months - 1
};

// One month of the schedule. Every amount is in the price's currency.
struct Instalment {
  int month = 0;          // 1 for the first instalment, a month after the purchase
  Money payment{};        // what the customer pays this month; in a balloon quote row M includes the balloon
  Money interest{};       // the balance before this payment * apr / 12, rounded half up to the cent
  Money principal{};      // payment - interest: how much the balance goes down
  Money balance_after{};  // still owed after this payment; 0 after the last row
};

struct FinanceQuote {
  FinanceTerms terms;                    // as asked
  Money down_payment{};                  // paid at the tower before the car comes down
  Money financed{};                      // price - down_payment
  Money monthly_payment{};               // the level instalment (0 when nothing is financed)
  Money total_interest{};                // sum of the schedule's interest (over M months with a balloon)
  Money total_paid{};                    // down payment + every schedule payment = price + total_interest
  std::optional<Money> balloon_payment;  // balance owed after M payments; set only with balloon_after
  std::vector<Instalment> schedule;      // N rows (M with a balloon; none when nothing is financed)
};

// Checks every field of `terms`. Fails with invalid_argument and a message naming the field (price,
// down payment, APR, months, balloon_after) and the allowed range.
Status validate_finance_terms(const FinanceTerms& terms);

// The full quote for `terms`: down payment, level payment, schedule, totals, balloon.
// Fails like validate_finance_terms.
Result<FinanceQuote> quote_financing(const FinanceTerms& terms);

// [SECTION] Searches

// Interest for one month on `balance_minor` (>= 0, minor units) at `apr`: balance * apr / 12 rounded half up
// to the minor unit. Exact for every balance up to max_finance_price_minor and apr up to 100%.
std::int64_t monthly_interest(std::int64_t balance_minor, Ppm apr);

// The smallest whole-cent payment that retires `financed` within `months` at `apr` under the rules above
// (0 if financed is 0). Fails with invalid_argument naming financed, APR or months when out of range.
Result<Money> level_payment(Money financed, Ppm apr, int months);

// The shortest term in months (1 to max_months) whose level payment for price - down payment is at most
// `monthly_cap` (same currency, more than 0). Fails with invalid_argument for bad inputs, and with not_eligible
// (stating the max_months payment) when even max_months is too short.
Result<int> shortest_term_within(Money price, Ppm down_payment, Ppm apr, Money monthly_cap,
                                 int max_months = max_finance_months);

// A percentage in ppm as people write it: 49'900 -> "4.99", 100'000 -> "10" (no trailing zeros).
std::string format_percent(Ppm fraction);

}  // namespace tower
