#include "bot/mcp/rate_limiter.h"

#include <algorithm>

namespace datamcp::bot::mcp {

RateLimiter::RateLimiter(const Clock& clock, RateLimit limit, std::size_t max_keys)
    : clock_(clock), limit_(limit), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

long long RateLimiter::Refilled(const Bucket& b, std::chrono::steady_clock::time_point now) const {
  long long micros = std::max<long long>(
      0, std::chrono::duration_cast<std::chrono::microseconds>(now - b.updated).count());
  // Saturate before multiplying: a bucket idle for long is simply full.
  if (micros >= Capacity() / std::max(limit_.per_minute, 1)) return Capacity();
  return std::min(Capacity(), b.units + micros * limit_.per_minute);
}

void RateLimiter::ForgetFullBuckets(std::chrono::steady_clock::time_point now) {
  std::erase_if(buckets_,
                [&](const auto& entry) { return Refilled(entry.second, now) >= Capacity(); });
}

RateLimiter::Decision RateLimiter::Take(const std::string& key) {
  if (!limit_.enabled()) return {};
  auto now = clock_.SteadyNow();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) ForgetFullBuckets(now);
    it = buckets_.emplace(key, Bucket{Capacity(), now}).first;
  }
  Bucket& b = it->second;
  b.units = Refilled(b, now);
  b.updated = now;
  if (b.units >= kUnitsPerToken) {
    b.units -= kUnitsPerToken;
    return {};
  }
  long long missing = kUnitsPerToken - b.units;
  long long micros = (missing + limit_.per_minute - 1) / limit_.per_minute;
  return {false, std::chrono::milliseconds((micros + 999) / 1000)};
}

int RateLimiter::Available(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end() || !limit_.enabled()) return limit_.burst;
  return static_cast<int>(Refilled(it->second, clock_.SteadyNow()) / kUnitsPerToken);
}

long long RetryAfterSeconds(std::chrono::milliseconds wait) {
  return std::max<long long>(1, (wait.count() + 999) / 1000);
}

}  // namespace datamcp::bot::mcp
