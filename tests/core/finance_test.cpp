// Buying on credit: down payment, level instalments, schedule invariants, balloon and the monthly-cap search.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include "property.hpp"
#include "tower/finance.hpp"
#include "tower/random.hpp"

using namespace tower;

namespace {

FinanceTerms terms_of(std::int64_t price_minor, Ppm apr, int months) {
  FinanceTerms terms;
  terms.price = Money{price_minor, Currency{}};
  terms.apr = apr;
  terms.months = months;
  return terms;
}

// The textbook annuity payment F * r / (1 - (1 + r)^-N), in cents, as a reference for the integer search.
long double textbook_payment(std::int64_t financed, Ppm apr, int months) {
  const long double rate = static_cast<long double>(apr.value) / 12.0L / 1'000'000.0L;
  if (rate == 0.0L) return static_cast<long double>(financed) / months;
  return static_cast<long double>(financed) * rate / (1.0L - std::pow(1.0L + rate, -static_cast<long double>(months)));
}

// An independent replay: does paying `payment` a month retire `financed` within `months`?
bool retires(std::int64_t financed, Ppm apr, std::int64_t payment, int months) {
  std::int64_t balance = financed;
  for (int month = 0; month < months && balance > 0; ++month) {
    const std::int64_t owed = balance + monthly_interest(balance, apr);
    if (owed <= payment) return true;
    if (owed - payment >= balance) return false;
    balance = owed - payment;
  }
  return balance == 0;
}

void check_schedule_invariants(const FinanceQuote& quote) {
  std::int64_t principal = 0;
  std::int64_t paid = 0;
  std::int64_t interest = 0;
  std::int64_t balance = quote.financed.minor;
  for (const Instalment& row : quote.schedule) {
    CHECK(row.interest.minor == monthly_interest(balance, quote.terms.apr));
    CHECK(row.payment.minor == row.interest.minor + row.principal.minor);
    balance -= row.principal.minor;
    CHECK(row.balance_after.minor == balance);
    principal += row.principal.minor;
    paid += row.payment.minor;
    interest += row.interest.minor;
  }
  CHECK(balance == 0);
  CHECK(principal == quote.financed.minor);
  CHECK(interest == quote.total_interest.minor);
  CHECK(paid == quote.financed.minor + quote.total_interest.minor);
  CHECK(quote.total_paid.minor == quote.terms.price.minor + quote.total_interest.minor);
}

}  // namespace

