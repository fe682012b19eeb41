// mcp.read_only, mcp.tools and the per-caller rate limit as the MCP server applies them.
#include <gtest/gtest.h>

#include "bot/mcp/json_rpc.h"
#include "bot/mcp/mcp_server.h"
#include "tests/mcp/test_tools.h"

namespace datamcp::bot::mcp {
namespace {

class Discard final : public Outbound {
 public:
  void Send(const json&) override {}
};

json Request(int id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

json ProposeDev(int id) {
  return Request(id, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "dev"}}}});
}

class ToolPolicyTest : public ::testing::Test {
 protected:
  ToolPolicyTest() { testing::RegisterTestTools(registry_); }

  json Send(McpServer& server, const json& message, const Principal* who = nullptr) {
    return server.Handle(session_, who ? *who : principal_, message, out_).message.value_or(json());
  }
  std::vector<std::string> Listed(McpServer& server) {
    std::vector<std::string> names;
    json r = Send(server, Request(1, "tools/list"));
    EXPECT_TRUE(r.contains("result")) << r.dump();
    for (const auto& t : r["result"]["tools"]) {
      names.push_back(t["name"]);
    }
    return names;
  }
  void Init(McpServer& server) {
    Send(server, Request(0, "initialize", {{"protocolVersion", "2025-11-25"}}));
  }

  ToolRegistry registry_;
  Session session_{"s1", "alice"};
  Principal principal_{"alice", {"proposals:write", "env:dev", "audit:read"}, false};
  Discard out_;
};

TEST_F(ToolPolicyTest, ReadOnlyModeNeitherListsNorRunsWriteTools) {
  ASSERT_TRUE(registry_.SetPolicy({.read_only = true}).ok());
  McpServer server(registry_, {});
  Init(server);
  EXPECT_EQ(Listed(server),
            (std::vector<std::string>{"echo", "audit_log", "slow", "boom", "reject"}));
  json r = Send(server, ProposeDev(2));
  EXPECT_EQ(r["error"]["code"], rpc::kInvalidParams);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("read-only mode (mcp.read_only)"),
            std::string::npos)
      << r.dump();
  EXPECT_FALSE(r.contains("result"));
  // Refused before it would run: the transport answers it without opening a stream.
  EXPECT_TRUE(server.Precheck(session_, principal_, ProposeDev(3)).has_value());
  EXPECT_EQ(Send(server, Request(4, "tools/call", {{"name", "echo"}}))["result"]["isError"], false);
  // Scopes advertised in the resource metadata are those of exposed tools only.
  for (const auto& s : registry_.StaticScopes()) EXPECT_NE(s, "proposals:write");
}

TEST_F(ToolPolicyTest, AnAllowListHidesEveryOtherTool) {
  ASSERT_TRUE(registry_.SetPolicy({.allowed = {"echo", "propose"}}).ok());
  McpServer server(registry_, {});
  Init(server);
  EXPECT_EQ(Listed(server), (std::vector<std::string>{"echo", "propose"}));
  json r = Send(server, Request(2, "tools/call", {{"name", "audit_log"}}));
  EXPECT_EQ(r["error"]["code"], rpc::kInvalidParams);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("allow-list (mcp.tools)"),
            std::string::npos)
      << r.dump();
  EXPECT_EQ(Send(server, ProposeDev(3))["result"]["isError"], false);
}

TEST_F(ToolPolicyTest, APolicyNamingAnUnknownOrWriteToolIsRefusedAndNotApplied) {
  Status unknown = registry_.SetPolicy({.allowed = {"echo", "ecko"}});
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("mcp.tools: 'ecko' is not a tool of this server"),
            std::string::npos)
      << unknown.message();
  EXPECT_NE(unknown.message().find("echo, audit_log, propose"), std::string::npos);
  Status conflict = registry_.SetPolicy({.read_only = true, .allowed = {"echo", "propose"}});
  EXPECT_FALSE(conflict.ok());
  EXPECT_NE(conflict.message().find("'propose' writes, and mcp.read_only is true"),
            std::string::npos)
      << conflict.message();
  const RegisteredTool* propose = registry_.Find("propose");
  ASSERT_NE(propose, nullptr);
  EXPECT_EQ(registry_.HiddenReason(*propose), "");  // the refused policies changed nothing
}

TEST_F(ToolPolicyTest, ABurstAboveTheLimitGetsARetryErrorAndDoesNotRunTheTool) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 2, .per_minute = 30});  // a token every 2 s
  std::vector<std::string> refused_tools;
  int runs = 0;
  Tool counted;
  counted.name = "counted";
  counted.description = "Counts its runs.";
  counted.input_schema = {{"type", "object"}};
  counted.annotations = {false, false, false, false};
  counted.handler = [&runs](const ToolCall&) {
    ++runs;
    return ToolResult::Structured({{"runs", runs}});
  };
  ASSERT_TRUE(registry_.Register(counted).ok());
  McpServerOptions options;
  options.limiter = &limiter;
  options.on_rate_limited = [&](const std::string& tool) { refused_tools.push_back(tool); };
  McpServer server(registry_, options);
  Init(server);
  json call = Request(1, "tools/call", {{"name", "counted"}});
  EXPECT_EQ(Send(server, call)["result"]["isError"], false);
  EXPECT_EQ(Send(server, call)["result"]["isError"], false);
  json r = Send(server, call);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(r["error"]["code"], rpc::kRateLimited);
  EXPECT_EQ(r["error"]["data"]["retryAfterSeconds"], 2);
  EXPECT_EQ(r["error"]["data"]["burst"], 2);
  EXPECT_EQ(r["error"]["data"]["perMinute"], 30);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("Retry counted in 2 s"),
            std::string::npos)
      << r.dump();
  EXPECT_EQ(refused_tools, std::vector<std::string>{"counted"});
  // Read-only tools do not count; another subject has its own bucket; time refills.
  EXPECT_EQ(Send(server, Request(2, "tools/call", {{"name", "echo"}}))["result"]["isError"], false);
  Principal bob{"bob", {}, false};
  EXPECT_EQ(Send(server, call, &bob)["result"]["isError"], false);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_EQ(Send(server, call)["result"]["isError"], false);
  EXPECT_EQ(runs, 4);
}

TEST_F(ToolPolicyTest, CallsRefusedForScopeOrArgumentsSpendNoToken) {
  ManualClock clock;
  RateLimiter limiter(clock, {.burst = 1, .per_minute = 1});
  McpServerOptions options;
  options.limiter = &limiter;
  McpServer server(registry_, options);
  Init(server);
  json prod =
      Request(1, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "prod"}}}});
  EXPECT_EQ(Send(server, prod)["error"]["code"], rpc::kForbidden);
  json bad =
      Request(2, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "qa"}}}});
  EXPECT_EQ(Send(server, bad)["result"]["isError"], true);
  EXPECT_EQ(limiter.Available("alice"), 1);
  EXPECT_EQ(Send(server, ProposeDev(3))["result"]["isError"], false);
  EXPECT_EQ(Send(server, ProposeDev(4))["error"]["code"], rpc::kRateLimited);
}

}  // namespace
}  // namespace datamcp::bot::mcp
