#include "bot/mcp/server_info_tool.h"

#include <gtest/gtest.h>

namespace datamcp::bot::mcp {
namespace {

TEST(ServerInfoToolTest, DescribesServerAndCallerWithinItsOutputSchema) {
  ToolRegistry registry;
  ASSERT_TRUE(RegisterServerInfoTool(registry, {.version = "0.1.0",
                                                .repository_url = "file:///srv/gitops.git",
                                                .repository_description = "embedded",
                                                .environments = {"dev", "prod"},
                                                .forge = "local"})
                  .ok());
  const RegisteredTool* tool = registry.Find("get_server_info");
  ASSERT_NE(tool, nullptr);
  EXPECT_TRUE(tool->tool.annotations.read_only);
  EXPECT_FALSE(tool->tool.annotations.destructive);
  EXPECT_TRUE(tool->tool.scopes.empty());
  ToolCall call;
  call.principal = Principal{"agent-7", {"plans:read", "env:dev"}, false};
  ToolResult r = tool->tool.handler(call);
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.structured["repository"]["url"], "file:///srv/gitops.git");
  EXPECT_EQ(r.structured["environments"], json({"dev", "prod"}));
  EXPECT_EQ(r.structured["caller"]["subject"], "agent-7");
  auto out = SchemaValidator::Compile(tool->tool.output_schema);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->Validate(r.structured, "structuredContent"), std::nullopt);
  EXPECT_NE(tool->validator.Validate({{"extra", 1}}), std::nullopt);
  EXPECT_EQ(tool->MissingScopes(call.principal, json::object({{"environment", "prod"}})),
            std::vector<std::string>{"env:prod"});
  EXPECT_TRUE(tool->MissingScopes(call.principal, json::object({{"environment", "dev"}})).empty());
  call.arguments = {{"environment", "dev"}};
  EXPECT_EQ(tool->tool.handler(call).structured["environment"]["name"], "dev");
  call.arguments = {{"environment", "qa"}};
  ToolResult unknown = tool->tool.handler(call);
  EXPECT_TRUE(unknown.is_error);
  EXPECT_NE(unknown.text.find("known: [\"dev\",\"prod\"]"), std::string::npos);
}

TEST(ServerInfoToolTest, TellsTheCallerTheServersLimitsAndWhatIsLeft) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 3, .per_minute = 6});
  ToolRegistry registry;
  ASSERT_TRUE(RegisterServerInfoTool(registry, {.version = "0.1.0",
                                                .repository_url = "file:///srv/gitops.git",
                                                .read_only = true,
                                                .limiter = &limiter})
                  .ok());
  ASSERT_TRUE(limiter.Take("agent-7").allowed);
  const RegisteredTool* tool = registry.Find("get_server_info");
  ASSERT_NE(tool, nullptr);
  ToolCall call;
  call.principal = Principal{"agent-7", {}, false};
  ToolResult r = tool->tool.handler(call);
  EXPECT_EQ(r.structured["limits"],
            json({{"read_only", true},
                  {"rate_limit", {{"burst", 3}, {"per_minute", 6}, {"available", 2}}}}));
  EXPECT_NE(r.text.find("you can make now: 2 of 3 (refilled at 6 a minute)"), std::string::npos)
      << r.text;
  EXPECT_NE(r.text.find("Read-only server"), std::string::npos);
  auto out = SchemaValidator::Compile(tool->tool.output_schema);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->Validate(r.structured, "structuredContent"), std::nullopt);
}

TEST(ToolRegistryTest, RefusesIncompleteOrDuplicateTools) {
  ToolRegistry registry;
  ASSERT_TRUE(RegisterServerInfoTool(registry, {}).ok());
  EXPECT_FALSE(RegisterServerInfoTool(registry, {}).ok());  // duplicate
  Tool t;
  t.name = "bad name";
  t.description = "d";
  t.input_schema = {{"type", "object"}};
  t.handler = [](const ToolCall&) { return ToolResult::Error("x"); };
  EXPECT_FALSE(registry.Register(t).ok());
  t.name = "no_desc";
  t.description = "";
  EXPECT_FALSE(registry.Register(t).ok());
  t.description = "d";
  t.input_schema = {{"type", "string"}};
  EXPECT_FALSE(registry.Register(t).ok());
  t.input_schema = {{"type", "object"}};
  t.handler = nullptr;
  EXPECT_FALSE(registry.Register(t).ok());
}

TEST(CursorTest, RoundTripsAndRejectsForeignText) {
  std::string plain;
  for (std::string s : {"", "a", "ab", "abc", "tools/after:get_server_info"}) {
    ASSERT_TRUE(DecodeCursor(EncodeCursor(s), &plain));
    EXPECT_EQ(plain, s);
  }
  EXPECT_FALSE(DecodeCursor("not a cursor!", &plain));
}

}  // namespace
}  // namespace datamcp::bot::mcp
