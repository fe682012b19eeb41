#pragma once

#include "gitops/common/clock.h"

namespace datamcp::test {

// A ManualClock seen through a wall clock that can be stepped either way, as NTP steps it:
// Now() moves with Step(), SteadyNow() and SleepFor stay the ManualClock's. Not thread-safe
// to Step while the clock is read.
class SteppedWallClock final : public Clock {
 public:
  explicit SteppedWallClock(ManualClock& base) : base_(base) {}

  TimePoint Now() const override { return base_.Now() + step_; }
  std::chrono::steady_clock::time_point SteadyNow() const override { return base_.SteadyNow(); }
  void SleepFor(Duration d) override { base_.SleepFor(d); }

  void Step(Duration d) { step_ += d; }

 private:
  ManualClock& base_;
  Duration step_{0};
};

}  // namespace datamcp::test
