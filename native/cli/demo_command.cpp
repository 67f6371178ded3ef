// `tower demo`: a guided walk through the core on the default tower, for a first look before the gateway
// exists: stock, eligibility with reasons, a purchase on credit, a test drive, and a flash-sale rush.
#include <cstdio>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "tower/catalogue.hpp"
#include "tower/finance.hpp"
#include "tower/tower.hpp"

namespace tower::cli {
namespace {

const char* const demo_help =
    "usage: tower demo [--seed N] [--rush-customers N] [--rush-units K]\n"
    "\n"
    "Runs a scripted day on the embedded default tower (Autobahn Motors: 15 levels, 60 slots, 2 bays)\n"
    "and prints what the core decides at each step.\n"
    "\n"
    "  --seed N            seed for the sample stock (default 1)\n"
    "  --rush-customers N  customers in the flash-sale rush (default 2000)\n"
    "  --rush-units K      units for sale in the rush (default 100)\n";

struct Demo {
  Tower tower;
  SimTime now{};
  int step = 0;

  std::vector<Event> run(const Command& command, const char* what) {
    auto events = tower.apply(command, now);
    if (!events) {
      std::printf("  %2d. %-44s refused: %s\n", ++step, what, events.error().message.c_str());
      return {};
    }
    std::printf("  %2d. %-44s ok (%zu event%s)\n", ++step, what, events->size(), events->size() == 1 ? "" : "s");
    return *events;
  }
  void wait(Duration duration) { now = now + duration; }
};

void print_reasons(const char* title, const Decision& decision) {
  std::printf("      %s: %s\n", title, decision.allowed ? "yes" : "no");
  for (const auto& reason : decision.reasons) std::printf("        - %s\n", reason.c_str());
}

}  // namespace

int demo_command(const std::vector<std::string>& argv) {
  Args args(argv, {"--seed", "--rush-customers", "--rush-units"}, {"--help"});
  if (args.has("--help")) return std::fputs(demo_help, stdout), 0;
  std::string error = args.error();
  long long seed = 1, rush_customers = 2000, rush_units = 100;
  if (auto v = args.value("--seed"); v && error.empty()) seed = parse_integer("--seed", *v, error).value_or(0);
  if (auto v = args.value("--rush-customers"); v && error.empty())
    rush_customers = parse_integer("--rush-customers", *v, error).value_or(0);
  if (auto v = args.value("--rush-units"); v && error.empty()) rush_units = parse_integer("--rush-units", *v, error).value_or(0);
  if (error.empty() && (rush_customers < 1 || rush_customers > 1'000'000)) error = "--rush-customers must be 1..1000000";
  if (error.empty() && (rush_units < 1 || rush_units > 1'000'000)) error = "--rush-units must be 1..1000000";
  if (!error.empty()) return std::fprintf(stderr, "tower demo: %s\n", error.c_str()), 2;

  Demo demo{*Tower::create(default_tower_config())};
  std::printf("%s\n\nStocking the tower\n", demo.tower.config().layout.name.c_str());
  Random random(static_cast<std::uint64_t>(seed));
  for (const auto& spec : sample_stock(52, random))
    if (auto stocked = demo.tower.apply(StockCar{spec}, demo.now); !stocked)
      return std::fprintf(stderr, "tower demo: %s\n", stocked.error().message.c_str()), 1;
  std::printf("  52 cars stored by size class; %zu slots free\n", demo.tower.config().layout.slots.size() - 52);

  std::printf("\nMs. Chen (score 780, Super Member) buys car 1 on credit\n");
  demo.run(RegisterCustomer{"Chen Jing", "digest:chen", "selfie:chen", 780, true}, "register");
  const Car& car = *demo.tower.car(CarId{1});
  std::printf("      car 1: %s %s %s, %s, %s CNY\n", car.spec.colour.c_str(), car.spec.make.c_str(),
              car.spec.model.c_str(), car.spec.trim.c_str(), format_major_units(car.spec.price.minor).c_str());
  const auto eligibility = *demo.tower.eligibility(CustomerId{1}, CarId{1}, demo.now);
  print_reasons("instant purchase", eligibility.purchase);
  const auto quote = quote_financing(FinanceTerms{car.spec.price, percent(10), Ppm{49'900}, 36, std::nullopt});
  if (quote)
    std::printf("      36 months at 4.99%%: %s down, %s a month\n", format_major_units(quote->down_payment.minor).c_str(),
                format_major_units(quote->monthly_payment.minor).c_str());
  demo.run(PlaceOrder{CustomerId{1}, CarId{1}, "pickup:chen"}, "order car 1 (reserved for 30 minutes)");
  demo.wait(minutes(3));
  demo.run(PayOrder{OrderId{1}, demo.tower.order(OrderId{1})->down_payment}, "pay the 10% down payment");
  demo.run(StartPickup{OrderId{1}, {}, "pickup:chen", 970, BayId{1}}, "kiosk: code + face scan, retrieve to bay 1");
  demo.wait(seconds(95));
  demo.run(CarArrived{CarId{1}, BayId{1}}, "machine: car 1 arrived in bay 1");
  demo.run(HandOver{CarId{1}}, "customer drives out");
  demo.run(StartPickup{OrderId{1}, {}, "pickup:chen", 970, BayId{2}}, "the same code again");

  std::printf("\nMr. Wang (score 690, not a member) test-drives car 2\n");
  demo.run(RegisterCustomer{"Wang Lei", "digest:wang", "selfie:wang", 690, false}, "register");
  const auto terms = demo.tower.eligibility(CustomerId{2}, CarId{2}, demo.now)->trial_terms;
  std::printf("      trial fee %s CNY, deposit %s CNY\n", format_major_units(terms.fee.minor).c_str(),
              format_major_units(terms.deposit.minor).c_str());
  for (const auto& reason : terms.reasons) std::printf("        - %s\n", reason.c_str());
  print_reasons("instant purchase", demo.tower.eligibility(CustomerId{2}, CarId{2}, demo.now)->purchase);
  demo.run(BookTrial{CustomerId{2}, CarId{2}, "pickup:wang"}, "book a test drive of car 2");
  demo.run(BookTrial{CustomerId{2}, CarId{3}, "pickup:wang2"}, "book a second one at once");
  demo.run(StartPickup{{}, TrialId{1}, "pickup:wang", 610, BayId{2}}, "kiosk: face scan does not match");
  demo.run(StartPickup{{}, TrialId{1}, "pickup:wang", 940, BayId{2}}, "kiosk: face scan matches");
  demo.wait(seconds(80));
  demo.run(CarArrived{CarId{2}, BayId{2}}, "machine: car 2 arrived in bay 2");
  demo.run(HandOver{CarId{2}}, "drive starts: 3 days");
  demo.wait(days(3) + hours(30));
  const auto returned = demo.run(ReturnTrial{TrialId{1}, BayId{2}, false}, "returned 30 hours late");
  if (!returned.empty()) {
    const auto& back = std::get<TrialReturned>(returned.front().body);
    std::printf("      late fee %s CNY, deposit refund %s CNY\n", format_major_units(back.late_fee.minor).c_str(),
                format_major_units(back.deposit_refund.minor).c_str());
  }
  demo.run(StoreCar{CarId{2}}, "store car 2 again");

  std::printf("\nFlash sale: %lld Maserati Ghibli, %lld customers rush at the opening\n", rush_units, rush_customers);
  demo.run(CreateFlashSale{"Maserati", "Ghibli", "blue", static_cast<int>(rush_units), cny(698'800), demo.now + minutes(10)},
           "staff create the sale");
  const auto first = static_cast<std::uint32_t>(demo.tower.state().customers.size() + 1);
  for (long long i = 0; i < rush_customers; ++i)
    if (!demo.tower.apply(RegisterCustomer{"buyer " + std::to_string(i), "digest:rush" + std::to_string(i), "", 760, false},
                          demo.now))
      return std::fprintf(stderr, "tower demo: could not register the rush customers\n"), 1;
  demo.run(ClaimFlashSale{SaleId{1}, CustomerId{first}}, "claim before the opening");
  demo.wait(minutes(10));
  int won = 0, sold_out = 0;
  for (long long i = 0; i < rush_customers; ++i) {
    auto claim = demo.tower.apply(ClaimFlashSale{SaleId{1}, CustomerId{first + static_cast<std::uint32_t>(i)}}, demo.now);
    if (claim) ++won;
    else if (claim.error().code == ErrorCode::sold_out) ++sold_out;
  }
  std::printf("      %d won a reservation, %d were told it is sold out\n", won, sold_out);
  demo.run(ClaimFlashSale{SaleId{1}, CustomerId{first}}, "the first winner claims again");
  demo.wait(minutes(31));
  const auto expired = demo.run(Tick{}, "31 minutes later: unpaid claims expire");
  std::printf("      %zu units back on sale\n", expired.size());
  std::printf("\nState hash %016llx: the same on every platform for the same inputs.\n",
              static_cast<unsigned long long>(demo.tower.state_hash()));
  return 0;
}

}  // namespace tower::cli
