// Catch2 entry point shared by the native and WASM test runs. Property tests read their seed and case
// count from the command line: `tower_core_tests "[property]" --property-seed 7 --property-count 1000000`.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "property.hpp"

namespace tower::testing {
std::uint64_t property_seed = 20261122;
int property_count = 200;
}  // namespace tower::testing

int main(int argc, char* argv[]) {
  Catch::Session session;
  using namespace Catch::clara;
  auto cli = session.cli() |
             Opt(tower::testing::property_seed, "seed")["--property-seed"]("seed of the property tests") |
             Opt(tower::testing::property_count, "count")["--property-count"]("cases per property test");
  session.cli(cli);
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  return session.run();
}
