#include "bot/mcp/mcp_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "bot/mcp/json_rpc.h"
#include "tests/mcp/test_tools.h"

namespace datamcp::bot::mcp {
namespace {

class Collect final : public Outbound {
 public:
  void Send(const json& m) override {
    std::lock_guard lock(mu_);
    messages_.push_back(m);
  }
  std::vector<json> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  std::mutex mu_;
  std::vector<json> messages_;
};

json Request(int id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

class McpServerTest : public ::testing::Test {
 protected:
  McpServerTest() : server_(registry_, Options()) {
    testing::RegisterTestTools(registry_, &slow_started_);
  }
  static McpServerOptions Options() {
    McpServerOptions o;
    o.version = "1.2.3";
    o.tools_page_size = 2;
    return o;
  }
  json Call(const json& message, Session* s = nullptr) {
    Reply r = server_.Handle(s ? *s : session_, principal_, message, out_);
    return r.message.value_or(json());
  }
  void Init(const std::string& version = "2025-11-25") {
    Call(
        Request(0, "initialize", {{"protocolVersion", version}, {"capabilities", json::object()}}));
  }

  ToolRegistry registry_;
  std::atomic<int> slow_started_{0};
  McpServer server_;
  Session session_{"s1", "alice"};
  Principal principal_{"alice", {"proposals:write", "env:dev"}, false};
  Collect out_;
};

TEST_F(McpServerTest, NegotiatesSupportedVersionsAndFallsBackToLatest) {
  for (std::string v : {"2025-11-25", "2025-06-18", "2025-03-26"}) {
    Session s("x", "alice");
    json r = Call(Request(1, "initialize", {{"protocolVersion", v}}), &s);
    EXPECT_EQ(r["result"]["protocolVersion"], v);
    EXPECT_EQ(s.protocol_version(), v);
  }
  Session old("x", "alice");
  json r = Call(Request(1, "initialize", {{"protocolVersion", "2024-11-05"}}), &old);
  EXPECT_EQ(r["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(r["result"]["serverInfo"]["version"], "1.2.3");
  EXPECT_TRUE(r["result"]["capabilities"].contains("tools"));
  EXPECT_TRUE(r["result"]["capabilities"].contains("logging"));
}

TEST_F(McpServerTest, AnswersJsonRpcErrorsWithTheRightCodes) {
  EXPECT_EQ(Call(Request(1, "tools/list"))["error"]["code"], rpc::kInvalidRequest);  // not init
  EXPECT_EQ(Call(Request(1, "initialize", {{"capabilities", 1}}))["error"]["code"],
            rpc::kInvalidParams);
  Init();
  EXPECT_EQ(Call(Request(2, "initialize", {{"protocolVersion", "2025-11-25"}}))["error"]["code"],
            rpc::kInvalidRequest);
  EXPECT_EQ(Call(Request(3, "resources/list"))["error"]["code"], rpc::kMethodNotFound);
  EXPECT_EQ(Call({{"jsonrpc", "1.0"}, {"id", 4}, {"method", "ping"}})["error"]["code"],
            rpc::kInvalidRequest);
  EXPECT_EQ(Call({{"jsonrpc", "2.0"}, {"id", 5}, {"method", 7}})["error"]["code"],
            rpc::kInvalidRequest);
  json unknown = Call(Request(6, "tools/call", {{"name", "nope"}}));
  EXPECT_EQ(unknown["error"]["code"], rpc::kInvalidParams);
  EXPECT_EQ(unknown["id"], 6);
  EXPECT_EQ(Call(Request(7, "tools/call", {{"arguments", json::object()}}))["error"]["code"],
            rpc::kInvalidParams);
  EXPECT_EQ(Call(Request(8, "logging/setLevel", {{"level", "loud"}}))["error"]["code"],
            rpc::kInvalidParams);
  EXPECT_EQ(Call(Request(9, "boom"))["error"]["code"], rpc::kMethodNotFound);
  EXPECT_EQ(Call(Request(10, "tools/call", {{"name", "boom"}}))["error"]["code"],
            rpc::kInternalError);
  EXPECT_TRUE(Call({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}).is_null());
  // Members of unexpected types are refused or ignored, never thrown on.
  EXPECT_TRUE(Call({{"jsonrpc", "2.0"},
                    {"method", "notifications/cancelled"},
                    {"params", {{"requestId", 1}, {"reason", 42}}}})
                  .is_null());
  EXPECT_FALSE(server_.WantsStreaming({{"jsonrpc", "2.0"}, {"id", 1}, {"method", 5}}));
  EXPECT_TRUE(session_.initialized());
}

TEST_F(McpServerTest, PingAndSetLevelReturnEmptyObjects) {
  EXPECT_EQ(Call(Request(1, "ping"))["result"], json::object());  // allowed before initialize
  Init();
  EXPECT_EQ(Call(Request(2, "logging/setLevel", {{"level", "error"}}))["result"], json::object());
  EXPECT_EQ(session_.log_level(), LogLevel::kError);
}

TEST_F(McpServerTest, ListsToolsPageByPageWithOpaqueCursors) {
  Init();
  principal_.scopes.push_back("audit:read");
  std::vector<std::string> names;
  json cursor;
  int pages = 0;
  do {
    json params = cursor.is_null() ? json::object() : json{{"cursor", cursor}};
    json r = Call(Request(10 + pages, "tools/list", params))["result"];
    EXPECT_LE(r["tools"].size(), 2u);
    for (const auto& t : r["tools"]) names.push_back(t["name"]);
    cursor = r.value("nextCursor", json());
    ++pages;
  } while (!cursor.is_null() && pages < 10);
  EXPECT_EQ(names,
            (std::vector<std::string>{"echo", "audit_log", "propose", "slow", "boom", "reject"}));
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(Call(Request(99, "tools/list", {{"cursor", "bm9wZQ"}}))["error"]["code"],
            rpc::kInvalidParams);
}

TEST_F(McpServerTest, ToolsListShowsOnlyPermittedToolsWithAnnotations) {
  Init();
  McpServer unpaged(registry_, McpServerOptions{});
  json tools = (*unpaged.Handle(session_, principal_, Request(1, "tools/list"), out_)
                     .message)["result"]["tools"];
  std::vector<std::string> names;
  for (const auto& t : tools) names.push_back(t["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"echo", "propose", "slow", "boom", "reject"}));
  EXPECT_EQ(tools[0]["annotations"]["readOnlyHint"], true);
  EXPECT_EQ(tools[0]["annotations"]["destructiveHint"], false);
  EXPECT_EQ(tools[0]["title"], "Echo");
  EXPECT_TRUE(tools[0].contains("outputSchema"));
  EXPECT_EQ(tools[1]["_meta"]["datamcp/scopes"], json({"proposals:write"}));
}

TEST_F(McpServerTest, OlderProtocolGetsNoStructuredContentOrOutputSchema) {
  Init("2025-03-26");
  json tools = Call(Request(1, "tools/list"))["result"]["tools"];
  EXPECT_FALSE(tools[0].contains("outputSchema"));
  json r = Call(Request(2, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "hi"}}}}));
  EXPECT_FALSE(r["result"].contains("structuredContent"));
  EXPECT_EQ(r["result"]["content"][0]["text"], R"({"text":"hi"})");
}

TEST_F(McpServerTest, ReturnsContentAndStructuredContent) {
  Init();
  json r = Call(Request(2, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "hi"}}}}));
  EXPECT_EQ(r["result"]["structuredContent"], json({{"text", "hi"}}));
  EXPECT_EQ(r["result"]["content"][0]["type"], "text");
  EXPECT_EQ(r["result"]["isError"], false);
}

