#include "bot/auth/jws.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "gitops/common/digest.h"
#include "gitops/common/encoding.h"
#include "gitops/common/json_parse.h"

namespace datamcp::bot {
namespace {

using json = nlohmann::json;

// Fetched once, which spares OpenSSL 3's implicit fetch on every call (EVP_sha256()).
// A process-lifetime object, immutable and thread-safe.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

Status Malformed() { return Unauthenticated("malformed token"); }
Status BadSignature() { return Unauthenticated("signature invalid"); }

// ES256 signatures are raw R||S in JWS (RFC 7518 section 3.4); OpenSSL wants DER.
Result<std::string> RawEcdsaToDer(std::string_view raw) {
  if (raw.size() != 64) return BadSignature();
  auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, void (*)(ECDSA_SIG*)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return Internal("out of memory converting an ECDSA signature");
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return Internal("cannot encode an ECDSA signature");
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return Internal("cannot encode an ECDSA signature");
  return der;
}

Status CheckHeader(const CompactJws& jws, JwsAlgorithm expected) {
  const json& h = jws.header;
  auto alg = h.find("alg");
  if (alg == h.end() || !alg->is_string()) return Unauthenticated("token header has no alg");
  if (alg->get<std::string>() != AlgorithmName(expected)) {
    return Unauthenticated("token algorithm not accepted");
  }
  if (h.contains("crit")) return Unauthenticated("token header has unsupported crit");
  return Status::Ok();
}

}  // namespace

Result<CompactJws> DecodeCompactJws(std::string_view token, JwsAlgorithm expected) {
  std::size_t dot1 = token.find('.');
  std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Malformed();
  }
  std::string_view h64 = token.substr(0, dot1);
  std::string_view p64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view s64 = token.substr(dot2 + 1);
  if (h64.empty() || p64.empty()) return Malformed();
  if (s64.empty()) return Unauthenticated("token is unsigned");
  auto header = Base64UrlDecode(h64);
  auto payload = Base64UrlDecode(p64);
  auto signature = Base64UrlDecode(s64);
  if (!header.ok() || !payload.ok() || !signature.ok()) return Malformed();

  CompactJws jws;
  jws.header = ParseJsonOrDiscarded(*header);
  if (jws.header.is_discarded() || !jws.header.is_object()) {
    return Unauthenticated("token header is not a JSON object");
  }
  DATAMCP_RETURN_IF_ERROR(CheckHeader(jws, expected));
  if (auto kid = jws.header.find("kid"); kid != jws.header.end()) {
    if (!kid->is_string()) return Unauthenticated("token kid is not a string");
    jws.kid = kid->get<std::string>();
  }
  jws.payload = std::move(payload).value();
  jws.signing_input = std::string(token.substr(0, dot2));
  jws.signature = std::move(signature).value();
  return jws;
}

Status VerifyHs256(const CompactJws& jws, const Secret& secret) {
  auto mac = HmacSha256Of(secret, jws.signing_input);
  if (!mac.ok()) return mac.status();
  return ConstantTimeEquals(jws.signature, *mac) ? Status::Ok() : BadSignature();
}

Status VerifyWithKey(const CompactJws& jws, JwsAlgorithm alg, const VerificationKey& key) {
  std::string der;
  std::string_view sig = jws.signature;
  if (alg == JwsAlgorithm::kEs256) {
    auto converted = RawEcdsaToDer(jws.signature);
    if (!converted.ok()) return converted.status();
    der = std::move(converted).value();
    sig = der;
  } else if (alg != JwsAlgorithm::kRs256) {
    return Internal("VerifyWithKey called for HS256");
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, Sha256Md(), nullptr, key.pkey.get()) != 1) {
    return Internal("cannot initialise signature verification in OpenSSL");
  }
  int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
      reinterpret_cast<const unsigned char*>(jws.signing_input.data()), jws.signing_input.size());
  ERR_clear_error();  // a failed verification leaves entries other callers must not see
  return rc == 1 ? Status::Ok() : BadSignature();
}

Result<const VerificationKey*> SelectKey(const KeySet& keys, std::string_view kid) {
  if (keys.size() == 1 && keys[0].kid.empty()) return &keys[0];
  if (kid.empty()) {
    if (keys.size() == 1) return &keys[0];
    return Unauthenticated("token has no kid and several keys are configured");
  }
  for (const auto& key : keys) {
    if (key.kid == kid) return &key;
  }
  return Unauthenticated("unknown key id");
}

}  // namespace datamcp::bot
