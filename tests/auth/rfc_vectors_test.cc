// Published JWS test vectors, byte for byte: RFC 7515 Appendix A.1 (HS256), A.2 (RS256),
// A.3 (ES256) and RFC 7520 sections 4.1 (RS256) and 4.4 (HS256).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "bot/auth/jws.h"
#include "bot/auth/jwt_authenticator.h"
#include "gitops/common/clock.h"
#include "gitops/common/digest.h"
#include "gitops/common/encoding.h"

namespace datamcp::bot {
namespace {

using std::chrono::seconds;

// RFC 7515 A.1-A.3 share this payload; its exp is 1300819380 (2011-03-22T18:43:00Z).
constexpr char kA1Token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    "."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kA1Key[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr char kA1Header[] = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
constexpr char kA1Payload[] =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

constexpr char kA2Token[] =
    "eyJhbGciOiJSUzI1NiJ9"
    "."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7"
    "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
    "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"
    "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"
    "p0igcN_IoypGlUPQGe77Rw";
constexpr char kA2N[] =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm"
    "4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5"
    "rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGh"
    "yxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

constexpr char kA3Token[] =
    "eyJhbGciOiJFUzI1NiJ9"
    "."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
constexpr char kA3X[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kA3Y[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

// RFC 7520 section 4: payload "It’s a dangerous business, Frodo, ..." (U+2019 apostrophes).
constexpr char k7520Payload64[] =
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250"
    "byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hl"
    "cmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";
constexpr char k7520Payload[] =
    "It\xe2\x80\x99s a dangerous business, Frodo, going out your door. You step onto the road, "
    "and if you don't keep your feet, there\xe2\x80\x99s no knowing where you might be swept off "
    "to.";
constexpr char k7520RsaN[] =
    "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmS"
    "CpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-O"
    "fVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFA"
    "KwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw";
constexpr char k7520RsHeader64[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9";
constexpr char k7520RsSignature[] =
    "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xugl"
    "II7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x"
    "8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE"
    "_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";
constexpr char k7520HsHeader64[] =
    "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9";
constexpr char k7520HsSignature[] = "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";
constexpr char k7520HsKey[] = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";

const Clock::TimePoint kBeforeExp(seconds(1300819000));  // 380 s before the vectors' exp
const Clock::TimePoint kAfterExp(seconds(1300819380 + 3600));

std::string Jwks(std::vector<nlohmann::json> keys) {
  nlohmann::json doc = nlohmann::json::object();
  doc["keys"] = keys;
  return doc.dump();
}
nlohmann::json RsaJwk(const char* n, const char* kid) {
  nlohmann::json k = {{"kty", "RSA"}, {"n", n}, {"e", "AQAB"}};
  if (kid) k["kid"] = kid;
  return k;
}
nlohmann::json A3Jwk() { return {{"kty", "EC"}, {"crv", "P-256"}, {"x", kA3X}, {"y", kA3Y}}; }

std::unique_ptr<JwtAuthenticator> Make(JwtOptions o, const Clock& clock) {
  auto auth = JwtAuthenticator::Create(std::move(o), clock);
  if (!auth.ok()) throw std::runtime_error(auth.status().ToString());
  return std::move(auth).value();
}

std::unique_ptr<JwtAuthenticator> A1Authenticator(const Clock& clock) {
  JwtOptions o;
  o.hs256_secret = Secret(Base64UrlDecode(kA1Key).value());
  o.issuer = "joe";
  o.clock_skew_seconds = 0;
  return Make(std::move(o), clock);
}

// Changes one character of the payload segment, keeping valid base64url.
std::string TamperPayload(std::string token) {
  std::size_t i = token.find('.') + 5;
  token[i] = token[i] == 'A' ? 'B' : 'A';
  return token;
}

TEST(Rfc7515A1, DecodesToTheExactHeaderAndPayloadOctets) {
  auto jws = DecodeCompactJws(kA1Token, JwsAlgorithm::kHs256);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  EXPECT_EQ(Base64UrlDecode("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9").value(), kA1Header);
  EXPECT_EQ(jws->payload, kA1Payload);
  EXPECT_EQ(Base64UrlDecode(kA1Key)->size(), 64u);
}

TEST(Rfc7515A1, Hs256ExampleVerifiesBeforeExp) {
  ManualClock clock(kBeforeExp);
  auto auth = A1Authenticator(clock);
  auto claims = auth->VerifyClaims(kA1Token);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ((*claims)["iss"], "joe");
  EXPECT_EQ((*claims)["exp"], 1300819380);
  EXPECT_EQ((*claims)["http://example.com/is_root"], true);
}

TEST(Rfc7515A1, MacMatchesTheExampleSignatureByteForByte) {
  std::string input(kA1Token, std::string_view(kA1Token).rfind('.'));
  auto mac = HmacSha256Of(Secret(Base64UrlDecode(kA1Key).value()), input);
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(Base64UrlEncode(*mac), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST(Rfc7515A1, ExampleIsExpiredOnTheRealTimeline) {
  ManualClock clock(kAfterExp);
  auto auth = A1Authenticator(clock);
  EXPECT_EQ(auth->VerifyClaims(kA1Token).status(), Unauthenticated("token expired"));
}

TEST(Rfc7515A1, ExampleHasNoSubSoItIsNoPrincipal) {
  ManualClock clock(kBeforeExp);
  auto auth = A1Authenticator(clock);
  EXPECT_EQ(auth->Authenticate(kA1Token).status(), Unauthenticated("token has no sub claim"));
}

TEST(Rfc7515A1, TamperedPayloadFailsTheSignature) {
  ManualClock clock(kBeforeExp);
  auto auth = A1Authenticator(clock);
  EXPECT_EQ(auth->VerifyClaims(TamperPayload(kA1Token)).status(),
            Unauthenticated("signature invalid"));
}

TEST(Rfc7515A2, Rs256ExampleVerifiesWithKeyBuiltFromJwkNAndE) {
  ManualClock clock(kBeforeExp);
  JwtOptions o;
  o.algorithm = JwsAlgorithm::kRs256;
  o.jwks_json = Jwks({RsaJwk(kA2N, nullptr)});
  o.issuer = "joe";
  auto auth = Make(std::move(o), clock);
  auto claims = auth->VerifyClaims(kA2Token);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ((*claims)["iss"], "joe");
  EXPECT_EQ(auth->VerifyClaims(TamperPayload(kA2Token)).status(),
            Unauthenticated("signature invalid"));
}

TEST(Rfc7515A3, Es256ExampleVerifiesWithP256Jwk) {
  ManualClock clock(kBeforeExp);
  JwtOptions o;
  o.algorithm = JwsAlgorithm::kEs256;
  o.jwks_json = Jwks({A3Jwk()});
  auto auth = Make(std::move(o), clock);
  auto claims = auth->VerifyClaims(kA3Token);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ((*claims)["exp"], 1300819380);
  EXPECT_EQ(auth->VerifyClaims(TamperPayload(kA3Token)).status(),
            Unauthenticated("signature invalid"));
}

TEST(Rfc7515A3, Es256ExampleVerifiesWithTheSameKeyAsPem) {
  auto keys = ParseJwks(Jwks({A3Jwk()}), JwsAlgorithm::kEs256);
  ASSERT_TRUE(keys.ok());
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio, (*keys)[0].pkey.get()), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);

  ManualClock clock(kBeforeExp);
  JwtOptions o;
  o.algorithm = JwsAlgorithm::kEs256;
  o.public_key_pem = pem;
  auto auth = Make(std::move(o), clock);
  EXPECT_TRUE(auth->VerifyClaims(kA3Token).ok());
}

TEST(Rfc7520Section4_4, Hs256WithKidVerifies) {
  std::string token = std::string(k7520HsHeader64) + "." + k7520Payload64 + "." + k7520HsSignature;
  auto jws = DecodeCompactJws(token, JwsAlgorithm::kHs256);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  EXPECT_EQ(jws->kid, "018c0ae5-4d9b-471b-bfd6-eef314bc7037");
  EXPECT_EQ(jws->payload, k7520Payload);
  Secret key(Base64UrlDecode(k7520HsKey).value());
  EXPECT_TRUE(VerifyHs256(*jws, key).ok());
  EXPECT_EQ(Base64UrlEncode(HmacSha256Of(key, jws->signing_input).value()), k7520HsSignature);

  // Through the authenticator the signature passes; the payload is prose, not claims.
  ManualClock clock;
  JwtOptions o;
  o.hs256_secret = key;
  auto auth = Make(std::move(o), clock);
  EXPECT_EQ(auth->Authenticate(token).status(),
            Unauthenticated("token payload is not a JSON object"));
  EXPECT_EQ(auth->Authenticate(TamperPayload(token)).status(),
            Unauthenticated("signature invalid"));
}

TEST(Jwks, SkipsEntriesForOtherUsesAndAlgorithms) {
  nlohmann::json enc = RsaJwk(kA2N, "enc");
  enc["use"] = "enc";
  nlohmann::json rs512 = RsaJwk(kA2N, "rs512");
  rs512["alg"] = "RS512";
  nlohmann::json odd = RsaJwk(kA2N, "odd");
  odd["use"] = 1;
  nlohmann::json sig = RsaJwk(k7520RsaN, "sig");
  sig["use"] = "sig";
  sig["alg"] = "RS256";
  auto keys = ParseJwks(Jwks({enc, rs512, odd, A3Jwk(), sig}), JwsAlgorithm::kRs256);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kid, "sig");
  auto ec = ParseJwks(Jwks({enc, A3Jwk()}), JwsAlgorithm::kEs256);
  ASSERT_TRUE(ec.ok());
  EXPECT_EQ(ec->size(), 1u);
  auto dup = ParseJwks(Jwks({sig, sig}), JwsAlgorithm::kRs256);
  EXPECT_NE(dup.status().message().find("duplicate kid"), std::string::npos);
}

TEST(Rfc7520Section4_1, Rs256KeySelectedByKidFromAJwkSet) {
  std::string token = std::string(k7520RsHeader64) + "." + k7520Payload64 + "." + k7520RsSignature;
  auto keys = ParseJwks(
      Jwks({RsaJwk(kA2N, "rfc7515-a2"), RsaJwk(k7520RsaN, "bilbo.baggins@hobbiton.example")}),
      JwsAlgorithm::kRs256);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto jws = DecodeCompactJws(token, JwsAlgorithm::kRs256);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  EXPECT_EQ(jws->payload, k7520Payload);
  auto key = SelectKey(*keys, jws->kid);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->kid, "bilbo.baggins@hobbiton.example");
  EXPECT_TRUE(VerifyWithKey(*jws, JwsAlgorithm::kRs256, **key).ok());
  // The other key in the set must not verify it: selection matters.
  EXPECT_EQ(VerifyWithKey(*jws, JwsAlgorithm::kRs256, (*keys)[0]),
            Unauthenticated("signature invalid"));
}

}  // namespace
}  // namespace datamcp::bot
