#include "bot/auth/jwks_cache.h"

#include "bot/auth/jws.h"
#include "gitops/common/log.h"

namespace datamcp::bot {
JwksCache::JwksCache(JwksFetch fetch, const Clock& clock, Options options)
    : fetch_(std::move(fetch)), clock_(clock), options_(options) {}

Status JwksCache::RefreshLocked() {
  last_fetch_ = clock_.SteadyNow();
  fetched_once_ = true;
  ++fetches_;
  auto text = fetch_();
  if (!text.ok()) return text.status();
  DATAMCP_ASSIGN_OR_RETURN(KeySet keys, ParseJwks(*text, JwsAlgorithm::kRs256));
  keys_ = std::move(keys);
  return Status::Ok();
}

Status JwksCache::Load() {
  std::lock_guard lock(mu_);
  Status s = RefreshLocked();
  if (!s.ok()) return InvalidArgument("the CI token keys (JWKS): " + s.message());
  return Status::Ok();
}

Result<VerificationKey> JwksCache::KeyFor(std::string_view kid) {
  std::lock_guard lock(mu_);
  auto now = clock_.SteadyNow();
  bool may_refresh = !fetched_once_ || now - last_fetch_ >= options_.min_refresh;
  bool stale = fetched_once_ && now - last_fetch_ >= options_.max_age;
  if (stale && may_refresh) {
    if (Status s = RefreshLocked(); !s.ok()) {
      log::Warn("jwks_refresh_failed", {{"error", s.message()}});
    }
  }
  auto key = SelectKey(keys_, kid);
  if (key.ok()) return **key;
  if (!may_refresh || stale) return key.status();  // refreshed just now, or too recently
  if (Status s = RefreshLocked(); !s.ok()) {
    log::Warn("jwks_refresh_failed", {{"error", s.message()}});
    return key.status();
  }
  auto again = SelectKey(keys_, kid);
  if (!again.ok()) return again.status();
  return **again;
}

int JwksCache::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

}  // namespace datamcp::bot
