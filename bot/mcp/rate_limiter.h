#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "gitops/common/clock.h"

namespace datamcp::bot::mcp {

// How much a caller may do: `burst` calls at once, refilled at `per_minute` calls a minute.
// per_minute 0 turns limiting off.
struct RateLimit {
  int burst = 20;
  int per_minute = 60;

  bool enabled() const { return per_minute > 0; }
};

// One token bucket per key (the token's subject). Take() spends a token when the key has one;
// otherwise it says how long until the next one. Time comes only from the Clock (steady), so
// tests drive it with a ManualClock. Memory: buckets that have refilled completely are
// forgotten once more than `max_keys` keys are held (a full bucket is the same as none).
// Thread-safe.
class RateLimiter {
 public:
  RateLimiter(const Clock& clock, RateLimit limit, std::size_t max_keys = 10000);

  struct Decision {
    bool allowed = true;
    std::chrono::milliseconds retry_after{0};  // when refused: until one token is back
  };
  Decision Take(const std::string& key);

  // Whole tokens `key` has now (burst for a key never seen), for tests and diagnostics.
  int Available(const std::string& key) const;

  const RateLimit& limit() const { return limit_; }

 private:
  // Exact integer arithmetic: one token is kUnitsPerToken units, and a bucket gains
  // `per_minute` units each microsecond, so a retry-after that was announced is always
  // enough.
  static constexpr long long kUnitsPerToken = 60'000'000;
  struct Bucket {
    long long units = 0;
    std::chrono::steady_clock::time_point updated;
  };
  // Units in `b` at `now`, refill included (not stored).
  long long Refilled(const Bucket& b, std::chrono::steady_clock::time_point now) const;
  long long Capacity() const { return limit_.burst * kUnitsPerToken; }
  void ForgetFullBuckets(std::chrono::steady_clock::time_point now);

  const Clock& clock_;
  const RateLimit limit_;
  const std::size_t max_keys_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

// Whole seconds to tell a client to wait: `wait` rounded up, at least 1.
long long RetryAfterSeconds(std::chrono::milliseconds wait);

}  // namespace datamcp::bot::mcp
