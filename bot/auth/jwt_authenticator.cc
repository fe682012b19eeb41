#include "bot/auth/jwt_authenticator.h"

#include "bot/auth/jws.h"
#include "bot/auth/mint.h"
#include "gitops/common/json_parse.h"
#include "gitops/config/config.h"

namespace datamcp::bot {
namespace {

constexpr std::size_t kMinHs256SecretBytes = 32;
constexpr int kMaxClockSkewSeconds = 3600;
constexpr std::size_t kMaxTokenBytesLimit = 1 << 20;

Status CheckLimits(const JwtOptions& o) {
  if (o.clock_skew_seconds < 0 || o.clock_skew_seconds > kMaxClockSkewSeconds) {
    return InvalidArgument("auth.clock_skew_seconds: must be between 0 and 3600, got " +
                           std::to_string(o.clock_skew_seconds));
  }
  if (o.max_token_bytes < 64 || o.max_token_bytes > kMaxTokenBytesLimit) {
    return InvalidArgument("auth.max_token_bytes: must be between 64 and 1048576, got " +
                           std::to_string(o.max_token_bytes));
  }
  return Status::Ok();
}

// Loads the public keys for RS256/ES256 from the PEM or the JWKS (exactly one of them).
Result<KeySet> LoadKeys(const JwtOptions& o) {
  if (!o.public_key_pem.empty() && !o.jwks_json.empty()) {
    return InvalidArgument("auth.public_key_file and auth.jwks_file are both set; keep one");
  }
  if (!o.public_key_pem.empty()) {
    auto key = ParsePublicKeyPem(o.public_key_pem, o.algorithm);
    if (!key.ok()) return key.status().WithContext("auth.public_key_file");
    return KeySet{std::move(key).value()};
  }
  if (!o.jwks_json.empty()) {
    auto keys = ParseJwks(o.jwks_json, o.algorithm);
    if (!keys.ok()) return keys.status().WithContext("auth.jwks_file");
    return std::move(keys).value();
  }
  return InvalidArgument(std::string(AlgorithmName(o.algorithm)) +
                         " needs auth.public_key_file (PEM) or auth.jwks_file (JWKS); set one");
}

}  // namespace

std::string DefaultAudience(const config::AuthConfig& auth, const std::string& public_url) {
  return auth.audience.empty() ? public_url : auth.audience;
}

Result<JwtOptions> JwtOptionsFromConfig(const config::AuthConfig& auth,
                                        const std::string& public_url) {
  JwtOptions o;
  DATAMCP_ASSIGN_OR_RETURN(o.algorithm, ParseAlgorithm(auth.algorithm));
  o.hs256_secret = auth.hs256_secret;
  if (!auth.public_key_file.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(o.public_key_pem,
                             ReadKeyFile(auth.public_key_file, "auth.public_key_file"));
  }
  if (!auth.jwks_file.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(o.jwks_json, ReadKeyFile(auth.jwks_file, "auth.jwks_file"));
  }
  o.issuer = auth.issuer;
  if (!auth.audience.empty()) {
    o.audiences = {auth.audience};
  } else {
    o.audiences = {public_url, public_url + "/mcp"};
  }
  auto lifetime = ParseTtl(auth.max_token_lifetime);
  if (!lifetime.ok()) return lifetime.status().WithContext("auth.max_token_lifetime");
  o.max_lifetime_seconds = lifetime->count();
  o.clock_skew_seconds = auth.clock_skew_seconds;
  o.max_token_bytes = auth.max_token_bytes;
  return o;
}

Result<std::unique_ptr<JwtAuthenticator>> JwtAuthenticator::Create(JwtOptions options,
                                                                   const Clock& clock) {
  DATAMCP_RETURN_IF_ERROR(CheckLimits(options));
  KeySet keys;
  if (options.algorithm == JwsAlgorithm::kHs256) {
    if (options.hs256_secret.Reveal().size() < kMinHs256SecretBytes) {
      return InvalidArgument(
          "auth.hs256_secret: must be at least 32 bytes for HS256; generate one with "
          "`openssl rand -base64 48`");
    }
    if (!options.public_key_pem.empty() || !options.jwks_json.empty()) {
      return InvalidArgument(
          "auth.algorithm is HS256 but a public key is configured; set auth.algorithm to "
          "RS256 or ES256, or remove auth.public_key_file / auth.jwks_file");
    }
  } else {
    DATAMCP_ASSIGN_OR_RETURN(keys, LoadKeys(options));
  }
  return std::unique_ptr<JwtAuthenticator>(
      new JwtAuthenticator(std::move(options), std::move(keys), clock));
}

JwtAuthenticator::JwtAuthenticator(JwtOptions options, KeySet keys, const Clock& clock)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      rules_{options_.issuer, options_.audiences, options_.clock_skew_seconds,
             options_.max_lifetime_seconds},
      clock_(clock) {}

Status JwtAuthenticator::VerifySignature(const CompactJws& jws) const {
  if (options_.algorithm == JwsAlgorithm::kHs256) return VerifyHs256(jws, options_.hs256_secret);
  DATAMCP_ASSIGN_OR_RETURN(const VerificationKey* key, SelectKey(keys_, jws.kid));
  return VerifyWithKey(jws, options_.algorithm, *key);
}

Result<nlohmann::json> JwtAuthenticator::VerifyClaims(const std::string& bearer_token) const {
  if (bearer_token.empty()) return Unauthenticated("missing bearer token");
  if (bearer_token.size() > options_.max_token_bytes) return Unauthenticated("token too large");
  DATAMCP_ASSIGN_OR_RETURN(CompactJws jws, DecodeCompactJws(bearer_token, options_.algorithm));
  DATAMCP_RETURN_IF_ERROR(VerifySignature(jws));
  nlohmann::json claims = ParseJsonOrDiscarded(jws.payload);
  if (claims.is_discarded() || !claims.is_object()) {
    return Unauthenticated("token payload is not a JSON object");
  }
  DATAMCP_RETURN_IF_ERROR(CheckRegisteredClaims(claims, rules_, clock_.UnixSeconds()));
  return claims;
}

Result<Principal> JwtAuthenticator::Authenticate(const std::string& bearer_token) const {
  DATAMCP_ASSIGN_OR_RETURN(nlohmann::json claims, VerifyClaims(bearer_token));
  return PrincipalFromClaims(claims);
}

}  // namespace datamcp::bot
