// Throughput of Tower::apply on a flash-sale claim stream, single-threaded: the order path must never be the
// bottleneck (Singles Day peaked at 583,000 orders/s). Prints the median of several runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tower/tower.hpp"

using namespace tower;

namespace {

struct Run {
  double claims_per_second;
  int winners;
};

// `customers` customers each claim once from a sale of `units`; the clock ticks a microsecond per claim.
Run rush(int customers, int units) {
  Tower tower = *Tower::create(default_tower_config());
  for (int i = 0; i < customers; ++i)
    if (!tower.apply(RegisterCustomer{"c", "id" + std::to_string(i), "", 800, false}, SimTime{}))
      std::abort();
  if (!tower.apply(CreateFlashSale{"Maserati", "Ghibli", "blue", units, cny(698'800), SimTime{1}}, SimTime{}))
    std::abort();
  int winners = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < customers; ++i) {
    const auto events =
        tower.apply(ClaimFlashSale{SaleId{1}, CustomerId{static_cast<std::uint32_t>(i + 1)}}, SimTime{1 + i});
    winners += events.ok() ? 1 : 0;
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (winners != std::min(units, customers)) std::abort();  // never more winners than units
  return {customers / elapsed.count(), winners};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int customers = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  if (customers < 1 || repeats < 1) {
    std::fprintf(stderr, "usage: bench_apply [CUSTOMERS=1000000] [REPEATS=5]\n");
    return 2;
  }
  std::printf("Tower::apply, flash-sale claims, %d customers, median of %d runs\n", customers, repeats);
  struct Case {
    const char* name;
    int units;
  };
  for (const Case& c : {Case{"every claim wins (units = customers)", customers},
                        Case{"rush: 1,000 units, the rest sold out", 1000}}) {
    std::vector<double> rates;
    for (int r = 0; r < repeats; ++r) {
      std::fprintf(stderr, "\r  %s: run %d/%d", c.name, r + 1, repeats);
      rates.push_back(rush(customers, c.units).claims_per_second);
    }
    std::fprintf(stderr, "\r%*s\r", 70, "");
    std::printf("  %-40s %8.2f M claims/s (min %.2f, max %.2f)\n", c.name, median(rates) / 1e6,
                *std::min_element(rates.begin(), rates.end()) / 1e6, *std::max_element(rates.begin(), rates.end()) / 1e6);
  }
  return 0;
}
