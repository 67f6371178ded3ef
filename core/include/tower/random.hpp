// The core's own seeded random numbers. Standard-library distributions differ between libstdc++ and libc++,
// so native and WASM would diverge; these are defined bit for bit and give identical streams everywhere.
#pragma once

#include <cstdint>

namespace tower {

// xoshiro256** seeded through splitmix64. Same seed, same sequence, on every platform.
class Random {
 public:
  explicit Random(std::uint64_t seed = 0);

  std::uint64_t next_u64();
  // Uniform in [0, bound) without modulo bias; bound must be > 0.
  std::uint64_t below(std::uint64_t bound);
  // Uniform integer in [low, high], inclusive; low <= high.
  std::int64_t between(std::int64_t low, std::int64_t high);
  // Uniform double in [0, 1) from the top 53 bits.
  double unit();
  // Uniform double in [low, high).
  double uniform(double low, double high);
  // True with the given probability in [0, 1].
  bool chance(double probability);

  struct State {
    std::uint64_t words[4];
  };
  State state() const { return state_; }
  void restore(const State& state) { state_ = state; }

 private:
  State state_{};
};

}  // namespace tower
