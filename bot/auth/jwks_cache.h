#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "bot/auth/jwt_keys.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"

namespace datamcp::bot {

// Reads a JWK Set document (a file, a URL; see jwks_fetch.h). The seam tests replace.
using JwksFetch = std::function<Result<std::string>()>;

// A cached RS256 key set that follows key rotation. KeyFor(kid) answers from the cache; a
// kid it does not know, or a set older than max_age, triggers a refetch, but at most one per
// min_refresh (a flood of tokens with made-up kids costs one fetch a minute, not one each).
// A failed refresh keeps the last good set. Thread-safe (one mutex; fetches are serialized).
class JwksCache {
 public:
  struct Options {
    std::chrono::seconds min_refresh{60};
    std::chrono::seconds max_age{3600};
  };
  JwksCache(JwksFetch fetch, const Clock& clock, Options options);

  // The first fetch, at start-up: a source that cannot be read or parsed stops the server
  // with InvalidArgument naming the source.
  Status Load();

  // The key for `kid` (see SelectKey for tokens without one). Unauthenticated "unknown key
  // id" when neither the cache nor an allowed refresh has it.
  Result<VerificationKey> KeyFor(std::string_view kid);

  // Fetches performed so far (for tests and metrics).
  int fetches() const;

 private:
  Status RefreshLocked();

  JwksFetch fetch_;
  const Clock& clock_;
  Options options_;
  mutable std::mutex mu_;
  KeySet keys_;
  bool fetched_once_ = false;
  std::chrono::steady_clock::time_point last_fetch_{};
  int fetches_ = 0;
};

}  // namespace datamcp::bot
