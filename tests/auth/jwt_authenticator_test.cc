#include "bot/auth/jwt_authenticator.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gitops/common/encoding.h"
#include "gitops/config/config.h"
#include "tests/auth/test_signer.h"

namespace datamcp::bot {
namespace {

using nlohmann::json;
using testing::KeyPair;
using testing::SignEs256;
using testing::SignHs256;
using testing::SignRs256;

constexpr long long kNow = 1'700'000'000;  // ManualClock's default start
const std::string kSecret = "an-hs256-secret-that-is-32-bytes+";
const json kHs = {{"alg", "HS256"}, {"typ", "JWT"}};

json Claims() { return {{"sub", "alice"}, {"scope", "plans:read env:dev"}, {"exp", kNow + 600}}; }

const KeyPair& Rsa() {
  static const KeyPair key = testing::GenerateRsa2048();
  return key;
}
const KeyPair& Ec() {
  static const KeyPair key = testing::GenerateP256();
  return key;
}

class JwtAuthenticatorTest : public ::testing::Test {
 protected:
  std::unique_ptr<JwtAuthenticator> Hs(JwtOptions o = {}) {
    o.hs256_secret = Secret(kSecret);
    return Build(std::move(o));
  }
  std::unique_ptr<JwtAuthenticator> Build(JwtOptions o) {
    auto auth = JwtAuthenticator::Create(std::move(o), clock_);
    if (!auth.ok()) throw std::runtime_error(auth.status().ToString());
    return std::move(auth).value();
  }
  Status Reject(const JwtAuthenticator& auth, const std::string& token) {
    auto r = auth.Authenticate(token);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return Status::Ok();
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
    // The reason never echoes the token or any of its segments.
    for (std::size_t i = 0; i + 8 <= token.size(); i += 8) {
      EXPECT_EQ(r.status().message().find(token.substr(i, 8)), std::string::npos);
    }
    return r.status();
  }
  ManualClock clock_;
};

TEST_F(JwtAuthenticatorTest, AcceptsValidHs256TokenWithSpaceSeparatedScope) {
  auto p = Hs()->Authenticate(SignHs256(kHs, Claims(), kSecret));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->subject, "alice");
  EXPECT_EQ(p->scopes, (std::vector<std::string>{"plans:read", "env:dev"}));
  EXPECT_TRUE(p->HasScope("env:dev"));
  EXPECT_FALSE(p->HasScope("env:prod"));
}

TEST_F(JwtAuthenticatorTest, AcceptsScopesArrayAndMergesWithScope) {
  json c = Claims();
  c["scopes"] = {"audit:read", "env:dev"};
  auto p = Hs()->Authenticate(SignHs256(kHs, c, kSecret));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->scopes, (std::vector<std::string>{"plans:read", "env:dev", "audit:read"}));
}

TEST_F(JwtAuthenticatorTest, RejectsAlgNone) {
  auto auth = Hs();
  EXPECT_EQ(Reject(*auth, testing::Unsigned({{"alg", "none"}}, Claims())),
            Unauthenticated("token is unsigned"));
  std::string with_sig = testing::Unsigned({{"alg", "none"}}, Claims()) + "AAAA";
  EXPECT_EQ(Reject(*auth, with_sig), Unauthenticated("token algorithm not accepted"));
  EXPECT_EQ(Reject(*auth, SignHs256({{"alg", "None"}}, Claims(), kSecret)),
            Unauthenticated("token algorithm not accepted"));
}

