// GitHub Actions OIDC tokens for POST /ci/promote: RSA keys generated here with OpenSSL, the
// JWK Set served by a real HTTP server on 127.0.0.1, the real claim names GitHub sends.
#include "bot/auth/ci_token.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "bot/auth/jwks_fetch.h"
#include "gitops/common/encoding.h"
#include "tests/auth/test_signer.h"

namespace datamcp::bot {
namespace {

using nlohmann::json;
using testing::KeyPair;
using testing::SignRs256;

constexpr long long kNow = 1'700'000'000;  // ManualClock's default start
const std::string kAudience = "https://datamcp.example.com";

std::string BigNumParam(const KeyPair& key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key.pkey.get(), name, &bn), 1);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return Base64UrlEncode(bytes);
}

json Jwk(const KeyPair& key, const std::string& kid) {
  return {{"kty", "RSA"},
          {"alg", "RS256"},
          {"use", "sig"},
          {"kid", kid},
          {"n", BigNumParam(key, OSSL_PKEY_PARAM_RSA_N)},
          {"e", BigNumParam(key, OSSL_PKEY_PARAM_RSA_E)}};
}

const KeyPair& KeyA() {
  static const KeyPair key = testing::GenerateRsa2048();
  return key;
}
const KeyPair& KeyB() {
  static const KeyPair key = testing::GenerateRsa2048();
  return key;
}

// The claims of a GitHub Actions job token (names as GitHub documents them).
json GithubClaims() {
  return {{"iss", kGithubActionsIssuer},
          {"aud", kAudience},
          {"sub", "repo:acme/events-api:environment:production"},
          {"repository", "acme/events-api"},
          {"repository_owner", "acme"},
          {"job_workflow_ref", "acme/events-api/.github/workflows/release.yml@refs/heads/main"},
          {"workflow", "release"},
          {"ref", "refs/heads/main"},
          {"ref_type", "branch"},
          {"environment", "production"},
          {"event_name", "push"},
          {"actor", "octocat"},
          {"run_id", "4242"},
          {"run_attempt", "1"},
          {"iat", kNow - 10},
          {"nbf", kNow - 10},
          {"exp", kNow + 290}};
}

std::string Token(const json& claims, const KeyPair& key = KeyA(), const std::string& kid = "a") {
  return SignRs256({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid}}, claims, key);
}

