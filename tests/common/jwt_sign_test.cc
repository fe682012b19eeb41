#include "gitops/common/jwt_sign.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "gitops/common/digest.h"
#include "gitops/common/encoding.h"

namespace datamcp {
namespace {

using nlohmann::json;

struct Parts {
  json header;
  json claims;
  std::string input;
  std::string signature;
};

Parts Split(const std::string& token) {
  std::size_t a = token.find('.'), b = token.rfind('.');
  Parts p;
  p.header = json::parse(Base64UrlDecode(token.substr(0, a)).value());
  p.claims = json::parse(Base64UrlDecode(token.substr(a + 1, b - a - 1)).value());
  p.input = token.substr(0, b);
  p.signature = Base64UrlDecode(token.substr(b + 1)).value();
  return p;
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string PrivatePem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

bool VerifiesRs256(EVP_PKEY* key, const Parts& p) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(p.signature.data()),
                          p.signature.size(),
                          reinterpret_cast<const unsigned char*>(p.input.data()),
                          p.input.size()) == 1;
}

TEST(JwtSignTest, Hs256TokenCarriesClaimsAndTheMacOfItsSigningInput) {
  Secret key(std::string(32, 'k'));
  auto token = SignJwtHs256(json{{"sub", "alice"}, {"exp", 1700000600}}, key);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  Parts p = Split(*token);
  EXPECT_EQ(p.header, (json{{"alg", "HS256"}, {"typ", "JWT"}}));
  EXPECT_EQ(p.claims["sub"], "alice");
  EXPECT_EQ(p.signature, HmacSha256Of(key, p.input).value());
  EXPECT_EQ(token->find('='), std::string::npos);  // base64url without padding
}

TEST(JwtSignTest, Rs256TokenVerifiesWithThePublicKey) {
  PkeyPtr key(EVP_RSA_gen(2048), EVP_PKEY_free);
  ASSERT_TRUE(key);
  Secret pem(PrivatePem(key.get()));
  EXPECT_TRUE(CheckRsaPrivateKeyPem(pem).ok());
  auto token = SignJwtRs256(json{{"iss", "123"}}, pem);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  Parts p = Split(*token);
  EXPECT_EQ(p.header, (json{{"alg", "RS256"}, {"typ", "JWT"}}));
  EXPECT_EQ(p.claims["iss"], "123");
  EXPECT_TRUE(VerifiesRs256(key.get(), p));
  p.input += "x";
  EXPECT_FALSE(VerifiesRs256(key.get(), p));
}

TEST(JwtSignTest, Rs256RefusesAKeyThatIsNotRsa) {
  PkeyPtr ec(EVP_EC_gen("P-256"), EVP_PKEY_free);
  ASSERT_TRUE(ec);
  for (const Secret& pem : {Secret("not a key"), Secret(PrivatePem(ec.get()))}) {
    auto token = SignJwtRs256(json{{"iss", "1"}}, pem);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(CheckRsaPrivateKeyPem(pem).ok());
  }
}

}  // namespace
}  // namespace datamcp