TEST_F(JwtAuthenticatorTest, RejectsHs256TokenMacedWithThePublicKeyPemOnRs256Verifier) {
  JwtOptions o;
  o.algorithm = JwsAlgorithm::kRs256;
  o.public_key_pem = Rsa().public_pem;
  auto auth = Build(o);
  EXPECT_TRUE(auth->Authenticate(SignRs256({{"alg", "RS256"}}, Claims(), Rsa())).ok());
  // The classic confusion: HMAC keyed with the public key's PEM bytes.
  EXPECT_EQ(Reject(*auth, SignHs256({{"alg", "HS256"}}, Claims(), Rsa().public_pem)),
            Unauthenticated("token algorithm not accepted"));
  // Same MAC under a header that claims RS256: the RSA check fails.
  std::string forged = SignHs256({{"alg", "RS256"}}, Claims(), Rsa().public_pem);
  EXPECT_EQ(Reject(*auth, forged), Unauthenticated("signature invalid"));
}

TEST_F(JwtAuthenticatorTest, RejectsOtherAlgorithmsThanConfigured) {
  auto hs = Hs();
  EXPECT_EQ(Reject(*hs, SignRs256({{"alg", "RS256"}}, Claims(), Rsa())),
            Unauthenticated("token algorithm not accepted"));
  JwtOptions o;
  o.algorithm = JwsAlgorithm::kRs256;
  o.public_key_pem = Rsa().public_pem;
  EXPECT_EQ(Reject(*Build(o), SignEs256({{"alg", "ES256"}}, Claims(), Ec())),
            Unauthenticated("token algorithm not accepted"));
  EXPECT_EQ(Reject(*hs, SignHs256({{"typ", "JWT"}}, Claims(), kSecret)),
            Unauthenticated("token header has no alg"));
}

TEST_F(JwtAuthenticatorTest, RejectsBadSignature) {
  auto auth = Hs();
  std::string token = SignHs256(kHs, Claims(), kSecret);
  std::size_t i = token.rfind('.') + 10;
  token[i] = token[i] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Reject(*auth, token), Unauthenticated("signature invalid"));
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, Claims(), kSecret + "x")),
            Unauthenticated("signature invalid"));
  std::string truncated = SignHs256(kHs, Claims(), kSecret);
  truncated.resize(truncated.size() - 4);
  EXPECT_EQ(Reject(*auth, truncated), Unauthenticated("signature invalid"));
}

TEST_F(JwtAuthenticatorTest, ExpiryHonoursClockSkewAtTheBoundary) {
  auto auth = Hs();  // skew 60 s
  json c = Claims();
  c["exp"] = kNow - 59;
  EXPECT_TRUE(auth->Authenticate(SignHs256(kHs, c, kSecret)).ok());
  c["exp"] = kNow - 60;
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("token expired"));
  c["exp"] = kNow + 600;
  std::string token = SignHs256(kHs, c, kSecret);
  clock_.Advance(std::chrono::seconds(660));
  EXPECT_EQ(Reject(*auth, token), Unauthenticated("token expired"));
}

TEST_F(JwtAuthenticatorTest, RejectsTokenNotYetValid) {
  auto auth = Hs();
  json c = Claims();
  c["nbf"] = kNow + 60;
  EXPECT_TRUE(auth->Authenticate(SignHs256(kHs, c, kSecret)).ok());
  c["nbf"] = kNow + 61;
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("token not yet valid"));
}

TEST_F(JwtAuthenticatorTest, RejectsIatInTheFutureBeyondSkew) {
  JwtOptions o;
  o.clock_skew_seconds = 5;
  auto auth = Hs(o);
  json c = Claims();
  c["iat"] = kNow + 5;
  EXPECT_TRUE(auth->Authenticate(SignHs256(kHs, c, kSecret)).ok());
  c["iat"] = kNow + 6;
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)),
            Unauthenticated("token issued in the future"));
}

TEST_F(JwtAuthenticatorTest, RequiresNumericExp) {
  auto auth = Hs();
  json c = Claims();
  c.erase("exp");
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("token has no exp claim"));
  c["exp"] = std::to_string(kNow + 600);
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)),
            Unauthenticated("exp claim is not a number"));
  c["exp"] = kNow + 600;
  c["nbf"] = "soon";
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)),
            Unauthenticated("nbf claim is not a number"));
}

