#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/common/secret.h"

namespace datamcp::bot {

// What `datamcp token` puts into a token.
struct MintOptions {
  std::string subject;              // `sub`, required
  std::vector<std::string> scopes;  // emitted as one space-separated `scope` claim
  std::chrono::seconds ttl{3600};   // exp = iat + ttl; 1 s .. 366 days
  std::string issuer;               // `iss` when non-empty
  std::string audience;             // `aud` when non-empty
};

// Mints an HS256 JWT {"alg":"HS256","typ":"JWT"} with sub, scope, iat and exp taken from
// `clock` (and iss/aud when set) that JwtAuthenticator accepts with the same secret.
// InvalidArgument when the secret is shorter than 32 bytes, the subject is empty, subject,
// issuer or audience are not printable ASCII (<= 256), a scope is not an RFC 6749
// scope-token, or the ttl is out of range.
Result<std::string> MintHs256(const Secret& secret, const MintOptions& options, const Clock& clock);

// Parses a lifetime such as "3600s", "30m", "1h" or "2d" (digits then one unit; 1 s to 366
// days). InvalidArgument otherwise, saying what form is expected.
Result<std::chrono::seconds> ParseTtl(std::string_view text);

}  // namespace datamcp::bot
