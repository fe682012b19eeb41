#include "bot/auth/jwt_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "gitops/common/encoding.h"
#include "gitops/common/json_parse.h"

namespace datamcp::bot {
namespace {

using json = nlohmann::json;
template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

constexpr int kMinRsaBits = 2048;

std::shared_ptr<evp_pkey_st> Share(EVP_PKEY* pkey) {
  return std::shared_ptr<evp_pkey_st>(pkey, EVP_PKEY_free);
}

// Checks that a parsed key fits the algorithm (type, size, curve, valid point).
Status CheckKeyFits(EVP_PKEY* pkey, JwsAlgorithm alg) {
  if (alg == JwsAlgorithm::kRs256) {
    if (!EVP_PKEY_is_a(pkey, "RSA"))
      return InvalidArgument("key is not an RSA key, RS256 needs one");
    if (EVP_PKEY_get_bits(pkey) < kMinRsaBits) {
      return InvalidArgument("RSA key is shorter than 2048 bits; use a 2048-bit or longer key");
    }
    return Status::Ok();
  }
  if (alg == JwsAlgorithm::kEs256) {
    char group[64] = {0};
    size_t len = 0;
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1 ||
        std::string_view(group) != "prime256v1") {
      return InvalidArgument("key is not an EC P-256 key, ES256 needs one");
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
      ERR_clear_error();
      return InvalidArgument("EC public key is not a valid point on P-256");
    }
    return Status::Ok();
  }
  return InvalidArgument("HS256 uses a shared secret, not a public key");
}

Result<std::string> MemberBytes(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return InvalidArgument(std::string("JWK lacks the string member \"") + name + "\"");
  }
  auto bytes = Base64UrlDecode(it->get<std::string>());
  if (!bytes.ok() || bytes->empty()) {
    return InvalidArgument(std::string("JWK member \"") + name + "\" is not valid base64url");
  }
  return std::move(bytes).value();
}

Result<std::shared_ptr<evp_pkey_st>> FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument(std::string("OpenSSL rejected the ") + type + " JWK parameters");
  }
  return Share(pkey);
}

Result<std::shared_ptr<evp_pkey_st>> RsaFromJwk(const json& jwk) {
  DATAMCP_ASSIGN_OR_RETURN(std::string n, MemberBytes(jwk, "n"));
  DATAMCP_ASSIGN_OR_RETURN(std::string e, MemberBytes(jwk, "e"));
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), int(n.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), int(e.size()), nullptr));
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return Internal("out of memory building an RSA key");
  }
  return FromParams("RSA", bld.get());
}

Result<std::shared_ptr<evp_pkey_st>> EcFromJwk(const json& jwk) {
  DATAMCP_ASSIGN_OR_RETURN(std::string x, MemberBytes(jwk, "x"));
  DATAMCP_ASSIGN_OR_RETURN(std::string y, MemberBytes(jwk, "y"));
  if (x.size() != 32 || y.size() != 32) {
    return InvalidArgument("P-256 JWK coordinates \"x\" and \"y\" must be 32 bytes each");
  }
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    return Internal("out of memory building an EC key");
  }
  return FromParams("EC", bld.get());
}

// Whether a JWK Set entry is meant for `alg`; entries for other uses are skipped.
std::string StringOr(const json& obj, const char* name, const char* fallback) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool EntryIsFor(const json& jwk, JwsAlgorithm alg) {
  std::string kty = StringOr(jwk, "kty", "");
  if (alg == JwsAlgorithm::kRs256 && kty != "RSA") return false;
  if (alg == JwsAlgorithm::kEs256 && (kty != "EC" || StringOr(jwk, "crv", "") != "P-256")) {
    return false;
  }
  // Optional members restrict the key; a member of the wrong type restricts it to nothing.
  if (jwk.contains("use") && StringOr(jwk, "use", "") != "sig") return false;
  return !jwk.contains("alg") || StringOr(jwk, "alg", "") == AlgorithmName(alg);
}

Result<VerificationKey> KeyFromJwk(const json& jwk, JwsAlgorithm alg) {
  VerificationKey key;
  if (auto kid = jwk.find("kid"); kid != jwk.end()) {
    if (!kid->is_string()) return InvalidArgument("JWK \"kid\" is not a string");
    key.kid = kid->get<std::string>();
  }
  auto pkey = alg == JwsAlgorithm::kRs256 ? RsaFromJwk(jwk) : EcFromJwk(jwk);
  if (!pkey.ok()) return pkey.status();
  key.pkey = std::move(pkey).value();
  DATAMCP_RETURN_IF_ERROR(CheckKeyFits(key.pkey.get(), alg));
  return key;
}

}  // namespace

std::string_view AlgorithmName(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kHs256:
      return "HS256";
    case JwsAlgorithm::kRs256:
      return "RS256";
    case JwsAlgorithm::kEs256:
      return "ES256";
  }
  return "?";
}

Result<JwsAlgorithm> ParseAlgorithm(std::string_view name) {
  for (auto alg : {JwsAlgorithm::kHs256, JwsAlgorithm::kRs256, JwsAlgorithm::kEs256}) {
    if (name == AlgorithmName(alg)) return alg;
  }
  return InvalidArgument("auth.algorithm: '" + std::string(name) +
                         "' is not supported; use HS256, RS256 or ES256");
}

Result<VerificationKey> ParsePublicKeyPem(std::string_view pem, JwsAlgorithm alg) {
  if (alg == JwsAlgorithm::kHs256)
    return InvalidArgument("HS256 uses a shared secret, not a PEM key");
  std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> bio(
      BIO_new_mem_buf(pem.data(), int(pem.size())));
  EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) {
    ERR_clear_error();
    return InvalidArgument(
        "not a PEM public key; expected '-----BEGIN PUBLIC KEY-----' (SubjectPublicKeyInfo)");
  }
  VerificationKey key{"", Share(raw)};
  DATAMCP_RETURN_IF_ERROR(CheckKeyFits(key.pkey.get(), alg));
  return key;
}

Result<KeySet> ParseJwks(std::string_view text, JwsAlgorithm alg) {
  if (alg == JwsAlgorithm::kHs256) return InvalidArgument("HS256 uses a shared secret, not a JWKS");
  json doc = ParseJsonOrDiscarded(text);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return InvalidArgument("not a JWK Set: expected a JSON object with a \"keys\" array");
  }
  KeySet keys;
  std::set<std::string> kids;
  for (std::size_t i = 0; i < doc["keys"].size(); ++i) {
    const json& jwk = doc["keys"][i];
    if (!jwk.is_object() || !EntryIsFor(jwk, alg)) continue;
    auto key = KeyFromJwk(jwk, alg);
    if (!key.ok()) return key.status().WithContext("keys[" + std::to_string(i) + "]");
    if (!kids.insert(key->kid).second) {
      return InvalidArgument("keys[" + std::to_string(i) + "]: duplicate kid '" + key->kid + "'");
    }
    keys.push_back(std::move(key).value());
  }
  if (keys.empty()) {
    return InvalidArgument(std::string("the JWK Set holds no key usable for ") +
                           std::string(AlgorithmName(alg)));
  }
  return keys;
}

Result<std::string> ReadKeyFile(const std::string& path, std::string_view config_key) {
  constexpr std::streamoff kMaxBytes = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgument(std::string(config_key) + ": cannot read '" + path +
                           "'; check the path and its permissions");
  }
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = out.str();
  if (std::streamoff(text.size()) > kMaxBytes) {
    return InvalidArgument(std::string(config_key) + ": '" + path + "' is larger than 1 MiB");
  }
  return text;
}

}  // namespace datamcp::bot
