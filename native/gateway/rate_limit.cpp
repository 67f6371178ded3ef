// Token buckets per key. A new key starts with a full bucket; buckets refill continuously at per_second,
// capped at burst. When the map reaches max_keys, buckets that would be full again are forgotten, which
// changes nothing for their keys.
#include "gateway/rate_limit.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

namespace tower::gateway {
namespace {

constexpr double microseconds_per_second = 1e6;

// Room to make after a cleanup, so a flood of new keys pays for one scan per tenth of max_keys, not per key.
std::size_t cleanup_target(std::size_t max_keys) { return max_keys - max_keys / 10 - 1; }

}  // namespace

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys) : limit_(limit), max_keys_(max_keys) {
  assert(limit.per_second > 0 && limit.burst >= 1 && max_keys > 0);
}

bool RateLimiter::allow(const std::string& key, std::int64_t now_us, int* retry_after_s) {
  auto found = buckets_.find(key);
  if (found == buckets_.end()) {
    if (buckets_.size() >= max_keys_) forget_full(now_us);
    found = buckets_.emplace(key, Bucket{limit_.burst, now_us}).first;
  }
  Bucket& bucket = found->second;
  // A clock that steps back must not mint tokens; it only delays refill until it catches up.
  const auto elapsed_us = std::max<std::int64_t>(0, now_us - bucket.updated_us);
  const double refill = limit_.per_second * static_cast<double>(elapsed_us) / microseconds_per_second;
  bucket.tokens = std::min(limit_.burst, bucket.tokens + refill);
  bucket.updated_us = std::max(bucket.updated_us, now_us);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return true;
  }
  if (retry_after_s != nullptr) {
    const double wait_s = std::ceil((1 - bucket.tokens) / limit_.per_second);
    *retry_after_s = std::max(1, static_cast<int>(std::min(wait_s, 86'400.0)));
  }
  return false;
}

void RateLimiter::forget_full(std::int64_t now_us) {
  std::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& bucket = entry.second;
    const double idle_s = static_cast<double>(now_us - bucket.updated_us) / microseconds_per_second;
    return bucket.tokens + limit_.per_second * idle_s >= limit_.burst;
  });
  const std::size_t target = cleanup_target(max_keys_);
  if (buckets_.size() <= target) return;
  // Still full of active keys (a flood of distinct keys): evict the least recently updated rather than refuse
  // new keys, so a flood can at worst hand an evicted client a fresh bucket, never lock newcomers out.
  std::vector<std::int64_t> updated;
  updated.reserve(buckets_.size());
  for (const auto& [key, bucket] : buckets_) updated.push_back(bucket.updated_us);
  const auto excess = static_cast<std::ptrdiff_t>(buckets_.size() - target);
  std::nth_element(updated.begin(), updated.begin() + (excess - 1), updated.end());
  const std::int64_t cutoff = updated[static_cast<std::size_t>(excess - 1)];
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.updated_us <= cutoff; });
}

}  // namespace tower::gateway
