// Planning time of one axis's time-optimal jerk-limited profile (DESIGN.md section 4: <= 150 ns median).
// Seeded corpora, each timed per problem and printed as a distribution (min, p50, p90, p99, max in ns):
//   rest-to-rest  level-to-level lift moves and short jogs
//   re-plan       a moving start (any viable v0, a0) to a stop at the target: the lift re-planned mid-move
//   general       a moving start to a moving target (random vf, af): the DESIGN.md "general" case
//
// Usage: tower_profile_bench [--problems N] [--repeats K] [--seed S]
// Each problem is planned K times back to back and its time is the mean of those K calls, so the clock's own
// cost (~20 ns) is amortized; the corpus throughput (every problem planned once, in order) is printed too.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tower/profile.hpp"
#include "tower/random.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Limits around the lift (2 m/s, 1 m/s^2, 2 m/s^3) and the pallet transfer, spread so every case class occurs.
tower::AxisLimits random_limits(tower::Random& rng) {
  return tower::AxisLimits{rng.uniform(0.5, 3.0), rng.uniform(0.3, 2.0), rng.uniform(0.5, 4.0)};
}

// A velocity/acceleration pair within the limits. A start must be able to ramp a to zero within vmax
// (sign +1), a target must have been approachable within vmax (sign -1); otherwise a is dropped.
void random_state(tower::Random& rng, const tower::AxisLimits& lim, double sign, double& v, double& a) {
  v = rng.uniform(-lim.vmax_mps, lim.vmax_mps);
  a = rng.uniform(-lim.amax_mps2, lim.amax_mps2);
  if (std::abs(v + sign * a * std::abs(a) / (2.0 * lim.jmax_mps3)) > lim.vmax_mps) a = 0.0;
}

std::vector<tower::ProfileRequest> rest_to_rest_corpus(std::uint64_t seed, int count) {
  tower::Random rng(seed);
  std::vector<tower::ProfileRequest> corpus;
  for (int i = 0; i < count; ++i) {
    tower::ProfileRequest request;
    request.limits = random_limits(rng);
    // Level pitches of 2.7 m over up to 15 levels, plus short jogs.
    request.distance_m = rng.chance(0.2) ? rng.uniform(-0.5, 0.5) : rng.uniform(-40.0, 40.0);
    corpus.push_back(request);
  }
  return corpus;
}

// moving_target: random vf, af; otherwise the move ends at rest.
std::vector<tower::ProfileRequest> moving_corpus(std::uint64_t seed, int count, bool moving_target) {
  tower::Random rng(seed);
  std::vector<tower::ProfileRequest> corpus;
  for (int i = 0; i < count; ++i) {
    tower::ProfileRequest request;
    request.limits = random_limits(rng);
    request.distance_m = rng.uniform(-20.0, 20.0);
    random_state(rng, request.limits, 1.0, request.v0_mps, request.a0_mps2);
    if (moving_target) random_state(rng, request.limits, -1.0, request.vf_mps, request.af_mps2);
    corpus.push_back(request);
  }
  return corpus;
}

// Keeps the optimizer from dropping or merging the calls being timed.
void consume(double value) { asm volatile("" : : "g"(&value) : "memory"); }

double percentile(const std::vector<double>& sorted, double fraction) {
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[index];
}

void run(const char* name, const std::vector<tower::ProfileRequest>& corpus, int repeats) {
  std::vector<double> times;
  times.reserve(corpus.size());
  int failures = 0;
  for (const auto& request : corpus) {
    const auto begin = Clock::now();
    for (int k = 0; k < repeats; ++k) {
      const auto profile = tower::plan_profile(request);
      consume(profile.ok() ? profile->duration_s : -1.0);
    }
    const auto end = Clock::now();
    times.push_back(std::chrono::duration<double, std::nano>(end - begin).count() / repeats);
    if (!tower::plan_profile(request).ok()) ++failures;
  }
  const auto begin = Clock::now();
  for (const auto& request : corpus) {
    const auto profile = tower::plan_profile(request);
    consume(profile.ok() ? profile->duration_s : -1.0);
  }
  const double sweep = std::chrono::duration<double, std::nano>(Clock::now() - begin).count();
  std::sort(times.begin(), times.end());
  std::printf("%-13s n=%zu  min %6.1f  p50 %6.1f  p90 %6.1f  p99 %6.1f  max %7.1f ns   sweep mean %6.1f ns%s\n", name,
              corpus.size(), times.front(), percentile(times, 0.5), percentile(times, 0.9), percentile(times, 0.99),
              times.back(), sweep / static_cast<double>(corpus.size()), failures ? "  FAILURES" : "");
  if (failures) std::printf("  %d problems failed to plan\n", failures);
}

}  // namespace

int main(int argc, char** argv) {
  int problems = 20000;
  int repeats = 8;
  std::uint64_t seed = 20261122;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--problems")) problems = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (problems < 1 || repeats < 1) {
    std::fprintf(stderr, "usage: tower_profile_bench [--problems N] [--repeats K] [--seed S]\n");
    return 2;
  }
  std::printf("tower::plan_profile, one axis, %d problems per corpus, %d repeats each, seed %llu\n", problems,
              repeats, static_cast<unsigned long long>(seed));
  run("rest-to-rest", rest_to_rest_corpus(seed, problems), repeats);
  run("re-plan", moving_corpus(seed + 2, problems, false), repeats);
  run("general", moving_corpus(seed + 1, problems, true), repeats);
  return 0;
}
