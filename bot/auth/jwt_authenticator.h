#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bot/auth/claims.h"
#include "bot/auth/jwt_keys.h"
#include "bot/auth/principal.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/common/secret.h"

namespace datamcp::config {
struct AuthConfig;
}

namespace datamcp::bot {

struct CompactJws;

// How bearer JWTs are verified. The algorithm is fixed here, never taken from a token.
struct JwtOptions {
  JwsAlgorithm algorithm = JwsAlgorithm::kHs256;
  Secret hs256_secret;                 // HS256: its bytes are the key; at least 32
  std::string public_key_pem;          // RS256/ES256: a PEM public key, or
  std::string jwks_json;               // RS256/ES256: a JWK Set (keys picked by kid)
  std::string issuer;                  // required `iss` when non-empty
  std::vector<std::string> audiences;  // `aud` must hold one of them when non-empty
  int clock_skew_seconds = 60;         // 0..3600
  std::size_t max_token_bytes = 8192;  // longer tokens are refused before decoding
  long long max_lifetime_seconds = 0;  // > 0: iat required, exp - iat at most this
};

// Builds JwtOptions from configuration, reading auth.public_key_file / auth.jwks_file.
// An empty hs256_secret stays empty (the caller generates one under work_dir first).
// The accepted audience is auth.audience, or when unset the server's own URLs: `public_url`
// (Config::PublicUrl()) and its MCP resource `public_url`/mcp (RFC 8707, RFC 9728), so a
// token minted for another service is refused. auth.max_token_lifetime is parsed here.
Result<JwtOptions> JwtOptionsFromConfig(const config::AuthConfig& auth,
                                        const std::string& public_url);

// The audience tokens for this server carry: auth.audience, or `public_url` when unset
// (what `datamcp token` puts in `aud`).
std::string DefaultAudience(const config::AuthConfig& auth, const std::string& public_url);

// Verifies compact-JWS bearer tokens (HS256, RS256 or ES256 as configured) and turns their
// claims into a Principal. Immutable after Create(); thread-safe. Errors are Unauthenticated
// with a short reason ("token expired", "signature invalid", "audience mismatch", ...) that
// never contains the token.
class JwtAuthenticator final : public Authenticator {
 public:
  // Validates `options`: InvalidArgument naming the configuration key at fault
  // (auth.hs256_secret, auth.public_key_file, auth.jwks_file, auth.clock_skew_seconds,
  // auth.max_token_bytes). `clock` must outlive the authenticator.
  static Result<std::unique_ptr<JwtAuthenticator>> Create(JwtOptions options, const Clock& clock);

  Result<Principal> Authenticate(const std::string& bearer_token) const override;

  // Everything Authenticate checks except the Principal (sub, scopes): size, structure,
  // algorithm, key, signature, exp/nbf/iat, iss, aud. Returns the claims.
  Result<nlohmann::json> VerifyClaims(const std::string& bearer_token) const;

 private:
  JwtAuthenticator(JwtOptions options, KeySet keys, const Clock& clock);
  Status VerifySignature(const CompactJws& jws) const;

  const JwtOptions options_;
  const KeySet keys_;
  const ClaimRules rules_;
  const Clock& clock_;
};

}  // namespace datamcp::bot
