#include "gitops/common/clock.h"

#include <gtest/gtest.h>

namespace datamcp {
namespace {

using std::chrono::milliseconds;

TEST(ManualClockTest, OnlyMovesWhenTold) {
  ManualClock clock;
  auto t0 = clock.Now();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(milliseconds(1500));
  EXPECT_EQ(clock.Now() - t0, milliseconds(1500));
  EXPECT_EQ(clock.UnixSeconds(), 1'700'000'001);
}

TEST(ManualClockTest, SleepAdvancesAndIsRecorded) {
  ManualClock clock;
  auto s0 = clock.SteadyNow();
  clock.SleepFor(milliseconds(100));
  clock.SleepFor(milliseconds(200));
  EXPECT_EQ(clock.SteadyNow() - s0, milliseconds(300));
  EXPECT_EQ(clock.sleeps(), (std::vector<Clock::Duration>{milliseconds(100), milliseconds(200)}));
}

TEST(SystemClockTest, SteadyClockDoesNotGoBackwards) {
  auto& clock = SystemClock::Instance();
  auto a = clock.SteadyNow();
  auto b = clock.SteadyNow();
  EXPECT_LE(a, b);
  EXPECT_GT(clock.UnixSeconds(), 1'600'000'000);
}

}  // namespace
}  // namespace datamcp