TEST_F(JwtAuthenticatorTest, ChecksIssuerWhenConfigured) {
  JwtOptions o;
  o.issuer = "https://issuer.example";
  auto auth = Hs(o);
  json c = Claims();
  c["iss"] = "https://issuer.example";
  EXPECT_TRUE(auth->Authenticate(SignHs256(kHs, c, kSecret)).ok());
  c["iss"] = "https://evil.example";
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("issuer mismatch"));
  c.erase("iss");
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("issuer mismatch"));
}

TEST_F(JwtAuthenticatorTest, ChecksAudienceAsStringOrArray) {
  JwtOptions o;
  o.audiences = {"https://datamcp.example/mcp"};
  auto auth = Hs(o);
  json c = Claims();
  c["aud"] = "https://datamcp.example/mcp";
  EXPECT_TRUE(auth->Authenticate(SignHs256(kHs, c, kSecret)).ok());
  c["aud"] = {"https://other.example", "https://datamcp.example/mcp"};
  EXPECT_TRUE(auth->Authenticate(SignHs256(kHs, c, kSecret)).ok());
  c["aud"] = {"https://other.example"};
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("audience mismatch"));
  c["aud"] = "https://datamcp.example";
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("audience mismatch"));
  c.erase("aud");
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("audience mismatch"));
}

// Finding 7 of issue #11: with auth.audience unset no audience was checked, and a token
// without iat living 100 years was accepted.
TEST_F(JwtAuthenticatorTest, ConfigDefaultsTheAudienceToThePublicUrlAndBoundsTheLifetime) {
  config::AuthConfig cfg;
  cfg.hs256_secret = Secret(kSecret);
  auto o = JwtOptionsFromConfig(cfg, "https://datamcp.example");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->max_lifetime_seconds, 90 * 24 * 3600);
  auto auth = Hs(*o);
  json c = Claims();
  c["iat"] = kNow;
  c["aud"] = "https://datamcp.example";
  EXPECT_TRUE(auth->Authenticate(SignHs256(kHs, c, kSecret)).ok());
  c["aud"] = "https://datamcp.example/mcp";  // the RFC 9728 resource is accepted too
  EXPECT_TRUE(auth->Authenticate(SignHs256(kHs, c, kSecret)).ok());
  c["aud"] = "https://other-service.example";
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("audience mismatch"));
  c.erase("aud");
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("audience mismatch"));

  c["aud"] = "https://datamcp.example";
  c["exp"] = kNow + 100LL * 365 * 24 * 3600;
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)),
            Unauthenticated("token lifetime (exp - iat) of 3153600000 s exceeds "
                            "auth.max_token_lifetime (7776000 s)"));
  c.erase("iat");
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)),
            Unauthenticated("token has no iat claim; tokens must say when they were issued"));
  c["exp"] = kNow + 600;
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)),
            Unauthenticated("token has no iat claim; tokens must say when they were issued"));

  cfg.audience = "https://explicit.example";
  cfg.max_token_lifetime = "soon";
  EXPECT_NE(JwtOptionsFromConfig(cfg, "https://datamcp.example")
                .status()
                .message()
                .find("auth.max_token_lifetime"),
            std::string::npos);
  cfg.max_token_lifetime = "1h";
  auto explicit_aud = JwtOptionsFromConfig(cfg, "https://datamcp.example");
  ASSERT_TRUE(explicit_aud.ok());
  EXPECT_EQ(explicit_aud->audiences, std::vector<std::string>{"https://explicit.example"});
  EXPECT_EQ(explicit_aud->max_lifetime_seconds, 3600);
}