TEST_F(McpServerTest, ToolFailuresAreIsErrorResultsThatSayWhatToFix) {
  Init();
  json bad =
      Call(Request(1, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "qa"}}}}));
  EXPECT_EQ(bad["result"]["isError"], true);
  EXPECT_EQ(bad["result"]["content"][0]["text"], "arguments.environment: must be one of dev, prod");
  json business = Call(Request(2, "tools/call", {{"name", "reject"}}));
  EXPECT_EQ(business["result"]["isError"], true);
  EXPECT_NE(business["result"]["content"][0]["text"].get<std::string>().find("locked"),
            std::string::npos);
}

TEST_F(McpServerTest, RefusesCallsWithoutTheToolOrArgumentScope) {
  Init();
  Reply hidden =
      server_.Handle(session_, principal_, Request(1, "tools/call", {{"name", "audit_log"}}), out_);
  EXPECT_EQ(hidden.missing_scopes, std::vector<std::string>{"audit:read"});
  EXPECT_EQ((*hidden.message)["error"]["code"], rpc::kForbidden);
  json prod =
      Request(2, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "prod"}}}});
  EXPECT_EQ(server_.Handle(session_, principal_, prod, out_).missing_scopes,
            std::vector<std::string>{"env:prod"});
  ASSERT_TRUE(server_.Precheck(session_, principal_, prod).has_value());
  json dev =
      Request(3, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "dev"}}}});
  EXPECT_FALSE(server_.Precheck(session_, principal_, dev).has_value());
  EXPECT_EQ(Call(dev)["result"]["structuredContent"]["environment"], "dev");
}

