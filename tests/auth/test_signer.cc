#include "tests/auth/test_signer.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "bot/auth/jws.h"
#include "gitops/common/digest.h"
#include "gitops/common/encoding.h"

namespace datamcp::bot::testing {
namespace {

std::string Pem(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, pkey);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return pem;
}

KeyPair Wrap(EVP_PKEY* pkey) {
  if (pkey == nullptr) throw std::runtime_error("key generation failed");
  return {std::shared_ptr<evp_pkey_st>(pkey, EVP_PKEY_free), Pem(pkey)};
}

std::string Input(const nlohmann::json& header, const nlohmann::json& claims) {
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
}

std::string DigestSign(const std::string& input, const KeyPair& key) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.pkey.get());
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("signing failed");
  }
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return sig;
}

}  // namespace

KeyPair GenerateRsa2048() { return Wrap(EVP_RSA_gen(2048)); }
KeyPair GenerateP256() { return Wrap(EVP_EC_gen("P-256")); }

std::string SignHs256(const nlohmann::json& header, const nlohmann::json& claims,
                      const std::string& key) {
  std::string input = Input(header, claims);
  return input + "." + Base64UrlEncode(HmacSha256Of(Secret(key), input).value());
}

std::string SignRs256(const nlohmann::json& header, const nlohmann::json& claims,
                      const KeyPair& key) {
  std::string input = Input(header, claims);
  return input + "." + Base64UrlEncode(DigestSign(input, key));
}

std::string SignEs256(const nlohmann::json& header, const nlohmann::json& claims,
                      const KeyPair& key) {
  std::string input = Input(header, claims);
  std::string der = DigestSign(input, key);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  unsigned char raw[64];
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
  ECDSA_SIG_free(sig);
  return input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(raw), 64));
}

std::string Unsigned(const nlohmann::json& header, const nlohmann::json& claims) {
  return Input(header, claims) + ".";
}

}  // namespace datamcp::bot::testing
