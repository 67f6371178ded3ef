// Financing quotes: down payment, level instalments found by exact integer search, schedule and balloon.
#include "tower/finance.hpp"

#include "int128.hpp"

#include <algorithm>
#include <cassert>

namespace tower {

namespace {

constexpr std::int64_t ppm_scale = 1'000'000;
constexpr Ppm max_rate = percent(100);

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

std::string percent_text(Ppm fraction) { return format_percent(fraction) + "%"; }

Status check_rate(Ppm apr) {
  if (apr < Ppm{0} || apr > max_rate) return invalid("APR must be 0% to 100% (got " + percent_text(apr) + ")");
  return ok_status();
}

Status check_months(int months, const char* field, int max_months) {
  if (months < 1 || months > max_months)
    return invalid(std::string(field) + " must be 1 to " + std::to_string(max_months) + " (got " +
                   std::to_string(months) + ")");
  return ok_status();
}

// Pays `payment` each month; a month whose balance plus interest fits in one payment is the last.
// Returns the months used (0 when nothing is owed), or nullopt when `months` are not enough.
// Refusing as soon as a payment fails to cut the balance keeps balances <= financed, so no overflow.
std::optional<int> months_to_retire(std::int64_t financed, Ppm apr, std::int64_t payment, int months,
                                    Currency currency, std::vector<Instalment>* rows) {
  std::int64_t balance = financed;
  for (int month = 1; month <= months && balance > 0; ++month) {
    const std::int64_t interest = monthly_interest(balance, apr);
    const std::int64_t owed = balance + interest;
    const std::int64_t paid = std::min(payment, owed);
    if (paid <= interest) return std::nullopt;  // the balance would never go down
    balance = owed - paid;
    if (rows != nullptr)
      rows->push_back(Instalment{month, Money{paid, currency}, Money{interest, currency},
                                 Money{paid - interest, currency}, Money{balance, currency}});
    if (balance == 0) return month;
  }
  if (balance > 0) return std::nullopt;
  return 0;
}

// Binary search over cents. It is exact because retiring is monotone in the payment: a larger payment leaves a
// smaller or equal balance every month (balance + round(balance * r) is non-decreasing in balance).
// Invariant: `low` fails, `high` retires the loan.
std::int64_t smallest_retiring_payment(std::int64_t financed, Ppm apr, int months) {
  if (financed == 0) return 0;
  // Fewer than financed / months cents a month cannot even repay the principal in `months` payments.
  std::int64_t low = (financed + months - 1) / months - 1;
  std::int64_t high = financed + monthly_interest(financed, apr);  // pays everything in month 1
  while (high - low > 1) {
    const std::int64_t middle = low + (high - low) / 2;
    if (months_to_retire(financed, apr, middle, months, Currency{}, nullptr))
      high = middle;
    else
      low = middle;
  }
  return high;
}

// Keeps the first `months` rows and folds the outstanding balance into the last one.
std::int64_t settle_with_balloon(std::vector<Instalment>& schedule, int months) {
  if (schedule.size() <= static_cast<std::size_t>(months)) return 0;  // a tiny loan already retired by then
  schedule.resize(static_cast<std::size_t>(months));
  Instalment& last = schedule.back();
  const std::int64_t balloon = last.balance_after.minor;
  last.payment.minor += balloon;
  last.principal.minor += balloon;
  last.balance_after.minor = 0;
  return balloon;
}

}  // namespace

std::string format_percent(Ppm fraction) {
  const bool negative = fraction.value < 0;
  const std::int64_t magnitude = negative ? -fraction.value : fraction.value;
  std::string text = negative ? "-" : "";
  text += std::to_string(magnitude / 10'000);
  const std::int64_t decimals = magnitude % 10'000;
  if (decimals != 0) {
    std::string digits = std::to_string(decimals);
    digits.insert(0, 4 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    text += "." + digits;
  }
  return text;
}

std::int64_t monthly_interest(std::int64_t balance_minor, Ppm apr) {
  // Twelve months of ppm: dividing once keeps the rounding to a single step.
  constexpr Int128 divisor = static_cast<Int128>(12) * ppm_scale;
  const Int128 product = static_cast<Int128>(balance_minor) * apr.value;
  return static_cast<std::int64_t>((product + divisor / 2) / divisor);
}

Status validate_finance_terms(const FinanceTerms& terms) {
  if (terms.price.minor <= 0)
    return invalid("price must be more than 0 (got " + format_major_units(terms.price.minor) + ")");
  if (terms.price.minor > max_finance_price_minor)
    return invalid("price must be at most " + format_major_units(max_finance_price_minor) + " (got " +
                   format_major_units(terms.price.minor) + ")");
  if (terms.down_payment < Ppm{0} || terms.down_payment > max_rate)
    return invalid("down payment must be 0% to 100% of the price (got " + percent_text(terms.down_payment) + ")");
  if (auto rate = check_rate(terms.apr); !rate) return rate;
  if (auto months = check_months(terms.months, "months", max_finance_months); !months) return months;
  if (terms.balloon_after) {
    if (terms.months < 2) return invalid("balloon_after needs a term of at least 2 months (got 1)");
    if (auto balloon = check_months(*terms.balloon_after, "balloon_after", terms.months - 1); !balloon)
      return invalid(balloon.error().message + ": the balloon must fall due before the last month");
  }
  return ok_status();
}

Result<Money> level_payment(Money financed, Ppm apr, int months) {
  if (financed.minor < 0 || financed.minor > max_finance_price_minor)
    return invalid("financed amount must be 0 to " + format_major_units(max_finance_price_minor) + " (got " +
                   format_major_units(financed.minor) + ")");
  if (auto rate = check_rate(apr); !rate) return rate.error();
  if (auto term = check_months(months, "months", max_finance_months); !term) return term.error();
  return Money{smallest_retiring_payment(financed.minor, apr, months), financed.currency};
}

Result<FinanceQuote> quote_financing(const FinanceTerms& terms) {
  if (auto valid = validate_finance_terms(terms); !valid) return valid.error();
  const Currency currency = terms.price.currency;
  FinanceQuote quote;
  quote.terms = terms;
  quote.down_payment = Money{apply_ppm(terms.price.minor, terms.down_payment), currency};
  quote.financed = Money{terms.price.minor - quote.down_payment.minor, currency};
  const std::int64_t payment = smallest_retiring_payment(quote.financed.minor, terms.apr, terms.months);
  quote.monthly_payment = Money{payment, currency};
  const auto used = months_to_retire(quote.financed.minor, terms.apr, payment, terms.months, currency,
                                     &quote.schedule);
  assert(used.has_value());  // the search returned a payment that retires the loan
  (void)used;
  if (terms.balloon_after)
    quote.balloon_payment = Money{settle_with_balloon(quote.schedule, *terms.balloon_after), currency};
  std::int64_t interest = 0;
  std::int64_t paid = 0;
  for (const Instalment& row : quote.schedule) {
    interest += row.interest.minor;
    paid += row.payment.minor;
  }
  quote.total_interest = Money{interest, currency};
  quote.total_paid = Money{quote.down_payment.minor + paid, currency};
  return quote;
}

Result<int> shortest_term_within(Money price, Ppm down_payment, Ppm apr, Money monthly_cap, int max_months) {
  if (auto longest = check_months(max_months, "max_months", max_finance_months); !longest) return longest.error();
  FinanceTerms terms;
  terms.price = price;
  terms.down_payment = down_payment;
  terms.apr = apr;
  terms.months = max_months;
  if (auto valid = validate_finance_terms(terms); !valid) return valid.error();
  if (monthly_cap.currency != price.currency)
    return invalid("monthly cap is in " + monthly_cap.currency.str() + " but the price is in " +
                   price.currency.str());
  if (monthly_cap.minor <= 0)
    return invalid("monthly cap must be more than 0 (got " + format_major_units(monthly_cap.minor) + ")");
  const std::int64_t financed = price.minor - apply_ppm(price.minor, down_payment);
  // The level payment of a term is <= cap exactly when paying the cap retires the loan within that term, so
  // one run at the cap gives the shortest term.
  const auto used = months_to_retire(financed, apr, monthly_cap.minor, max_months, price.currency, nullptr);
  if (!used) {
    const std::int64_t longest = smallest_retiring_payment(financed, apr, max_months);
    return make_error(ErrorCode::not_eligible,
                      "no term up to " + std::to_string(max_months) + " months keeps the monthly payment within " +
                          format_major_units(monthly_cap.minor) + " " + price.currency.str() + "; over " +
                          std::to_string(max_months) + " months it is " + format_major_units(longest));
  }
  return std::max(*used, 1);
}

}  // namespace tower
