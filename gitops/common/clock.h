#pragma once

#include <chrono>
#include <mutex>
#include <vector>

namespace datamcp {

// The seam for time. Library code never reads the wall clock directly: it takes a Clock&,
// so tests can drive time (ManualClock) and check backoff without sleeping.
class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  using Duration = std::chrono::milliseconds;

  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Monotonic time for deadlines and durations.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
  virtual void SleepFor(Duration d) = 0;

  // Seconds since the Unix epoch, for JWT claims and records.
  long long UnixSeconds() const;
  // Milliseconds since the Unix epoch.
  long long UnixMillis() const;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(Duration d) override;

  // The process-wide instance main() hands out.
  static SystemClock& Instance();
};

// A clock that only moves when told to. SleepFor advances it and records the request, so
// tests can assert on backoff schedules. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::seconds(1'700'000'000)));

  TimePoint Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
  void SleepFor(Duration d) override;

  void Advance(Duration d);
  std::vector<Duration> sleeps() const;

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  std::chrono::steady_clock::time_point steady_;
  std::vector<Duration> sleeps_;
};

}  // namespace datamcp
