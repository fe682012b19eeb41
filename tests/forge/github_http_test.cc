#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "gitops/common/utc_time.h"
#include "gitops/forge/github_app_token.h"
#include "gitops/forge/github_forge.h"
#include "tests/forge/github_test_util.h"

namespace datamcp::forge::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::vector<Clock::Duration> Ms(std::initializer_list<long long> ms) {
  std::vector<Clock::Duration> out;
  for (long long m : ms) out.push_back(milliseconds(m));
  return out;
}

class GithubHttpTest : public GithubFakeTest {
 protected:
  std::unique_ptr<GithubForge> AppForge(const RsaKeyPair& keys, const std::string& id = "4242") {
    Control("config", {{"app", {{"id", 4242}, {"public_key_pem", keys.public_pem}}}});
    GithubAuth auth;
    auth.app_id = id;
    auth.installation_id = "99";
    auth.app_private_key_pem = Secret(keys.private_pem);
    auto forge = GithubForge::Create(Options(), auth, clock_);
    EXPECT_TRUE(forge.ok()) << forge.status().ToString();
    return forge.ok() ? std::move(forge).value() : nullptr;
  }
  int Exchanges() { return State()["exchanges"]; }
};

TEST_F(GithubHttpTest, Retries5xxWithExponentialBackoff) {
  auto forge = TokenForge();
  Control("fail-next", {{"status", 502}, {"count", 2}});
  auto perm = forge->GetPermission("alice");
  ASSERT_TRUE(perm.ok()) << perm.status().ToString();
  EXPECT_EQ(clock_.sleeps(), Ms({1000, 2000}));
  EXPECT_EQ(Requests("GET", "/permission").size(), 3u);
}

