#pragma once

#include <string>
#include <vector>

#include "bot/auth/jwks_cache.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/repo/promotion_rules.h"

namespace datamcp::bot {

inline constexpr const char* kGithubActionsIssuer = "https://token.actions.githubusercontent.com";

struct CiTokenOptions {
  std::string issuer = kGithubActionsIssuer;
  std::vector<std::string> audiences;  // DataMCP's public URL unless ci.audience says otherwise
  long long clock_skew_seconds = 60;
  long long max_lifetime_seconds = 3600;  // GitHub's tokens live minutes; refuse day-long ones
  std::size_t max_token_bytes = 8192;
};

// Verifies a GitHub Actions OIDC token (RS256, keys from the JwksCache by kid) the way the
// MCP authenticator verifies its own: structure, algorithm, signature, exp/nbf/iat, lifetime,
// iss and aud; then reads the claims a promotion rule looks at. `repository` and
// `job_workflow_ref` must be present. Errors are Unauthenticated with a short reason that
// never holds the token. Thread-safe.
class CiTokenVerifier {
 public:
  CiTokenVerifier(CiTokenOptions options, JwksCache& keys, const Clock& clock);

  Result<repo::CiIdentity> Verify(const std::string& token) const;

 private:
  CiTokenOptions options_;
  JwksCache& keys_;
  const Clock& clock_;
};

}  // namespace datamcp::bot
