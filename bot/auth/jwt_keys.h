#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace datamcp::bot {

// The signature algorithms DataMCP accepts. The verifier's algorithm comes from
// configuration only; a token's header must name the same one or it is rejected.
enum class JwsAlgorithm { kHs256, kRs256, kEs256 };

std::string_view AlgorithmName(JwsAlgorithm alg);  // "HS256", "RS256", "ES256"
// Parses a configured name (exact, upper case). Errors name the key `auth.algorithm`.
Result<JwsAlgorithm> ParseAlgorithm(std::string_view name);

// A public key for RS256 (RSA, >= 2048 bits) or ES256 (EC P-256). The EVP_PKEY is never
// modified after parsing, so one key may verify on many threads at once.
struct VerificationKey {
  std::string kid;  // from the JWKS entry; empty for a PEM key
  std::shared_ptr<evp_pkey_st> pkey;
};
using KeySet = std::vector<VerificationKey>;

// Parses a PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----") and checks that its type
// fits `alg`. InvalidArgument says what is wrong with the key (never which bytes).
Result<VerificationKey> ParsePublicKeyPem(std::string_view pem, JwsAlgorithm alg);

// Parses a JWK Set (RFC 7517 section 5) and keeps the keys usable with `alg`: kty RSA (n, e)
// for RS256, kty EC with crv P-256 (x, y) for ES256. Entries of another kty/crv, with
// "use" other than "sig" or with an "alg" other than `alg` are skipped; an entry of the right
// type that is malformed is an error; so is a set with no usable key or duplicate kids.
Result<KeySet> ParseJwks(std::string_view json, JwsAlgorithm alg);

// Reads a key file named by configuration key `config_key` (e.g. "auth.jwks_file");
// the error names the key and the path and says what to do. Files over 1 MiB are refused.
Result<std::string> ReadKeyFile(const std::string& path, std::string_view config_key);

}  // namespace datamcp::bot