TEST_F(JwtAuthenticatorTest, RejectsScopeClaimsOfTheWrongShape) {
  auto auth = Hs();
  auto with = [&](const char* name, json value) {
    json c = Claims();
    c.erase("scope");
    c[name] = std::move(value);
    return Reject(*auth, SignHs256(kHs, c, kSecret)).message();
  };
  EXPECT_EQ(with("scope", 5), "invalid scope claim: scope must be a space-separated string");
  EXPECT_EQ(with("scope", json::array({"a"})),
            "invalid scope claim: scope must be a space-separated string");
  EXPECT_EQ(with("scopes", "a b"), "invalid scope claim: scopes must be an array of strings");
  EXPECT_EQ(with("scopes", json::array({"a", 1})),
            "invalid scope claim: scopes must be an array of strings");
  EXPECT_EQ(with("scopes", json::array({"a\"b"})),
            "invalid scope claim: scopes holds a character not allowed");
}

TEST_F(JwtAuthenticatorTest, RequiresSubject) {
  auto auth = Hs();
  json c = Claims();
  c["sub"] = "";
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("token has no sub claim"));
  c["sub"] = 42;
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("token has no sub claim"));
  c["sub"] = "alice\nRequested-by: root";
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)),
            Unauthenticated("sub claim holds control characters"));
  c["sub"] = "j\u00f6rg";
  EXPECT_EQ(Hs()->Authenticate(SignHs256(kHs, c, kSecret))->subject, "j\u00f6rg");
}

TEST_F(JwtAuthenticatorTest, RejectsOversizedTokenBeforeDecoding) {
  JwtOptions o;
  o.max_token_bytes = 256;
  auto auth = Hs(o);
  json c = Claims();
  c["pad"] = std::string(300, 'x');
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, c, kSecret)), Unauthenticated("token too large"));
  EXPECT_EQ(Reject(*auth, std::string(257, '!')), Unauthenticated("token too large"));
  EXPECT_EQ(Reject(*auth, std::string(256, '!')), Unauthenticated("malformed token"));
}

TEST_F(JwtAuthenticatorTest, RejectsMalformedSegments) {
  auto auth = Hs();
  std::string good = SignHs256(kHs, Claims(), kSecret);
  std::string h = good.substr(0, good.find('.'));
  EXPECT_EQ(auth->Authenticate("").status(), Unauthenticated("missing bearer token"));
  for (const std::string& bad :
       {std::string("abc"), std::string("a.b"), good + ".x", good + ".x.y", "." + good, h + "..sig",
        "." + good.substr(good.find('.') + 1), h + ".e30=.AAAA", h + ".e3 0.AAAA", h + ".e30.AA+A",
        "e30!" + good.substr(good.find('.'))}) {
    EXPECT_EQ(Reject(*auth, bad), Unauthenticated("malformed token")) << bad;
  }
  std::string not_json = Base64UrlEncode("not json") + good.substr(good.find('.'));
  EXPECT_EQ(Reject(*auth, not_json), Unauthenticated("token header is not a JSON object"));
  std::string array = Base64UrlEncode("[\"HS256\"]") + good.substr(good.find('.'));
  EXPECT_EQ(Reject(*auth, array), Unauthenticated("token header is not a JSON object"));
  json payload_array = json::array({1});
  EXPECT_EQ(Reject(*auth, SignHs256(kHs, payload_array, kSecret)),
            Unauthenticated("token payload is not a JSON object"));
}

TEST_F(JwtAuthenticatorTest, DeeplyNestedHeaderWithinTheSizeLimitIsJustRejected) {
  std::string header = std::string(2000, '[') + std::string(2000, ']');
  std::string token = Base64UrlEncode(header) + ".e30.AAAA";
  EXPECT_EQ(Reject(*Hs(), token), Unauthenticated("token header is not a JSON object"));
}

TEST_F(JwtAuthenticatorTest, RejectsCritHeader) {
  json header = {{"alg", "HS256"}, {"crit", {"exp"}}};
  EXPECT_EQ(Reject(*Hs(), SignHs256(header, Claims(), kSecret)),
            Unauthenticated("token header has unsupported crit"));
}

