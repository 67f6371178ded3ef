// `tower finance`: a financing quote from the command line (DESIGN.md section 3). Parsing and printing only;
// every rule lives in tower/finance.hpp.
#include <algorithm>
#include <climits>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "tower/finance.hpp"

namespace tower::cli {

namespace {

constexpr const char* usage_text =
    "usage: tower finance --price P --apr R --months N [--down-percent D] [--balloon-after M]\n"
    "                     [--currency CODE] [--json]\n"
    "\n"
    "Quotes a purchase on credit: the down payment, the level monthly instalment and the full schedule,\n"
    "exact to the cent. Each month's interest is balance * APR / 12 rounded half up to the cent; the last\n"
    "payment absorbs the rounding.\n"
    "\n"
    "options:\n"
    "  --price P          the car's price in major units, at most two decimals (22200 or 22200.00); required\n"
    "  --apr R            annual percentage rate, 0 to 100, up to four decimals (4.99 means 4.99%); required\n"
    "  --months N         term of the loan in months, 1 to 120; required\n"
    "  --down-percent D   down payment as a percentage of the price, 0 to 100; default 10\n"
    "  --balloon-after M  Tmall \"New Car\" plan: after M months (1 to N-1) pay off the remaining balance\n"
    "                     (the balloon); the schedule shows M rows, the last including the balloon\n"
    "  --currency CODE    ISO 4217 code of the amounts, e.g. CNY or USD; default CNY\n"
    "  --json             print the quote as JSON; amounts are numbers in major units with two decimals\n"
    "  --help             print this help\n"
    "\n"
    "exit status: 0 quoted, 1 a value was refused, 2 usage error (unknown or missing option)\n";

int usage_error(const std::string& reason) {
  std::fprintf(stderr, "tower finance: %s (try 'tower finance --help')\n", reason.c_str());
  return 2;
}

int refused(const std::string& reason) {
  std::fprintf(stderr, "tower finance: %s\n", reason.c_str());
  return 1;
}

// The core's parsers call a leading '-' "not a plain decimal"; at the command line saying why is kinder.
int refused_value(const std::string& flag, const std::string& text, const Error& error) {
  if (!text.empty() && text.front() == '-') return refused(flag + ": '" + text + "' must not be negative");
  return refused(flag + ": " + error.message);
}

// Writes amounts as JSON numbers from their decimal text, so 2220.05 prints as exactly that.
std::string amount(Money money) { return format_major_units(money.minor); }

void print_json(const FinanceQuote& quote) {
  const std::string currency = quote.terms.price.currency.str();  // 3 upper-case letters, nothing to escape
  std::printf("{\n");
  std::printf("  \"currency\": \"%s\",\n", currency.c_str());
  std::printf("  \"price\": %s,\n", amount(quote.terms.price).c_str());
  std::printf("  \"down_percent\": %s,\n", format_percent(quote.terms.down_payment).c_str());
  std::printf("  \"down_payment\": %s,\n", amount(quote.down_payment).c_str());
  std::printf("  \"financed\": %s,\n", amount(quote.financed).c_str());
  std::printf("  \"apr_percent\": %s,\n", format_percent(quote.terms.apr).c_str());
  std::printf("  \"months\": %d,\n", quote.terms.months);
  std::printf("  \"monthly_payment\": %s,\n", amount(quote.monthly_payment).c_str());
  if (quote.balloon_payment) {
    std::printf("  \"balloon_after\": %d,\n", *quote.terms.balloon_after);
    std::printf("  \"balloon_payment\": %s,\n", amount(*quote.balloon_payment).c_str());
  }
  std::printf("  \"total_interest\": %s,\n", amount(quote.total_interest).c_str());
  std::printf("  \"total_paid\": %s,\n", amount(quote.total_paid).c_str());
  std::printf("  \"schedule\": [");
  for (std::size_t i = 0; i < quote.schedule.size(); ++i) {
    const Instalment& row = quote.schedule[i];
    std::printf("%s\n    {\"month\": %d, \"payment\": %s, \"interest\": %s, \"principal\": %s, \"balance\": %s}",
                i == 0 ? "" : ",", row.month, amount(row.payment).c_str(), amount(row.interest).c_str(),
                amount(row.principal).c_str(), amount(row.balance_after).c_str());
  }
  std::printf("%s]\n}\n", quote.schedule.empty() ? "" : "\n  ");
}

void print_human(const FinanceQuote& quote) {
  const std::string currency = quote.terms.price.currency.str();
  const auto line = [](const char* label, const std::string& value, const std::string& note = "") {
    std::printf("  %-17s %15s%s\n", label, value.c_str(), note.c_str());
  };
  std::printf("Financing quote (%s)\n", currency.c_str());
  line("price", amount(quote.terms.price));
  line("down payment", amount(quote.down_payment), "  (" + format_percent(quote.terms.down_payment) + "% of the price)");
  line("financed", amount(quote.financed));
  line("APR", format_percent(quote.terms.apr) + "%", "  (monthly interest = balance * APR / 12, half up to the cent)");
  line("term", std::to_string(quote.terms.months) + " months");
  line("monthly payment", amount(quote.monthly_payment));
  if (!quote.schedule.empty() && !quote.balloon_payment)
    line("last payment", amount(quote.schedule.back().payment), "  (absorbs the rounding)");
  if (quote.balloon_payment)
    line("balloon", amount(*quote.balloon_payment),
         "  (owed after month " + std::to_string(*quote.terms.balloon_after) +
             "; or keep paying, or swap the car)");
  line("total interest", amount(quote.total_interest));
  line("total paid", amount(quote.total_paid), "  (down payment + instalments)");
  std::printf("\n  %5s %15s %15s %15s %15s\n", "month", "payment", "interest", "principal", "balance");
  for (const Instalment& row : quote.schedule)
    std::printf("  %5d %15s %15s %15s %15s\n", row.month, amount(row.payment).c_str(), amount(row.interest).c_str(),
                amount(row.principal).c_str(), amount(row.balance_after).c_str());
}

// Reads a whole number flag that must fit an int; range rules are the core's.
std::optional<int> read_int(const std::string& flag, const std::string& text, std::string& error) {
  const auto value = parse_integer(flag, text, error);
  if (!value) return std::nullopt;
  if (*value < INT_MIN || *value > INT_MAX) {
    error = flag + ": '" + text + "' is too large";
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

}  // namespace

int finance_command(const std::vector<std::string>& argv) {
  if (std::find(argv.begin(), argv.end(), "--help") != argv.end()) {
    std::fputs(usage_text, stdout);
    return 0;
  }
  const Args args(argv, {"--price", "--down-percent", "--apr", "--months", "--balloon-after", "--currency"},
                  {"--json", "--help"});
  if (!args.error().empty()) return usage_error(args.error());
  if (!args.positional().empty()) return usage_error("unexpected argument '" + args.positional().front() + "'");
  for (const char* required : {"--price", "--apr", "--months"})
    if (!args.has(required)) return usage_error(std::string("missing ") + required);

  FinanceTerms terms;
  if (const auto code = args.value("--currency")) {
    const auto currency = parse_currency(*code);
    if (!currency) return refused("--currency: " + currency.error().message);
    terms.price.currency = *currency;
  }
  const std::string price_text = *args.value("--price");
  const auto price = parse_major_units(price_text);
  if (!price) return refused_value("--price", price_text, price.error());
  terms.price.minor = *price;
  if (const auto down_text = args.value("--down-percent")) {
    const auto down = parse_percent(*down_text);
    if (!down) return refused_value("--down-percent", *down_text, down.error());
    terms.down_payment = *down;
  }
  const std::string apr_text = *args.value("--apr");
  const auto apr = parse_percent(apr_text);
  if (!apr) return refused_value("--apr", apr_text, apr.error());
  terms.apr = *apr;
  std::string error;
  const auto months = read_int("--months", *args.value("--months"), error);
  if (!months) return refused(error);
  terms.months = *months;
  if (const auto balloon_text = args.value("--balloon-after")) {
    const auto balloon = read_int("--balloon-after", *balloon_text, error);
    if (!balloon) return refused(error);
    terms.balloon_after = *balloon;
  }

  const auto quote = quote_financing(terms);
  if (!quote) return refused(quote.error().message);
  if (args.has("--json"))
    print_json(*quote);
  else
    print_human(*quote);
  return 0;
}

}  // namespace tower::cli
