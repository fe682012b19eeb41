#include "gitops/common/clock.h"

#include <thread>

namespace datamcp {

long long Clock::UnixSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
}

long long Clock::UnixMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
}

void SystemClock::SleepFor(Duration d) { std::this_thread::sleep_for(d); }

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

ManualClock::ManualClock(TimePoint start) : now_(start), steady_() {}

Clock::TimePoint ManualClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

std::chrono::steady_clock::time_point ManualClock::SteadyNow() const {
  std::lock_guard lock(mu_);
  return steady_;
}

void ManualClock::SleepFor(Duration d) {
  std::lock_guard lock(mu_);
  sleeps_.push_back(d);
  now_ += d;
  steady_ += d;
}

void ManualClock::Advance(Duration d) {
  std::lock_guard lock(mu_);
  now_ += d;
  steady_ += d;
}

std::vector<Clock::Duration> ManualClock::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

}  // namespace datamcp
