#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "bot/auth/jwt_keys.h"
#include "gitops/common/result.h"
#include "gitops/common/secret.h"

namespace datamcp::bot {

// A compact JWS (RFC 7515 section 7.1) split and decoded, not yet verified.
struct CompactJws {
  nlohmann::json header;      // the protected header, a JSON object
  std::string payload;        // decoded payload bytes
  std::string signing_input;  // ASCII(BASE64URL(header) || '.' || BASE64URL(payload))
  std::string signature;      // decoded signature bytes
  std::string kid;            // header "kid", empty when absent
};

// Splits `token` into three base64url segments and decodes them. The header must be a JSON
// object whose "alg" equals `expected` (so "none" and HS/RS confusion are refused), with
// no "crit" (no extension is understood) and a string "kid" if any. Errors are
// Unauthenticated with a short reason ("malformed token", "token algorithm not accepted").
Result<CompactJws> DecodeCompactJws(std::string_view token, JwsAlgorithm expected);

// Checks the HS256 MAC in constant time. Unauthenticated "signature invalid" on mismatch.
Status VerifyHs256(const CompactJws& jws, const Secret& secret);

// Checks an RS256 (RSASSA-PKCS1-v1_5 SHA-256) or ES256 (ECDSA P-256 SHA-256, raw R||S,
// 64 bytes) signature with EVP_DigestVerify. Unauthenticated "signature invalid" on failure.
Status VerifyWithKey(const CompactJws& jws, JwsAlgorithm alg, const VerificationKey& key);

// Picks the key for a token: by kid when the token names one (Unauthenticated
// "unknown key id" when absent from the set); a token without kid needs a one-key set.
// A set whose only key has no kid (a PEM key) serves every token.
Result<const VerificationKey*> SelectKey(const KeySet& keys, std::string_view kid);

}  // namespace datamcp::bot
