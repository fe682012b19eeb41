#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/common/secret.h"

namespace httplib {
class Client;
}

namespace datamcp::forge {

struct GithubHttpOptions {
  // REST API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise
  // Server. http:// is accepted only for loopback hosts (tests).
  std::string api_url = "https://api.github.com";
  std::string ca_file;  // extra CA bundle (PEM); empty: the system's
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{30};
  int max_attempts = 5;  // for 5xx answers and connection errors, first try included
  Clock::Duration initial_backoff = std::chrono::seconds(1);  // doubles each retry
  Clock::Duration max_backoff = std::chrono::seconds(30);
  // A rate limit that resets sooner than this is waited out; a later one is an error.
  Clock::Duration max_rate_limit_wait = std::chrono::seconds(60);
  int max_rate_limit_waits = 3;  // per call
};

// The GitHub REST transport: JSON in and out, GitHub's headers, retries and rate limits.
//
// - Sends Accept: application/vnd.github+json, X-GitHub-Api-Version: 2022-11-28,
//   User-Agent: datamcp, and Authorization: Bearer <token> when a token is given.
// - 5xx answers and connection errors are retried up to max_attempts with exponential
//   backoff (initial_backoff * 2^(n-1), capped at max_backoff; a 503's Retry-After wins),
//   sleeping on the Clock. POSTs are retried too: callers make their writes idempotent.
// - 403/429 with Retry-After, or with X-RateLimit-Remaining: 0 and X-RateLimit-Reset, wait
//   until then when that is within max_rate_limit_wait; else ResourceExhausted naming the
//   reset time. Other 4xx map to Status codes (401 Unauthenticated, 403 PermissionDenied,
//   404 NotFound, 409 Conflict, 422 InvalidArgument) with GitHub's message.
// - Tokens are never logged; errors name the method and path only.
// Thread-safe.
class GithubHttp {
 public:
  static Result<std::unique_ptr<GithubHttp>> Create(const GithubHttpOptions& options, Clock& clock);
  ~GithubHttp();

  // `path` is relative to the API root ("/repos/o/r/pulls?state=open"). `body` null: none.
  // Returns the parsed JSON body (null for 204).
  Result<nlohmann::json> Call(std::string_view method, const std::string& path,
                              const nlohmann::json* body, const Secret& token);

  // GET of a list endpoint, following Link rel="next" (same origin only), concatenating the
  // arrays. Adds per_page=100.
  Result<nlohmann::json> GetAll(const std::string& path, const Secret& token);

  const std::string& api_url() const { return api_url_; }

 private:
  struct Answer {
    int status = 0;
    std::string body;
    std::string retry_after, remaining, reset, link;
  };
  GithubHttp(const GithubHttpOptions& options, Clock& clock);
  Result<Answer> Send(std::string_view method, const std::string& full_path,
                      const nlohmann::json* body, const Secret& token);
  Result<Answer> SendOnce(std::string_view method, const std::string& full_path,
                          const std::string& body, const Secret& token);
  struct RateLimit {
    Clock::Duration wait{};
    long long reset_unix_seconds = 0;
  };
  // The rate limit `a` reports; nullopt when `a` is not rate limited.
  std::optional<RateLimit> RateLimitOf(const Answer& a) const;
  Status RateLimitError(std::string_view method, const std::string& path,
                        const RateLimit& limit) const;
  Clock::Duration Backoff(int attempt, const Result<Answer>& answer) const;
  Result<std::string> NextPage(const std::string& link) const;

  GithubHttpOptions options_;
  Clock& clock_;
  std::string api_url_;    // normalized, no trailing slash
  std::string origin_;     // scheme://host[:port]
  std::string base_path_;  // "" or "/api/v3"
  std::mutex mu_;          // guards client_
  std::unique_ptr<httplib::Client> client_;
};

// Percent-encodes one path segment or query value (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s);

}  // namespace datamcp::forge
