#include "bot/auth/mint.h"

#include <gtest/gtest.h>

#include "bot/auth/jwt_authenticator.h"
#include "gitops/common/encoding.h"

namespace datamcp::bot {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Secret kSecret("0123456789abcdef0123456789abcdef-mint");

std::unique_ptr<JwtAuthenticator> Verifier(const Clock& clock, std::string iss = "",
                                           std::string aud = "") {
  JwtOptions o;
  o.hs256_secret = kSecret;
  o.issuer = std::move(iss);
  if (!aud.empty()) o.audiences = {std::move(aud)};
  o.clock_skew_seconds = 0;
  return std::move(JwtAuthenticator::Create(std::move(o), clock)).value();
}

TEST(MintHs256, RoundTripsThroughTheAuthenticator) {
  ManualClock clock;
  MintOptions m;
  m.subject = "ci-bot";
  m.scopes = {"proposals:write", "env:staging"};
  m.ttl = hours(1);
  m.issuer = "datamcp";
  m.audience = "https://datamcp.example/mcp";
  auto token = MintHs256(kSecret, m, clock);
  ASSERT_TRUE(token.ok()) << token.status().ToString();

  auto principal = Verifier(clock, "datamcp", "https://datamcp.example/mcp")->Authenticate(*token);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->subject, "ci-bot");
  EXPECT_EQ(principal->scopes, (std::vector<std::string>{"proposals:write", "env:staging"}));
  EXPECT_FALSE(principal->no_auth);
}

TEST(MintHs256, EmitsHeaderAndClaimsFromTheClock) {
  ManualClock clock;  // 1'700'000'000
  MintOptions m;
  m.subject = "alice";
  m.scopes = {"plans:read", "audit:read"};
  m.ttl = minutes(30);
  std::string token = MintHs256(kSecret, m, clock).value();
  std::string header = Base64UrlDecode(token.substr(0, token.find('.'))).value();
  EXPECT_EQ(header, R"({"alg":"HS256","typ":"JWT"})");
  std::size_t a = token.find('.') + 1;
  auto claims =
      nlohmann::json::parse(Base64UrlDecode(token.substr(a, token.rfind('.') - a)).value());
  EXPECT_EQ(claims["sub"], "alice");
  EXPECT_EQ(claims["scope"], "plans:read audit:read");
  EXPECT_EQ(claims["iat"], 1'700'000'000);
  EXPECT_EQ(claims["exp"], 1'700'000'000 + 1800);
  EXPECT_FALSE(claims.contains("iss"));
  EXPECT_FALSE(claims.contains("aud"));
}

TEST(MintHs256, TokenExpiresAfterTtl) {
  ManualClock clock;
  MintOptions m;
  m.subject = "alice";
  m.ttl = seconds(60);
  std::string token = MintHs256(kSecret, m, clock).value();
  auto verifier = Verifier(clock);
  clock.Advance(seconds(59));
  EXPECT_TRUE(verifier->Authenticate(token).ok());
  clock.Advance(seconds(1));
  EXPECT_EQ(verifier->Authenticate(token).status(), Unauthenticated("token expired"));
}

TEST(MintHs256, RejectsBadOptions) {
  ManualClock clock;
  MintOptions m;
  m.subject = "alice";
  EXPECT_EQ(MintHs256(Secret("short"), m, clock).status().code(), StatusCode::kInvalidArgument);
  m.subject = "";
  EXPECT_EQ(MintHs256(kSecret, m, clock).status().code(), StatusCode::kInvalidArgument);
  m.subject = "alice\nCo-authored-by: mallory";
  EXPECT_NE(MintHs256(kSecret, m, clock).status().message().find("--sub"), std::string::npos);
  m.subject = "caf\xc3";
  EXPECT_NE(MintHs256(kSecret, m, clock).status().message().find("--sub"), std::string::npos);
  m.subject = "alice";
  m.scopes = {"has space"};
  EXPECT_NE(MintHs256(kSecret, m, clock).status().message().find("--scopes"), std::string::npos);
  m.scopes = {};
  m.ttl = seconds(0);
  EXPECT_NE(MintHs256(kSecret, m, clock).status().message().find("--ttl"), std::string::npos);
}

TEST(ParseTtl, AcceptsSecondsMinutesHoursDays) {
  EXPECT_EQ(ParseTtl("3600s").value(), seconds(3600));
  EXPECT_EQ(ParseTtl("30m").value(), minutes(30));
  EXPECT_EQ(ParseTtl("1h").value(), hours(1));
  EXPECT_EQ(ParseTtl("2d").value(), hours(48));
  EXPECT_EQ(ParseTtl("366d").value(), hours(24 * 366));
}

TEST(ParseTtl, RejectsEverythingElseWithAHint) {
  for (const char* bad :
       {"", "h", "1", "90", "1w", "-1h", "1.5h", "1 h", "h1", "0s", "367d", "99999999999d"}) {
    auto r = ParseTtl(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("--ttl"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace datamcp::bot
