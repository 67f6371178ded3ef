// Token-bucket rate limits, keyed by anything (a customer, a client address). Time is an input, so tests
// drive it; the gateway passes its steady clock. Memory stays bounded: buckets idle long enough to be full
// again are forgotten.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace tower::gateway {

struct RateLimit {
  double per_second = 10;  // sustained rate
  double burst = 20;       // bucket size
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit, std::size_t max_keys = 100'000);
  // Takes one token for `key` at `now_us` (a monotonic clock in microseconds). False: over the limit; then
  // `retry_after_s` says when one token will be available again (rounded up, >= 1).
  bool allow(const std::string& key, std::int64_t now_us, int* retry_after_s = nullptr);
  std::size_t keys() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t updated_us = 0;
  };
  void forget_full(std::int64_t now_us);
  RateLimit limit_;
  std::size_t max_keys_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tower::gateway
