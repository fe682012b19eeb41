#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bot/auth/jwt_keys.h"
#include "gitops/common/secret.h"

// Test-only token signing with freshly generated keys, for attack cases the published vectors
// do not cover. Production code never signs with RS256/ES256.
namespace datamcp::bot::testing {

struct KeyPair {
  std::shared_ptr<evp_pkey_st> pkey;  // private + public
  std::string public_pem;             // SubjectPublicKeyInfo PEM
};

KeyPair GenerateRsa2048();
KeyPair GenerateP256();

// header.payload.signature with the header and claims serialized as given.
std::string SignHs256(const nlohmann::json& header, const nlohmann::json& claims,
                      const std::string& key);
std::string SignRs256(const nlohmann::json& header, const nlohmann::json& claims,
                      const KeyPair& key);
std::string SignEs256(const nlohmann::json& header, const nlohmann::json& claims,
                      const KeyPair& key);
// "header.payload." for alg none.
std::string Unsigned(const nlohmann::json& header, const nlohmann::json& claims);

}  // namespace datamcp::bot::testing
