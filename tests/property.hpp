// Seed and count for randomized property tests, set from the test binary's command line.
#pragma once

#include <cstdint>

namespace tower::testing {
extern std::uint64_t property_seed;
extern int property_count;
}  // namespace tower::testing