std::string RsaJwks(const std::vector<std::pair<std::string, const KeyPair*>>& keys) {
  json doc = {{"keys", json::array()}};
  for (const auto& [kid, key] : keys) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(key->pkey.get(), "n", &n);
    EVP_PKEY_get_bn_param(key->pkey.get(), "e", &e);
    std::string nb(BN_num_bytes(n), '\0'), eb(BN_num_bytes(e), '\0');
    BN_bn2bin(n, reinterpret_cast<unsigned char*>(nb.data()));
    BN_bn2bin(e, reinterpret_cast<unsigned char*>(eb.data()));
    BN_free(n);
    BN_free(e);
    doc["keys"].push_back({{"kty", "RSA"},
                           {"kid", kid},
                           {"use", "sig"},
                           {"n", Base64UrlEncode(nb)},
                           {"e", Base64UrlEncode(eb)}});
  }
  return doc.dump();
}

TEST_F(JwtAuthenticatorTest, SelectsJwksKeyByKidAndRejectsUnknownKid) {
  static const KeyPair other = testing::GenerateRsa2048();
  JwtOptions o;
  o.algorithm = JwsAlgorithm::kRs256;
  o.jwks_json = RsaJwks({{"k1", &Rsa()}, {"k2", &other}});
  auto auth = Build(o);
  EXPECT_TRUE(
      auth->Authenticate(SignRs256({{"alg", "RS256"}, {"kid", "k1"}}, Claims(), Rsa())).ok());
  EXPECT_TRUE(
      auth->Authenticate(SignRs256({{"alg", "RS256"}, {"kid", "k2"}}, Claims(), other)).ok());
  EXPECT_EQ(Reject(*auth, SignRs256({{"alg", "RS256"}, {"kid", "k2"}}, Claims(), Rsa())),
            Unauthenticated("signature invalid"));
  EXPECT_EQ(Reject(*auth, SignRs256({{"alg", "RS256"}, {"kid", "k9"}}, Claims(), Rsa())),
            Unauthenticated("unknown key id"));
  EXPECT_EQ(Reject(*auth, SignRs256({{"alg", "RS256"}}, Claims(), Rsa())),
            Unauthenticated("token has no kid and several keys are configured"));
  EXPECT_EQ(Reject(*auth, SignRs256({{"alg", "RS256"}, {"kid", 1}}, Claims(), Rsa())),
            Unauthenticated("token kid is not a string"));
}

TEST_F(JwtAuthenticatorTest, Es256RoundTripAndSignatureShape) {
  JwtOptions o;
  o.algorithm = JwsAlgorithm::kEs256;
  o.public_key_pem = Ec().public_pem;
  auto auth = Build(o);
  std::string token = SignEs256({{"alg", "ES256"}}, Claims(), Ec());
  ASSERT_TRUE(auth->Authenticate(token).ok());
  // A DER signature (what OpenSSL emits) is not a JWS ES256 signature.
  std::string input = token.substr(0, token.rfind('.'));
  std::string raw = Base64UrlDecode(token.substr(token.rfind('.') + 1)).value();
  EXPECT_EQ(raw.size(), 64u);
  EXPECT_EQ(Reject(*auth, input + "." + Base64UrlEncode(raw.substr(0, 63))),
            Unauthenticated("signature invalid"));
  EXPECT_EQ(Reject(*auth, input + "." + Base64UrlEncode(std::string(64, '\0'))),
            Unauthenticated("signature invalid"));
}

