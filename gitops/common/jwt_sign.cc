#include "gitops/common/jwt_sign.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "gitops/common/digest.h"
#include "gitops/common/encoding.h"

namespace datamcp {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Result<PkeyPtr> LoadRsaKey(const Secret& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.Reveal().data(), static_cast<int>(pem.Reveal().size())), BIO_free);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
              EVP_PKEY_free);
  ERR_clear_error();
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return InvalidArgument("the key is not an RSA private key in PEM");
  }
  return key;
}

std::string SigningInput(const char* alg, const nlohmann::json& claims) {
  nlohmann::json header = {{"alg", alg}, {"typ", "JWT"}};
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
}

Result<std::string> RsaSha256(const std::string& input, EVP_PKEY* key) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  auto* data = reinterpret_cast<const unsigned char*>(input.data());
  std::size_t sig_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len, data, input.size()) != 1) {
    ERR_clear_error();
    return Internal("cannot sign an RS256 token (OpenSSL)");
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len, data,
                     input.size()) != 1) {
    ERR_clear_error();
    return Internal("cannot sign an RS256 token (OpenSSL)");
  }
  sig.resize(sig_len);
  return sig;
}

}  // namespace

Result<std::string> SignJwtHs256(const nlohmann::json& claims, const Secret& key) {
  std::string input = SigningInput("HS256", claims);
  DATAMCP_ASSIGN_OR_RETURN(std::string mac, HmacSha256Of(key, input));
  return input + "." + Base64UrlEncode(mac);
}

Result<std::string> SignJwtRs256(const nlohmann::json& claims, const Secret& private_key_pem) {
  DATAMCP_ASSIGN_OR_RETURN(PkeyPtr key, LoadRsaKey(private_key_pem));
  std::string input = SigningInput("RS256", claims);
  DATAMCP_ASSIGN_OR_RETURN(std::string sig, RsaSha256(input, key.get()));
  return input + "." + Base64UrlEncode(sig);
}

Status CheckRsaPrivateKeyPem(const Secret& pem) { return LoadRsaKey(pem).status(); }

}  // namespace datamcp
