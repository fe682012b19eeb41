#include "bot/auth/scopes.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "bot/auth/auth_log.h"
#include "bot/auth/no_auth_authenticator.h"
#include "bot/auth/www_authenticate.h"
#include "gitops/common/log.h"

namespace datamcp::bot {
namespace {

using Scopes = std::vector<std::string>;

TEST(Scopes, ConstantsAndEnvScope) {
  EXPECT_EQ(kScopeProposalsWrite, "proposals:write");
  EXPECT_EQ(kScopePlansRead, "plans:read");
  EXPECT_EQ(kScopeAuditRead, "audit:read");
  EXPECT_EQ(kScopeLocksRead, "locks:read");
  EXPECT_EQ(kScopeServerRead, "server:read");
  EXPECT_EQ(EnvScope("prod"), "env:prod");
}

TEST(Scopes, MissingScopesListsWhatThePrincipalLacksInOrder) {
  Principal p{"alice", {"proposals:write", "env:staging"}, false};
  EXPECT_EQ(MissingScopes(p, {"proposals:write", "env:staging"}), Scopes{});
  EXPECT_EQ(MissingScopes(p, {"env:prod", "proposals:write", "audit:read"}),
            (Scopes{"env:prod", "audit:read"}));
}

TEST(Scopes, NoAuthPrincipalMissesNothing) {
  auto p = NoAuthAuthenticator().Authenticate("");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->subject, "anonymous");
  EXPECT_TRUE(p->no_auth);
  EXPECT_EQ(MissingScopes(*p, {"env:prod", "audit:read"}), Scopes{});
  EXPECT_TRUE(NoAuthAuthenticator().Authenticate("garbage.token.here").ok());
}

TEST(Scopes, ScopeTokenGrammar) {
  EXPECT_TRUE(IsValidScopeToken("env:prod"));
  EXPECT_TRUE(IsValidScopeToken("https://x/y#z!"));
  EXPECT_FALSE(IsValidScopeToken(""));
  EXPECT_FALSE(IsValidScopeToken("a b"));
  EXPECT_FALSE(IsValidScopeToken("a\"b"));
  EXPECT_FALSE(IsValidScopeToken("a\\b"));
  EXPECT_FALSE(IsValidScopeToken("caf\xc3\xa9"));
  EXPECT_EQ(SplitScopes("  a  b c "), (Scopes{"a", "b", "c"}));
  EXPECT_EQ(JoinScopes({"a", "b"}), "a b");
}

TEST(WwwAuthenticate, NoTokenCarriesNoErrorCode) {
  EXPECT_EQ(WwwAuthenticate401("https://h/.well-known/oauth-protected-resource", "", "ignored"),
            R"(Bearer resource_metadata="https://h/.well-known/oauth-protected-resource")");
}

TEST(WwwAuthenticate, InvalidTokenCarriesErrorAndDescription) {
  EXPECT_EQ(WwwAuthenticate401("https://h/m", "invalid_token", "token expired"),
            R"(Bearer resource_metadata="https://h/m", error="invalid_token", )"
            R"(error_description="token expired")");
  EXPECT_EQ(WwwAuthenticate401("", "invalid_token", ""), R"(Bearer error="invalid_token")");
}

TEST(WwwAuthenticate, UntrustedTextCannotBreakOutOfQuotesOrSplitTheHeader) {
  std::string h = WwwAuthenticate401("https://h/m\"x", "invalid_token",
                                     "bad \"kid\"\r\nSet-Cookie: a=b \\ \xff");
  EXPECT_EQ(h, R"(Bearer resource_metadata="https://h/m\"x", error="invalid_token", )"
               R"(error_description="bad 'kid'??Set-Cookie: a=b / ?")");
  EXPECT_EQ(h.find('\r'), std::string::npos);
  EXPECT_EQ(h.find('\n'), std::string::npos);
  EXPECT_EQ(QuoteHeaderValue("a\"b\\c"), R"("a\"b\\c")");
}

TEST(WwwAuthenticate, InsufficientScopeListsScopes) {
  EXPECT_EQ(WwwAuthenticate403({"proposals:write", "env:prod"}),
            R"(Bearer error="insufficient_scope", scope="proposals:write env:prod")");
  EXPECT_EQ(WwwAuthenticate403({"env:prod", "bad\"scope"}, "https://h/m"),
            R"(Bearer resource_metadata="https://h/m", error="insufficient_scope", )"
            R"(scope="env:prod")");
}

class AuthLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::SetSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    log::SetLevel(log::Level::kInfo);
  }
  void TearDown() override { log::Init(log::Level::kInfo, log::Format::kAuto); }
  std::vector<nlohmann::json> Lines() {
    std::vector<nlohmann::json> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
  std::ostringstream out_;
};

TEST_F(AuthLogTest, LogsOneStructuredLinePerDecision) {
  Principal p{"alice", {"plans:read"}, false};
  LogAuthDecision(MakeAuthDecision(p, "get_plan", true, "ok"));
  AuthDecision denied;
  denied.tool = "/mcp";
  denied.reason = "token expired";
  denied.request_id = "r-1";
  LogAuthDecision(denied);

  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["event"], "auth_decision");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["subject"], "alice");
  EXPECT_EQ(lines[0]["scopes"], nlohmann::json::array({"plans:read"}));
  EXPECT_EQ(lines[0]["tool"], "get_plan");
  EXPECT_EQ(lines[0]["decision"], "allowed");
  EXPECT_EQ(lines[1]["level"], "warn");
  EXPECT_EQ(lines[1]["decision"], "denied");
  EXPECT_EQ(lines[1]["reason"], "token expired");
  EXPECT_EQ(lines[1]["request_id"], "r-1");
}

}  // namespace
}  // namespace datamcp::bot