// A JWKS endpoint on 127.0.0.1 whose document the test changes (key rotation).
class JwksServer {
 public:
  JwksServer() {
    server_.Get("/.well-known/jwks", [this](const httplib::Request&, httplib::Response& res) {
      ++hits_;
      std::lock_guard lock(mu_);
      res.set_content(doc_, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
  }
  ~JwksServer() {
    server_.stop();
    thread_.join();
  }
  void Serve(const json& doc) {
    std::lock_guard lock(mu_);
    doc_ = doc.dump();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/.well-known/jwks";
  }
  int hits() const { return hits_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::string doc_ = "{\"keys\":[]}";
  std::atomic<int> hits_{0};
};

class CiTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Serve({{"keys", json::array({Jwk(KeyA(), "a")})}});
    cache_ = std::make_unique<JwksCache>(MakeJwksFetch({"", server_.url(), "", "ci.jwks_url"}),
                                         clock_, JwksCache::Options{});
    ASSERT_TRUE(cache_->Load().ok());
    CiTokenOptions options;
    options.audiences = {kAudience};
    verifier_ = std::make_unique<CiTokenVerifier>(options, *cache_, clock_);
  }
  std::string Refused(const std::string& token) {
    auto r = verifier_->Verify(token);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
    return r.status().message();
  }

  ManualClock clock_;
  JwksServer server_;
  std::unique_ptr<JwksCache> cache_;
  std::unique_ptr<CiTokenVerifier> verifier_;
};

TEST_F(CiTokenTest, AcceptsAGithubActionsTokenAndReadsItsClaims) {
  auto who = verifier_->Verify(Token(GithubClaims()));
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->repository, "acme/events-api");
  EXPECT_EQ(who->job_workflow_ref, "acme/events-api/.github/workflows/release.yml@refs/heads/main");
  EXPECT_EQ(who->ref, "refs/heads/main");
  EXPECT_EQ(who->environment, "production");
  EXPECT_EQ(who->actor, "octocat");
  EXPECT_EQ(who->run_id, "4242");
  EXPECT_EQ(server_.hits(), 1);  // the keys were fetched once, at Load
}

TEST_F(CiTokenTest, RefusesAnotherAudience) {
  json c = GithubClaims();
  c["aud"] = "https://other.example.com";
  EXPECT_EQ(Refused(Token(c)), "audience mismatch");
}

TEST_F(CiTokenTest, RefusesAnExpiredToken) {
  json c = GithubClaims();
  c["exp"] = kNow - 120;
  EXPECT_EQ(Refused(Token(c)), "token expired");
}

TEST_F(CiTokenTest, RefusesATokenNotYetValidOrIssuedInTheFuture) {
  json c = GithubClaims();
  c["nbf"] = kNow + 600;
  c["exp"] = kNow + 900;
  EXPECT_EQ(Refused(Token(c)), "token not yet valid");
  c = GithubClaims();
  c["iat"] = kNow + 600;
  EXPECT_EQ(Refused(Token(c)), "token issued in the future");
}

TEST_F(CiTokenTest, RefusesAnotherIssuerAndADayLongToken) {
  json c = GithubClaims();
  c["iss"] = "https://evil.example.com";
  EXPECT_EQ(Refused(Token(c)), "issuer mismatch");
  c = GithubClaims();
  c["exp"] = kNow + 86400;
  EXPECT_NE(Refused(Token(c)).find("lifetime"), std::string::npos);
}

TEST_F(CiTokenTest, RefusesAKeyOutsideTheSetAndATamperedSignature) {
  EXPECT_EQ(Refused(Token(GithubClaims(), KeyB(), "a")), "signature invalid");
  std::string t = Token(GithubClaims());
  t[t.size() - 5] = t[t.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Refused(t), "signature invalid");
  EXPECT_EQ(Refused(testing::SignHs256({{"alg", "HS256"}, {"kid", "a"}}, GithubClaims(),
                                       "a-secret-of-32-bytes-or-more-....")),
            "token algorithm not accepted");
}

TEST_F(CiTokenTest, RefusesATokenWithoutRepositoryOrWorkflowClaims) {
  json c = GithubClaims();
  c.erase("job_workflow_ref");
  EXPECT_NE(Refused(Token(c)).find("job_workflow_ref"), std::string::npos);
  c = GithubClaims();
  c["repository"] = "acme/x\nDatamcp-Tool: forged";
  EXPECT_NE(Refused(Token(c)).find("control characters"), std::string::npos);
}

TEST_F(CiTokenTest, FollowsKeyRotationWithOneFetchPerUnknownKidAndRefreshInterval) {
  // The issuer rotates to key b: the first token signed with it triggers one refetch.
  server_.Serve({{"keys", json::array({Jwk(KeyA(), "a"), Jwk(KeyB(), "b")})}});
  clock_.Advance(std::chrono::seconds(61));
  auto who = verifier_->Verify(Token(GithubClaims(), KeyB(), "b"));
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(server_.hits(), 2);
  // Made-up kids within the refresh interval cost no fetch at all.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Refused(Token(GithubClaims(), KeyB(), "nope-" + std::to_string(i))),
              "unknown key id");
  }
  EXPECT_EQ(server_.hits(), 2);
  // After the interval, one more fetch; still unknown.
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(Refused(Token(GithubClaims(), KeyB(), "nope")), "unknown key id");
  EXPECT_EQ(server_.hits(), 3);
}

TEST_F(CiTokenTest, KeepsTheLastGoodKeysWhenARefreshFails) {
  server_.Serve({{"not", "a jwks"}});
  clock_.Advance(std::chrono::seconds(3700));  // stale: refetched, fails, old keys kept
  json c = GithubClaims();
  c["iat"] = c["nbf"] = kNow + 3690;
  c["exp"] = kNow + 3990;
  auto who = verifier_->Verify(Token(c));
  EXPECT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(server_.hits(), 2);
}

TEST(JwksFetchTest, ReadsAFileAndNamesTheSettingWhenItCannot) {
  std::string path = ::testing::TempDir() + "/ci-jwks.json";
  std::ofstream(path) << json{{"keys", json::array({Jwk(KeyA(), "a")})}}.dump();
  ManualClock clock;
  JwksCache cache(MakeJwksFetch({path, "", "", "ci.jwks_file"}), clock, {});
  ASSERT_TRUE(cache.Load().ok());
  EXPECT_TRUE(cache.KeyFor("a").ok());
  JwksCache missing(MakeJwksFetch({path + ".absent", "", "", "ci.jwks_file"}), clock, {});
  Status s = missing.Load();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("ci.jwks_file"), std::string::npos) << s.message();
  std::filesystem::remove(path);
}

TEST(JwksFetchTest, AnUnreachableUrlIsUnavailableAndNamesTheUrl) {
  ManualClock clock;
  // Port 1 on loopback: nothing listens there.
  JwksCache cache(MakeJwksFetch({"", "http://127.0.0.1:1/jwks", "", "ci.jwks_url"}), clock, {});
  Status s = cache.Load();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("http://127.0.0.1:1/jwks"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace datamcp::bot
