// Token-bucket rate limits with time as an input (native/gateway/rate_limit.cpp).
#include <catch2/catch.hpp>

#include <string>

#include "gateway/rate_limit.hpp"

using namespace tower::gateway;

namespace {
constexpr std::int64_t second_us = 1'000'000;
}

TEST_CASE("a new key may burst, then is refused with a retry-after", "[rate_limit]") {
  RateLimiter limiter(RateLimit{0.5, 3});
  for (int i = 0; i < 3; ++i) CHECK(limiter.allow("client", 0));
  int retry_after_s = 0;
  CHECK_FALSE(limiter.allow("client", 0, &retry_after_s));
  CHECK(retry_after_s == 2);  // one token at 0.5 per second
  CHECK_FALSE(limiter.allow("client", 0));
}

TEST_CASE("retry-after is rounded up and never below one second", "[rate_limit]") {
  RateLimiter limiter(RateLimit{10, 1});
  CHECK(limiter.allow("client", 0));
  int retry_after_s = 0;
  CHECK_FALSE(limiter.allow("client", 0, &retry_after_s));
  CHECK(retry_after_s == 1);
}

TEST_CASE("buckets refill at the sustained rate, capped at the burst", "[rate_limit]") {
  RateLimiter limiter(RateLimit{1, 2});
  CHECK(limiter.allow("client", 0));
  CHECK(limiter.allow("client", 0));
  CHECK_FALSE(limiter.allow("client", second_us / 2));
  CHECK(limiter.allow("client", second_us));  // half a token left over from the refusal above
  CHECK_FALSE(limiter.allow("client", second_us));
  // A long idle time refills only up to the burst.
  const std::int64_t later = 1000 * second_us;
  CHECK(limiter.allow("client", later));
  CHECK(limiter.allow("client", later));
  CHECK_FALSE(limiter.allow("client", later));
}

TEST_CASE("a clock stepping back does not mint tokens", "[rate_limit]") {
  RateLimiter limiter(RateLimit{1, 1});
  CHECK(limiter.allow("client", 10 * second_us));
  CHECK_FALSE(limiter.allow("client", 0));
  CHECK_FALSE(limiter.allow("client", 10 * second_us));
  CHECK(limiter.allow("client", 11 * second_us));
}

TEST_CASE("keys have independent buckets", "[rate_limit]") {
  RateLimiter limiter(RateLimit{1, 1});
  CHECK(limiter.allow("alice", 0));
  CHECK_FALSE(limiter.allow("alice", 0));
  CHECK(limiter.allow("bob", 0));
  CHECK_FALSE(limiter.allow("bob", 0));
  CHECK(limiter.keys() == 2);
}

TEST_CASE("memory stays bounded under a flood of distinct keys", "[rate_limit]") {
  RateLimiter limiter(RateLimit{1, 5}, 100);
  for (int i = 0; i < 10'000; ++i) {
    CHECK(limiter.allow("client-" + std::to_string(i), i));  // every new key starts with a full bucket
    REQUIRE(limiter.keys() <= 100);
  }
}

TEST_CASE("only buckets that would be full again are forgotten", "[rate_limit]") {
  RateLimiter limiter(RateLimit{1, 2}, 10);
  CHECK(limiter.allow("hot", 0));
  CHECK(limiter.allow("hot", 0));
  for (int i = 0; i < 9; ++i) CHECK(limiter.allow("idle-" + std::to_string(i), 0));
  REQUIRE(limiter.keys() == 10);
  CHECK(limiter.allow("new", second_us));  // idle keys are full again at 1 s; "hot" has one token
  CHECK(limiter.keys() == 2);
  CHECK(limiter.allow("hot", second_us));
  CHECK_FALSE(limiter.allow("hot", second_us));
}