TEST_F(GithubHttpTest, GivesUpAfterMaxAttempts) {
  auto forge = TokenForge();
  Control("fail-next", {{"status", 503}, {"count", 10}});
  auto perm = forge->GetPermission("alice");
  EXPECT_EQ(perm.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(perm.status().message().find("503"), std::string::npos);
  EXPECT_EQ(clock_.sleeps(), Ms({1000, 2000, 4000, 8000}));
  EXPECT_EQ(Requests("GET", "/permission").size(), 5u);
}

TEST_F(GithubHttpTest, ConnectionErrorsAreRetriedThenUnavailable) {
  GithubForgeOptions options = Options();
  options.http.api_url = "http://127.0.0.1:1";  // nothing listens on port 1
  options.http.max_attempts = 3;
  GithubAuth auth;
  auth.token = Secret("test-token");
  auto forge = GithubForge::Create(options, auth, clock_);
  ASSERT_TRUE(forge.ok());
  auto pr = (*forge)->GetPullRequest(1);
  EXPECT_EQ(pr.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(pr.status().message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_EQ(clock_.sleeps(), Ms({1000, 2000}));
}

TEST_F(GithubHttpTest, WaitsOutSecondaryRateLimitRetryAfter) {
  auto forge = TokenForge();
  Control("fail-next", {{"status", 403},
                        {"headers", {{"Retry-After", "30"}}},
                        {"body", {{"message", "You have exceeded a secondary rate limit"}}}});
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  EXPECT_EQ(clock_.sleeps(), Ms({30000}));
}

TEST_F(GithubHttpTest, SecondaryRateLimitWithoutHeadersWaitsAMinute) {
  auto forge = TokenForge();
  Control("fail-next",
          {{"status", 403},
           {"body", {{"message", "You have exceeded a secondary rate limit. Please wait."}}}});
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  EXPECT_EQ(clock_.sleeps(), Ms({60000}));
}

TEST_F(GithubHttpTest, WaitsUntilPrimaryRateLimitResets) {
  auto forge = TokenForge();
  long long reset = clock_.UnixSeconds() + 20;
  Control(
      "fail-next",
      {{"status", 403},
       {"headers", {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", std::to_string(reset)}}},
       {"body", {{"message", "API rate limit exceeded"}}}});
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  EXPECT_EQ(clock_.sleeps(), Ms({21000}));
}

TEST_F(GithubHttpTest, RateLimitResettingTooLateIsResourceExhausted) {
  auto forge = TokenForge();
  long long reset = clock_.UnixSeconds() + 3600;
  Control("fail-next",
          {{"status", 429},
           {"headers",
            {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", std::to_string(reset)}}}});
  auto perm = forge->GetPermission("alice");
  EXPECT_EQ(perm.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(perm.status().message().find("2023-11-14T23:13:20Z"), std::string::npos)
      << perm.status().message();
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(GithubHttpTest, PlainForbiddenIsNotARateLimit) {
  auto forge = TokenForge();
  Control("fail-next", {{"status", 403}, {"body", {{"message", "Resource not accessible"}}}});
  auto perm = forge->GetPermission("alice");
  EXPECT_EQ(perm.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(perm.status().message().find("Resource not accessible"), std::string::npos);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(GithubHttpTest, EnterpriseApiPrefixIsUsedForCallsAndPages) {
  Control("config", {{"basePath", "/api/v3"}, {"maxPerPage", 1}});
  auto forge = TokenForge("/api/v3/");
  ASSERT_TRUE(forge->OpenOrReusePullRequest({"a", "main", "A", ""}).ok());
  ASSERT_TRUE(forge->OpenOrReusePullRequest({"b", "main", "B", ""}).ok());
  auto open = forge->ListOpenPullRequests();
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(open->size(), 2u);
  EXPECT_FALSE(State()["requests"].empty());
  // The fake records paths without the prefix and flags any request lacking it.
}

TEST_F(GithubHttpTest, PaginationLinkToAnotherOriginIsNotFollowed) {
  Control("config", {{"maxPerPage", 1}, {"linkOrigin", "http://evil.example"}});
  auto forge = TokenForge();
  ASSERT_TRUE(forge->OpenOrReusePullRequest({"a", "main", "A", ""}).ok());
  ASSERT_TRUE(forge->OpenOrReusePullRequest({"b", "main", "B", ""}).ok());
  auto open = forge->ListOpenPullRequests();
  EXPECT_EQ(open.status().code(), StatusCode::kInternal);
  EXPECT_NE(open.status().message().find("evil.example"), std::string::npos);
}

TEST_F(GithubHttpTest, AppTokenIsExchangedCachedAndRefreshedBeforeExpiry) {
  RsaKeyPair keys = MakeRsaKeyPair();
  auto forge = AppForge(keys);
  Control("permissions", {{"alice", "write"}});
  ASSERT_EQ(forge->GetPermission("alice").value_or(Permission::kNone), Permission::kWrite);
  EXPECT_EQ(Exchanges(), 1);
  clock_.Advance(minutes(50));
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  EXPECT_EQ(Exchanges(), 1) << "token valid for 10 more minutes: reused";
  clock_.Advance(minutes(6));
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  EXPECT_EQ(Exchanges(), 2) << "4 minutes before expiry: refreshed";
}

TEST_F(GithubHttpTest, RevokedAppTokenIsReplacedOnce) {
  RsaKeyPair keys = MakeRsaKeyPair();
  auto forge = AppForge(keys);
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  Control("config", {{"installationTokens", json::object()}});
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  EXPECT_EQ(Exchanges(), 2);
}

TEST_F(GithubHttpTest, WrongAppIdIsUnauthenticated) {
  RsaKeyPair keys = MakeRsaKeyPair();
  auto forge = AppForge(keys, "7");
  auto perm = forge->GetPermission("alice");
  EXPECT_EQ(perm.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(perm.status().message().find("app 7"), std::string::npos);
}

TEST(GithubAppJwtTest, IsRs256WithGithubClaims) {
  RsaKeyPair keys = MakeRsaKeyPair();
  auto jwt = MakeGithubAppJwt("123", Secret(keys.private_pem), 1'700'000'000);
  ASSERT_TRUE(jwt.ok());
  const std::string& token = jwt->Reveal();
  std::size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  auto decode = [](std::string s) {
    for (char& c : s) c = c == '-' ? '+' : (c == '_' ? '/' : c);
    while (s.size() % 4) s += '=';
    std::string out(s.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
    out.resize(n - std::count(s.end() - 2, s.end(), '='));
    return out;
  };
  json header = json::parse(decode(token.substr(0, dot1)));
  json claims = json::parse(decode(token.substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(claims["iss"], "123");
  EXPECT_EQ(claims["iat"], 1'700'000'000 - 60);
  EXPECT_EQ(claims["exp"], 1'700'000'000 + 540);

  BIO* bio = BIO_new_mem_buf(keys.public_pem.data(), static_cast<int>(keys.public_pem.size()));
  EVP_PKEY* pub = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::string sig = decode(token.substr(dot2 + 1));
  std::string input = token.substr(0, dot2);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
}

TEST(GithubAppJwtTest, RejectsKeyThatIsNotRsaPem) {
  auto jwt = MakeGithubAppJwt("1", Secret("not a key"), 0);
  EXPECT_EQ(jwt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseUtcIso8601("2016-07-11T22:14:10Z").value_or(0), 1468275250);
  EXPECT_FALSE(ParseUtcIso8601("2016-07-11 22:14").ok());
}

TEST(GithubForgeCreateTest, RejectsBadConfigurationUpFront) {
  ManualClock clock;
  GithubForgeOptions options;
  options.repository = "octo/gitops";
  GithubAuth token;
  token.token = Secret("t");
  GithubAuth both = token;
  both.app_id = "1";
  EXPECT_EQ(GithubForge::Create(options, GithubAuth{}, clock).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GithubForge::Create(options, both, clock).status().code(),
            StatusCode::kInvalidArgument);
  options.repository = "not-a-repo";
  EXPECT_EQ(GithubForge::Create(options, token, clock).status().code(),
            StatusCode::kInvalidArgument);
  options.repository = "octo/gitops";
  options.http.api_url = "http://github.example.com/api/v3";
  auto plain = GithubForge::Create(options, token, clock);
  EXPECT_EQ(plain.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(plain.status().message().find("https"), std::string::npos);
  options.http.api_url = "https://github.example.com/api/v3";
  options.http.ca_file = "/etc/ssl/certs/ca-certificates.crt";
  EXPECT_TRUE(GithubForge::Create(options, token, clock).ok());

  config::ForgeConfig config;
  config.kind = "github";
  config.github_repository = "octo/gitops";
  config.github_app_id = "12";
  config.github_installation_id = "34";
  config.github_app_private_key = Secret("-----BEGIN RSA PRIVATE KEY-----\ngarbage\n");
  auto bad_key = GithubForge::FromConfig(config, clock);
  EXPECT_EQ(bad_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_key.status().message().find("github_app_private_key"), std::string::npos);
  config.github_app_private_key = Secret(MakeRsaKeyPair().private_pem);
  EXPECT_TRUE(GithubForge::FromConfig(config, clock).ok());
}

}  // namespace
}  // namespace datamcp::forge::testing
