#include "bot/app/ci_wiring.h"

#include "gitops/common/log.h"

namespace datamcp::bot {

Result<std::unique_ptr<CiParts>> BuildCi(const config::Config& config, int bound_port,
                                         GitopsStack& stack, const Clock& clock) {
  const config::CiConfig& ci = config.ci;
  if (!ci.enabled()) return std::unique_ptr<CiParts>();
  auto parts = std::make_unique<CiParts>();
  JwksSource source{ci.jwks_file, ci.jwks_url, ci.jwks_ca_file,
                    ci.jwks_file.empty() ? "ci.jwks_url" : "ci.jwks_file"};
  JwksCache::Options options;
  options.min_refresh = std::chrono::seconds(ci.jwks_min_refresh_seconds);
  parts->keys = std::make_unique<JwksCache>(MakeJwksFetch(source), clock, options);
  if (Status s = parts->keys->Load(); !s.ok()) {
    if (!ci.jwks_file.empty()) return s;
    log::Warn("ci_jwks_unavailable", {{"error", s.message()}});
  }
  CiTokenOptions token;
  token.issuer = ci.issuer;
  config::Config bound = config;
  bound.server.port = bound_port;
  token.audiences = {ci.audience.empty() ? bound.PublicUrl() : ci.audience};
  token.clock_skew_seconds = config.auth.clock_skew_seconds;
  token.max_lifetime_seconds = ci.max_token_lifetime_seconds;
  token.max_token_bytes = config.auth.max_token_bytes;
  parts->verifier = std::make_unique<CiTokenVerifier>(token, *parts->keys, clock);
  parts->deps = std::make_unique<PromoteRouteDeps>(PromoteRouteDeps{
      *parts->verifier, *stack.proposals, *stack.repo, *stack.forge, *stack.locks});
  return parts;
}

}  // namespace datamcp::bot
