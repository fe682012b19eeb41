#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/auth/principal.h"
#include "gitops/common/result.h"

namespace datamcp::bot {

// What a verified token's claims must satisfy (RFC 7519 section 4.1).
struct ClaimRules {
  std::string issuer;  // when non-empty, `iss` must equal it
  // When non-empty, `aud` (string or array) must contain one of them.
  std::vector<std::string> audiences;
  long long clock_skew_seconds = 60;
  // When > 0: `iat` is required and exp - iat may be at most this ("token lifetime exceeds
  // auth.max_token_lifetime"), so a stolen token cannot be minted to live for a century.
  long long max_lifetime_seconds = 0;
};

// Checks the registered claims of a JWT payload at `now` (Unix seconds):
// - `exp` is required: rejected when now >= exp + skew ("token expired");
// - `nbf`, when present: rejected when now + skew < nbf ("token not yet valid");
// - `iat`, when present: rejected when iat > now + skew ("token issued in the future");
// - with max_lifetime_seconds: `iat` required, exp - iat <= max_lifetime_seconds;
// - numeric dates must be JSON numbers; `iss`/`aud` as in ClaimRules.
// Errors are Unauthenticated with a short reason fit for `error_description`.
Status CheckRegisteredClaims(const nlohmann::json& claims, const ClaimRules& rules, long long now);

// Reads scopes from `scope` (a space-separated string, RFC 8693 section 4.2) and/or `scopes`
// (an array of strings); both may be present and are merged in order without duplicates.
// Any other shape, or a scope with characters outside RFC 6749's scope-token grammar,
// is Unauthenticated ("invalid scope claim: ...").
Result<std::vector<std::string>> ScopesFromClaims(const nlohmann::json& claims);

// Builds the Principal: `sub` must be a non-empty string ("token has no sub claim") of at
// most 256 bytes without control characters (it ends up in commit trailers and logs).
Result<Principal> PrincipalFromClaims(const nlohmann::json& claims);

}  // namespace datamcp::bot
