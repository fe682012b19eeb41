#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/result.h"
#include "gitops/common/secret.h"

// Signing JSON Web Tokens (RFC 7519) as compact JWS (RFC 7515): the one place that writes a
// token, for `datamcp token` (HS256) and GitHub App tokens (RS256). Verification is the
// authenticator's (bot/auth).
namespace datamcp {

// BASE64URL({"alg":"HS256","typ":"JWT"}) . BASE64URL(claims) . BASE64URL(HMAC-SHA-256),
// keyed with the raw bytes of `key`. Internal if OpenSSL fails.
Result<std::string> SignJwtHs256(const nlohmann::json& claims, const Secret& key);

// The same with {"alg":"RS256","typ":"JWT"}, signed RSASSA-PKCS1-v1_5 SHA-256 with the RSA
// private key in `private_key_pem`. InvalidArgument when the key is not one.
Result<std::string> SignJwtRs256(const nlohmann::json& claims, const Secret& private_key_pem);

// OK when `pem` holds an RSA private key in PEM; InvalidArgument otherwise.
Status CheckRsaPrivateKeyPem(const Secret& pem);

}  // namespace datamcp