TEST_F(McpServerTest, SendsLogMessagesAtOrAboveTheSessionLevel) {
  Init();
  Call(Request(1, "logging/setLevel", {{"level", "warning"}}));
  Call(Request(2, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "dev"}}}}));
  auto messages = out_.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["method"], "notifications/message");
  EXPECT_EQ(messages[0]["params"]["level"], "error");
}

TEST_F(McpServerTest, ReportsProgressWhenAskedWithAToken) {
  Init();
  json call = Request(
      1, "tools/call",
      {{"name", "slow"}, {"arguments", {{"steps", 3}}}, {"_meta", {{"progressToken", "tok"}}}});
  EXPECT_TRUE(server_.WantsStreaming(call));
  EXPECT_EQ(Call(call)["result"]["structuredContent"]["steps"], 3);
  auto messages = out_.messages();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2]["method"], "notifications/progress");
  EXPECT_EQ(messages[2]["params"]["progressToken"], "tok");
  EXPECT_EQ(messages[2]["params"]["progress"], 3);
  EXPECT_EQ(messages[2]["params"]["total"], 3);
  EXPECT_FALSE(server_.WantsStreaming(Request(2, "tools/call", {{"name", "echo"}})));
}

TEST_F(McpServerTest, CancelledNotificationStopsTheRunningCall) {
  Init();
  Reply reply;
  std::thread worker([&] {
    reply =
        server_.Handle(session_, principal_, Request(42, "tools/call", {{"name", "slow"}}), out_);
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (slow_started_ == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  Call({{"jsonrpc", "2.0"},
        {"method", "notifications/cancelled"},
        {"params", {{"requestId", 42}, {"reason", "user abort"}}}});
  worker.join();
  EXPECT_TRUE(reply.cancelled);
  EXPECT_EQ((*reply.message)["error"]["code"], rpc::kRequestCancelled);
  EXPECT_EQ(session_.in_flight(), 0u);
}

// Every member of every message the server reads, replaced by a value of each JSON type:
// the server answers or ignores, never throws.
TEST_F(McpServerTest, SurvivesMembersOfEveryType) {
  const std::vector<json> values = {
      nullptr, 1, -2.5, true, "x", json::array({1}), json::object({{"a", 1}})};
  const std::vector<json> templates = {
      Request(1, "initialize", {{"protocolVersion", "2025-11-25"}}),
      Request(2, "logging/setLevel", {{"level", "info"}}),
      Request(3, "tools/list", {{"cursor", "abc"}}),
      Request(4, "tools/call",
              {{"name", "propose"},
               {"arguments", {{"environment", "dev"}}},
               {"_meta", {{"progressToken", 1}}}}),
      {{"jsonrpc", "2.0"},
       {"method", "notifications/cancelled"},
       {"params", {{"requestId", 1}, {"reason", "r"}}}},
  };
  int handled = 0;
  for (const json& t : templates) {
    const json flat = t.flatten();
    for (const auto& path : flat.items()) {
      for (const json& v : values) {
        json message = t;
        message[json::json_pointer(path.key())] = v;
        std::vector<json> variants = {message};
        if (auto p = message.find("params"); p != message.end()) variants.push_back(*p);
        for (const json& variant : variants) {
          if (variant.is_null()) continue;
          Session s("fuzz", "alice");
          s.set_protocol_version("2025-11-25");
          EXPECT_NO_THROW(server_.Handle(s, principal_, variant, out_)) << variant.dump();
          EXPECT_NO_THROW(server_.WantsStreaming(variant)) << variant.dump();
          ++handled;
        }
      }
    }
  }
  EXPECT_GT(handled, 100);
}

}  // namespace
}  // namespace datamcp::bot::mcp
