#include "bot/mcp/rate_limiter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace datamcp::bot::mcp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiterTest, AllowsABurstThenRefusesWithTheWaitForOneToken) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 3, .per_minute = 6});  // one token every 10 s
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("alice").allowed) << i;
  RateLimiter::Decision refused = limiter.Take("alice");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, milliseconds(10000));
  EXPECT_EQ(RetryAfterSeconds(refused.retry_after), 10);
  EXPECT_EQ(limiter.Available("alice"), 0);
}

TEST(RateLimiterTest, TheAnnouncedRetryAfterIsAlwaysEnough) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 1, .per_minute = 7});  // 8571.43 ms per token
  ASSERT_TRUE(limiter.Take("a").allowed);
  for (int i = 0; i < 20; ++i) {
    RateLimiter::Decision d = limiter.Take("a");
    ASSERT_FALSE(d.allowed);
    clock.Advance(d.retry_after - milliseconds(1));
    ASSERT_FALSE(limiter.Take("a").allowed) << "a token came back before retry_after, round " << i;
    clock.Advance(milliseconds(1));
    ASSERT_TRUE(limiter.Take("a").allowed) << "retry_after was not enough, round " << i;
  }
}

TEST(RateLimiterTest, RefillsAtTheRateUpToTheBurstOnly) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 2, .per_minute = 60});
  ASSERT_TRUE(limiter.Take("a").allowed);
  ASSERT_TRUE(limiter.Take("a").allowed);
  EXPECT_FALSE(limiter.Take("a").allowed);
  clock.Advance(seconds(1));
  EXPECT_EQ(limiter.Available("a"), 1);
  clock.Advance(seconds(3600));  // idle for long: full, never more than the burst
  EXPECT_EQ(limiter.Available("a"), 2);
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_TRUE(limiter.Take("a").allowed);
  EXPECT_FALSE(limiter.Take("a").allowed);
}

TEST(RateLimiterTest, EachSubjectHasItsOwnBucket) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 1, .per_minute = 1});
  EXPECT_TRUE(limiter.Take("alice").allowed);
  EXPECT_FALSE(limiter.Take("alice").allowed);
  EXPECT_TRUE(limiter.Take("bob").allowed);
  EXPECT_EQ(limiter.Available("carol"), 1);
}

TEST(RateLimiterTest, ZeroPerMinuteTurnsLimitingOff) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 1, .per_minute = 0});
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Take("a").allowed);
}

TEST(RateLimiterTest, ForgetsOnlyFullBucketsWhenHoldingTooManySubjects) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 2, .per_minute = 60}, /*max_keys=*/2);
  ASSERT_TRUE(limiter.Take("a").allowed);
  ASSERT_TRUE(limiter.Take("a").allowed);
  ASSERT_TRUE(limiter.Take("b").allowed);
  clock.Advance(seconds(2));  // b is full again, a has refilled to 2 as well
  ASSERT_TRUE(limiter.Take("a").allowed);
  ASSERT_TRUE(limiter.Take("a").allowed);
  // A third subject evicts the full bucket (b), never the one that is spent (a).
  EXPECT_TRUE(limiter.Take("c").allowed);
  EXPECT_FALSE(limiter.Take("a").allowed);
  EXPECT_EQ(limiter.Available("b"), 2);
}

TEST(RateLimiterTest, ConcurrentCallersNeverSpendMoreThanTheBurst) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 50, .per_minute = 1});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) allowed += limiter.Take("shared").allowed ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 50);
}

}  // namespace
}  // namespace datamcp::bot::mcp