TEST_CASE("the down payment is 10% of the price by default, rounded to the cent", "[finance]") {
  const auto quote = quote_financing(terms_of(2'220'000, percent(5), 36));
  REQUIRE(quote.ok());
  CHECK(quote->down_payment.minor == 222'000);
  CHECK(quote->financed.minor == 1'998'000);

  auto odd = terms_of(2'220'005, percent(5), 36);  // 10% of 22200.05 is 2220.005 -> 2220.01
  CHECK(quote_financing(odd)->down_payment.minor == 222'001);
  odd.down_payment = Ppm{123'456};                     // 12.3456% of 22200.05 = 2740.73...
  CHECK(quote_financing(odd)->down_payment.minor == 274'073);
}

TEST_CASE("monthly interest is balance * APR / 12 rounded half up to the cent", "[finance]") {
  CHECK(monthly_interest(100, percent(6)) == 1);           // exactly 0.5 cent rounds up
  CHECK(monthly_interest(99, percent(6)) == 0);            // 0.495 cent rounds down
  CHECK(monthly_interest(1'998'000, Ppm{49'900}) == 8'308);  // 83.0835 -> 83.08
  CHECK(monthly_interest(max_finance_price_minor, percent(100)) == 83'333'333'333'333);  // needs 128 bits
  CHECK(monthly_interest(123'456, Ppm{0}) == 0);
}

TEST_CASE("the level payment matches the textbook annuity formula within a cent", "[finance]") {
  struct Case {
    std::int64_t financed;
    Ppm apr;
    int months;
  };
  const Case cases[] = {
      {1'998'000, Ppm{49'900}, 36},  {1'998'000, Ppm{49'900}, 84}, {1'998'000, percent(12), 120},
      {10'000'000, Ppm{3'500}, 60},  {100, percent(10), 1},         {50'000'000, percent(24), 12},
      {7'777'777, Ppm{199'900}, 48}, {123'456'789, Ppm{65'000}, 72}, {500'000, percent(100), 120},
  };
  for (const Case& c : cases) {
    INFO(c.financed << " cents at " << c.apr.value << " ppm over " << c.months << " months");
    const auto payment = level_payment(Money{c.financed, Currency{}}, c.apr, c.months);
    REQUIRE(payment.ok());
    CHECK(std::fabs(static_cast<long double>(payment->minor) - textbook_payment(c.financed, c.apr, c.months)) <= 1.0L);
  }
}

TEST_CASE("the level payment is the smallest whole-cent payment that retires the loan", "[finance]") {
  Random random(testing::property_seed);
  for (int i = 0; i < testing::property_count; ++i) {
    const std::int64_t financed = random.between(1, 100'000'000);
    const Ppm apr{random.between(0, 300'000)};
    const int months = static_cast<int>(random.between(1, max_finance_months));
    INFO(financed << " cents at " << apr.value << " ppm over " << months << " months");
    const auto payment = level_payment(Money{financed, Currency{}}, apr, months);
    REQUIRE(payment.ok());
    CHECK(retires(financed, apr, payment->minor, months));
    CHECK_FALSE(retires(financed, apr, payment->minor - 1, months));
  }
}

TEST_CASE("principal sums to the financed amount and payments to financed plus interest, exactly", "[finance]") {
  Random random(testing::property_seed + 1);
  for (int i = 0; i < testing::property_count; ++i) {
    auto terms = terms_of(random.between(1, 100'000'000), Ppm{random.between(0, 1'000'000)},
                          static_cast<int>(random.between(1, max_finance_months)));
    terms.down_payment = Ppm{random.between(0, 1'000'000)};
    if (terms.months > 1 && random.chance(0.3)) terms.balloon_after = static_cast<int>(random.between(1, terms.months - 1));
    INFO(terms.price.minor << " cents, " << terms.down_payment.value << " ppm down, " << terms.apr.value
                           << " ppm APR, " << terms.months << " months");
    const auto quote = quote_financing(terms);
    REQUIRE(quote.ok());
    check_schedule_invariants(*quote);
  }
}

TEST_CASE("the last payment absorbs the rounding and is never above the level payment", "[finance]") {
  Random random(testing::property_seed + 2);
  for (int i = 0; i < testing::property_count; ++i) {
    const auto terms = terms_of(random.between(100'000, 100'000'000), Ppm{random.between(0, 300'000)},
                                static_cast<int>(random.between(1, max_finance_months)));
    const auto quote = quote_financing(terms);
    REQUIRE(quote.ok());
    REQUIRE(quote->schedule.size() == static_cast<std::size_t>(terms.months));
    for (std::size_t row = 0; row + 1 < quote->schedule.size(); ++row)
      CHECK(quote->schedule[row].payment == quote->monthly_payment);
    const Instalment& last = quote->schedule.back();
    const std::size_t rows = quote->schedule.size();
    const std::int64_t owed_before = rows > 1 ? quote->schedule[rows - 2].balance_after.minor : quote->financed.minor;
    CHECK(last.payment.minor <= quote->monthly_payment.minor);
    CHECK(last.payment.minor == owed_before + last.interest.minor);
  }
}

TEST_CASE("at zero APR the payment is the financed amount over the months, rounded up", "[finance]") {
  const auto quote = quote_financing(terms_of(1'000'000, Ppm{0}, 36));  // 9000.00 financed
  REQUIRE(quote.ok());
  CHECK(quote->monthly_payment.minor == 25'000);
  CHECK(quote->total_interest.minor == 0);

  const auto uneven = quote_financing(terms_of(1'000'100, Ppm{0}, 7));  // 9000.90 / 7 = 1285.842...
  REQUIRE(uneven.ok());
  CHECK(uneven->monthly_payment.minor == 128'585);
  CHECK(uneven->schedule.back().payment.minor == 900'090 - 6 * 128'585);
  check_schedule_invariants(*uneven);
}

TEST_CASE("the balloon is the balance owed after M payments of the full-term schedule", "[finance]") {
  auto terms = terms_of(2'220'000, Ppm{49'900}, 36);
  const auto full = quote_financing(terms);
  terms.balloon_after = 12;
  const auto balloon = quote_financing(terms);
  REQUIRE(full.ok());
  REQUIRE(balloon.ok());
  CHECK(balloon->monthly_payment == full->monthly_payment);
  REQUIRE(balloon->schedule.size() == 12);
  REQUIRE(balloon->balloon_payment.has_value());
  CHECK(balloon->balloon_payment->minor == full->schedule[11].balance_after.minor);
  CHECK(balloon->schedule[11].payment.minor == full->schedule[11].payment.minor + balloon->balloon_payment->minor);
  CHECK(balloon->schedule[11].balance_after.minor == 0);
  std::int64_t first_year_interest = 0;
  for (int row = 0; row < 12; ++row) first_year_interest += full->schedule[static_cast<std::size_t>(row)].interest.minor;
  CHECK(balloon->total_interest.minor == first_year_interest);
  check_schedule_invariants(*balloon);
}

TEST_CASE("nothing financed at 100% down gives no instalments", "[finance]") {
  auto terms = terms_of(2'220'000, percent(5), 36);
  terms.down_payment = percent(100);
  const auto quote = quote_financing(terms);
  REQUIRE(quote.ok());
  CHECK(quote->financed.minor == 0);
  CHECK(quote->monthly_payment.minor == 0);
  CHECK(quote->schedule.empty());
  CHECK(quote->total_paid == terms.price);
}

TEST_CASE("the worked example: a 22,200 car with 10% down fits under 300 a month at some term", "[finance]") {
  const Money cap{30'000, Currency{}};
  const auto term = shortest_term_within(Money{2'220'000, Currency{}}, percent(10), Ppm{49'900}, cap);
  REQUIRE(term.ok());
  CHECK(*term == 79);  // 297.25 a month; 78 months would be 300.47
  CHECK(level_payment(Money{1'998'000, Currency{}}, Ppm{49'900}, *term)->minor <= cap.minor);
  CHECK(level_payment(Money{1'998'000, Currency{}}, Ppm{49'900}, *term - 1)->minor > cap.minor);
}

TEST_CASE("the shortest term under a monthly cap is minimal: one month less does not fit", "[finance]") {
  Random random(testing::property_seed + 3);
  for (int i = 0; i < testing::property_count; ++i) {
    const Money price{random.between(100'000, 50'000'000), Currency{}};
    const Ppm apr{random.between(0, 250'000)};
    const std::int64_t financed = price.minor - apply_ppm(price.minor, percent(10));
    const int target = static_cast<int>(random.between(1, max_finance_months));
    const Money cap = *level_payment(Money{financed, Currency{}}, apr, target);
    INFO(price.minor << " cents at " << apr.value << " ppm, cap " << cap.minor);
    const auto term = shortest_term_within(price, percent(10), apr, cap);
    REQUIRE(term.ok());
    CHECK(*term <= target);
    CHECK(level_payment(Money{financed, Currency{}}, apr, *term)->minor <= cap.minor);
    if (*term > 1) CHECK(level_payment(Money{financed, Currency{}}, apr, *term - 1)->minor > cap.minor);
  }
}

TEST_CASE("a monthly cap no term can meet is refused with the longest term's payment", "[finance]") {
  const auto term = shortest_term_within(Money{2'220'000, Currency{}}, percent(10), Ppm{49'900},
                                         Money{10'000, Currency{}});
  REQUIRE_FALSE(term.ok());
  CHECK(term.error().code == ErrorCode::not_eligible);
  CHECK(term.error().message.find("120 months") != std::string::npos);
}

TEST_CASE("invalid terms are refused with a message naming the field", "[finance]") {
  struct Case {
    const char* field;
    FinanceTerms terms;
  };
  const FinanceTerms good = terms_of(2'220'000, Ppm{49'900}, 36);
  auto with = [&](auto change) {
    FinanceTerms terms = good;
    change(terms);
    return terms;
  };
  const Case cases[] = {
      {"price", with([](FinanceTerms& t) { t.price.minor = 0; })},
      {"price", with([](FinanceTerms& t) { t.price.minor = -100; })},
      {"price", with([](FinanceTerms& t) { t.price.minor = max_finance_price_minor + 1; })},
      {"down payment", with([](FinanceTerms& t) { t.down_payment = Ppm{-1}; })},
      {"down payment", with([](FinanceTerms& t) { t.down_payment = Ppm{1'000'001}; })},
      {"APR", with([](FinanceTerms& t) { t.apr = Ppm{-1}; })},
      {"APR", with([](FinanceTerms& t) { t.apr = percent(101); })},
      {"months", with([](FinanceTerms& t) { t.months = 0; })},
      {"months", with([](FinanceTerms& t) { t.months = 121; })},
      {"balloon_after", with([](FinanceTerms& t) { t.balloon_after = 0; })},
      {"balloon_after", with([](FinanceTerms& t) { t.balloon_after = 36; })},
      {"balloon_after", with([](FinanceTerms& t) { t.months = 1; t.balloon_after = 1; })},
  };
  for (const Case& c : cases) {
    const auto quote = quote_financing(c.terms);
    REQUIRE_FALSE(quote.ok());
    INFO(quote.error().message);
    CHECK(quote.error().code == ErrorCode::invalid_argument);
    CHECK(quote.error().message.find(c.field) != std::string::npos);
  }
  CHECK(level_payment(Money{-1, Currency{}}, Ppm{0}, 12).error().message.find("financed") != std::string::npos);
  CHECK(shortest_term_within(good.price, percent(10), good.apr, Money{0, Currency{}}).error().message.find(
            "monthly cap") != std::string::npos);
  CHECK(shortest_term_within(good.price, percent(10), good.apr, usd(300)).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("percentages print as people write them", "[finance]") {
  CHECK(format_percent(Ppm{49'900}) == "4.99");
  CHECK(format_percent(percent(10)) == "10");
  CHECK(format_percent(Ppm{1}) == "0.0001");
  CHECK(format_percent(Ppm{0}) == "0");
}