TEST_F(JwtAuthenticatorTest, IsSafeToShareAcrossThreads) {
  JwtOptions o;
  o.algorithm = JwsAlgorithm::kEs256;
  o.public_key_pem = Ec().public_pem;
  auto auth = Build(o);
  std::string good = SignEs256({{"alg", "ES256"}}, Claims(), Ec());
  std::string bad = SignEs256({{"alg", "ES256"}}, Claims(), testing::GenerateP256());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!auth->Authenticate(good).ok() || auth->Authenticate(bad).ok()) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(JwtAuthenticatorTest, FactoryRejectsBadOptionsNamingTheKey) {
  auto error = [&](JwtOptions o) {
    auto r = JwtAuthenticator::Create(std::move(o), clock_);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    return r.ok() ? std::string() : r.status().message();
  };
  JwtOptions o;
  o.hs256_secret = Secret(std::string(31, 'x'));
  EXPECT_NE(error(o).find("auth.hs256_secret"), std::string::npos);
  o.hs256_secret = Secret(kSecret);
  o.public_key_pem = Rsa().public_pem;
  EXPECT_NE(error(o).find("auth.algorithm is HS256"), std::string::npos);

  JwtOptions rs;
  rs.algorithm = JwsAlgorithm::kRs256;
  EXPECT_NE(error(rs).find("auth.public_key_file"), std::string::npos);
  rs.public_key_pem = "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n";
  EXPECT_NE(error(rs).find("auth.public_key_file"), std::string::npos);
  rs.public_key_pem = Ec().public_pem;  // an EC key for RS256
  EXPECT_NE(error(rs).find("not an RSA key"), std::string::npos);
  rs.public_key_pem.clear();
  rs.jwks_json = "{\"keys\": 5}";
  EXPECT_NE(error(rs).find("auth.jwks_file"), std::string::npos);
  rs.jwks_json = R"({"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]})";
  EXPECT_NE(error(rs).find("no key usable for RS256"), std::string::npos);
  rs.jwks_json = R"({"keys":[{"kty":"RSA","n":"AQAB=","e":"AQAB"}]})";
  EXPECT_NE(error(rs).find("keys[0]"), std::string::npos);

  JwtOptions skew;
  skew.hs256_secret = Secret(kSecret);
  skew.clock_skew_seconds = -1;
  EXPECT_NE(error(skew).find("auth.clock_skew_seconds"), std::string::npos);
  skew.clock_skew_seconds = 0;
  skew.max_token_bytes = 0;
  EXPECT_NE(error(skew).find("auth.max_token_bytes"), std::string::npos);
}

TEST_F(JwtAuthenticatorTest, FactoryRejectsShortRsaAndOffCurveEcKeys) {
  KeyPair small{std::shared_ptr<evp_pkey_st>(EVP_RSA_gen(1024), EVP_PKEY_free), ""};
  JwtOptions rs;
  rs.algorithm = JwsAlgorithm::kRs256;
  rs.jwks_json = RsaJwks({{"small", &small}});
  auto r = JwtAuthenticator::Create(rs, clock_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("2048"), std::string::npos);

  JwtOptions es;
  es.algorithm = JwsAlgorithm::kEs256;
  std::string x = Base64UrlEncode(std::string(31, '\0') + "\x01");
  es.jwks_json = json{{"keys", {{{"kty", "EC"}, {"crv", "P-256"}, {"x", x}, {"y", x}}}}}.dump();
  auto e = JwtAuthenticator::Create(es, clock_);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("auth.jwks_file"), std::string::npos);
}

TEST(JwtOptionsFromConfig, ReadsKeyFilesAndNamesMissingOnes) {
  auto dir =
      std::filesystem::temp_directory_path() / ("datamcp-auth-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "key.pem") << Rsa().public_pem;
  config::AuthConfig cfg;
  cfg.algorithm = "RS256";
  cfg.public_key_file = (dir / "key.pem").string();
  cfg.issuer = "iss";
  auto o = JwtOptionsFromConfig(cfg, "http://127.0.0.1:8080");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->algorithm, JwsAlgorithm::kRs256);
  EXPECT_EQ(o->public_key_pem, Rsa().public_pem);
  EXPECT_EQ(o->issuer, "iss");

  cfg.jwks_file = (dir / "missing.json").string();
  EXPECT_NE(JwtOptionsFromConfig(cfg, "http://x").status().message().find("auth.jwks_file"),
            std::string::npos);
  cfg.algorithm = "none";
  EXPECT_NE(JwtOptionsFromConfig(cfg, "http://x").status().message().find("auth.algorithm"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace datamcp::bot
