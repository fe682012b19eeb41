#include "bot/mcp/http_guards.h"

#include <gtest/gtest.h>

namespace datamcp::bot::mcp {
namespace {

TEST(OriginPolicyTest, AllowsLoopbackOnTheBoundPortAndConfiguredHosts) {
  OriginPolicy p(8080, "https://mcp.example.com", {"internal.example"}, {"https://app.example"});
  EXPECT_TRUE(p.HostAllowed("localhost:8080"));
  EXPECT_TRUE(p.HostAllowed("127.0.0.1:8080"));
  EXPECT_TRUE(p.HostAllowed("[::1]:8080"));
  EXPECT_TRUE(p.HostAllowed("MCP.example.com"));
  EXPECT_TRUE(p.HostAllowed("internal.example:9999"));  // configured without port: any port
  EXPECT_FALSE(p.HostAllowed("localhost:8081"));
  EXPECT_FALSE(p.HostAllowed("evil.example.com"));
  EXPECT_FALSE(p.HostAllowed(""));
  EXPECT_TRUE(p.OriginAllowed(""));
  EXPECT_TRUE(p.OriginAllowed("http://localhost:8080"));
  EXPECT_TRUE(p.OriginAllowed("https://app.example"));
  EXPECT_TRUE(p.OriginAllowed("https://mcp.example.com"));
  EXPECT_FALSE(p.OriginAllowed("http://evil.example.com"));
  EXPECT_FALSE(p.OriginAllowed("null"));
}

TEST(AcceptsTest, MatchesListedTypesAndWildcards) {
  EXPECT_TRUE(Accepts("application/json, text/event-stream", "text/event-stream"));
  EXPECT_TRUE(Accepts("text/event-stream;q=0.9,application/json", "application/json"));
  EXPECT_TRUE(Accepts("*/*", "application/json"));
  EXPECT_TRUE(Accepts("text/*", "text/event-stream"));
  EXPECT_FALSE(Accepts("application/json", "text/event-stream"));
  EXPECT_FALSE(Accepts("", "application/json"));
}

TEST(BearerTokenTest, ExtractsOnlyBearerCredentials) {
  std::string t;
  EXPECT_TRUE(BearerToken("Bearer abc.def", &t));
  EXPECT_EQ(t, "abc.def");
  EXPECT_TRUE(BearerToken("bearer   xyz ", &t));
  EXPECT_EQ(t, "xyz");
  EXPECT_TRUE(BearerToken("", &t));
  EXPECT_EQ(t, "");
  EXPECT_FALSE(BearerToken("Basic dXNlcjpwYXNz", &t));
  EXPECT_FALSE(BearerToken("Bearer ", &t));
}

}  // namespace
}  // namespace datamcp::bot::mcp
