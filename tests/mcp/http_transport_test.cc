#include "bot/mcp/http_transport.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <thread>

#include "bot/mcp/json_rpc.h"
#include "gitops/common/log.h"
#include "tests/mcp/fake_authenticator.h"
#include "tests/mcp/test_tools.h"

namespace datamcp::bot::mcp {
namespace {

using std::chrono::milliseconds;

template <typename F>
bool PollUntil(F done, milliseconds limit = milliseconds(10000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

class HttpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::RegisterTestTools(registry_, &slow_started_);
    auth_.Add("reader", Principal{"alice", {"plans:read"}, false});
    auth_.Add("auditor", Principal{"bob", {"audit:read", "proposals:write", "env:dev"}, false});
    log::SetSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    McpHttpOptions o;
    o.port = port_;
    o.public_url = "http://127.0.0.1:" + std::to_string(port_);
    o.authorization_servers = {"https://auth.example.com"};
    o.scopes_supported = {"audit:read"};
    o.keepalive_interval = milliseconds(100);
    RegisterMcpRoutes(server_, o, sessions_, mcp_, auth_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    ASSERT_TRUE(PollUntil([this] { return server_.is_running(); }));
  }
  void TearDown() override {
    sessions_.CloseAll();
    server_.stop();
    thread_.join();
    log::Init(log::Level::kInfo, log::Format::kJson);
  }

  httplib::Headers Headers(const std::string& token, const std::string& session = "") {
    httplib::Headers h{{"Accept", "application/json, text/event-stream"}};
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    if (!session.empty()) h.emplace("Mcp-Session-Id", session);
    return h;
  }
  httplib::Result Post(const json& body, httplib::Headers h) {
    httplib::Client cli("127.0.0.1", port_);
    cli.set_read_timeout(10, 0);
    return cli.Post("/mcp", h, body.dump(), "application/json");
  }
  static json Req(int id, const std::string& method, json params = json::object()) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  }
  std::string Initialize(const std::string& token, const std::string& version = "2025-11-25") {
    auto r = Post(Req(1, "initialize",
                      {{"protocolVersion", version},
                       {"capabilities", json::object()},
                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}}),
                  Headers(token));
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(json::parse(r->body)["result"]["protocolVersion"], version);
    return r->get_header_value("Mcp-Session-Id");
  }
  std::vector<std::string> ToolNames(const std::string& token) {
    auto r = Post(Req(2, "tools/list"), Headers(token, Initialize(token)));
    std::vector<std::string> names;
    EXPECT_EQ(r->status, 200) << r->body;
    json body = json::parse(r->body);
    for (const auto& t : body["result"]["tools"]) names.push_back(t["name"]);
    return names;
  }

  ToolRegistry registry_;
  std::atomic<int> slow_started_{0};
  McpServer mcp_{registry_, McpServerOptions{}};
  testing::FakeAuthenticator auth_;
  ManualClock clock_;
  SessionManager sessions_{clock_, {}};
  std::ostringstream log_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(HttpTransportTest, InitializeStartsASessionAndRequestsUseIt) {
  std::string sid = Initialize("reader");
  EXPECT_EQ(sid.size(), 64u);
  auto initialized =
      Post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, Headers("reader", sid));
  EXPECT_EQ(initialized->status, 202);
  EXPECT_TRUE(initialized->body.empty());
  auto ping = Post(Req(2, "ping"), Headers("reader", sid));
  EXPECT_EQ(ping->status, 200);
  EXPECT_EQ(ping->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(ping->body)["result"], json::object());
}

TEST_F(HttpTransportTest, RefusesMissingInvalidAndExpiredTokensWith401) {
  auto none = Post(Req(1, "ping"), Headers(""));
  EXPECT_EQ(none->status, 401);
  std::string metadata =
      "http://127.0.0.1:" + std::to_string(port_) + "/.well-known/oauth-protected-resource/mcp";
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"),
            "Bearer resource_metadata=\"" + metadata + "\"");
  auto expired = Post(Req(1, "ping"), Headers("expired-token-xyz"));
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(expired->get_header_value("WWW-Authenticate").find("error=\"invalid_token\""),
            std::string::npos);
  auto h = Headers("");
  h.emplace("Authorization", "Basic dTpw");
  EXPECT_EQ(Post(Req(1, "ping"), h)->status, 401);
  httplib::Client cli("127.0.0.1", port_);
  auto query =
      cli.Post("/mcp?access_token=reader", Headers(""), Req(1, "ping").dump(), "application/json");
  EXPECT_EQ(query->status, 400);
  // Every decision is one structured line, never with the token.
  EXPECT_NE(log_.str().find("\"decision\":\"denied\""), std::string::npos);
  EXPECT_EQ(log_.str().find("expired-token-xyz"), std::string::npos);
}

TEST_F(HttpTransportTest, PublishesProtectedResourceMetadata) {
  httplib::Client cli("127.0.0.1", port_);
  for (const char* path :
       {"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"}) {
    auto r = cli.Get(path);
    ASSERT_EQ(r->status, 200);
    json m = json::parse(r->body);
    EXPECT_EQ(m["resource"], "http://127.0.0.1:" + std::to_string(port_) + "/mcp");
    EXPECT_EQ(m["authorization_servers"], json({"https://auth.example.com"}));
    EXPECT_EQ(m["bearer_methods_supported"], json({"header"}));
  }
}

TEST_F(HttpTransportTest, RejectsForeignHostAndOriginBeforeAuthentication) {
  auto h = Headers("reader");
  h.emplace("Origin", "http://evil.example.com");
  EXPECT_EQ(Post(Req(1, "ping"), h)->status, 403);
  httplib::Client cli("127.0.0.1", port_);
  auto evil_host = Headers("reader");
  evil_host.emplace("Host", "evil.example.com");
  EXPECT_EQ(cli.Post("/mcp", evil_host, Req(1, "ping").dump(), "application/json")->status, 403);
  auto good = Headers("reader");
  good.emplace("Origin", "http://localhost:" + std::to_string(port_));
  EXPECT_EQ(Post(Req(1, "initialize", {{"protocolVersion", "2025-11-25"}}), good)->status, 200);
}

TEST_F(HttpTransportTest, ChecksAcceptContentTypeVersionAndBody) {
  std::string sid = Initialize("reader");
  httplib::Client cli("127.0.0.1", port_);
  httplib::Headers json_only{
      {"Authorization", "Bearer reader"}, {"Mcp-Session-Id", sid}, {"Accept", "application/json"}};
  EXPECT_EQ(cli.Post("/mcp", json_only, Req(1, "ping").dump(), "application/json")->status, 406);
  EXPECT_EQ(cli.Post("/mcp", Headers("reader", sid), Req(1, "ping").dump(), "text/plain")->status,
            415);
  auto bad_version = Headers("reader", sid);
  bad_version.emplace("MCP-Protocol-Version", "1999-01-01");
  EXPECT_EQ(Post(Req(1, "ping"), bad_version)->status, 400);
  auto older = Headers("reader", sid);
  older.emplace("MCP-Protocol-Version", "2025-03-26");
  EXPECT_EQ(Post(Req(1, "ping"), older)->status, 200);
  auto garbage = cli.Post("/mcp", Headers("reader", sid), "{nope", "application/json");
  EXPECT_EQ(garbage->status, 400);
  EXPECT_EQ(json::parse(garbage->body)["error"]["code"], rpc::kParseError);
  auto invalid = Post({{"jsonrpc", "2.0"}, {"id", 3}}, Headers("reader", sid));
  EXPECT_EQ(invalid->status, 400);
  EXPECT_EQ(json::parse(invalid->body)["error"]["code"], rpc::kInvalidRequest);
}

TEST_F(HttpTransportTest, SessionsAreRequiredKnownOwnedAndEndedByDelete) {
  EXPECT_EQ(Post(Req(1, "ping"), Headers("reader"))->status, 400);
  EXPECT_EQ(Post(Req(1, "ping"), Headers("reader", std::string(64, 'a')))->status, 404);
  std::string sid = Initialize("reader");
  EXPECT_EQ(Post(Req(1, "ping"), Headers("auditor", sid))->status, 404);  // another subject
  httplib::Client cli("127.0.0.1", port_);
  EXPECT_EQ(cli.Delete("/mcp", Headers("reader", sid))->status, 200);
  EXPECT_EQ(Post(Req(1, "ping"), Headers("reader", sid))->status, 404);
  EXPECT_EQ(cli.Delete("/mcp", Headers("reader", sid))->status, 404);
}

TEST_F(HttpTransportTest, ToolListsDependOnScopesAndMissingScopeIs403) {
  EXPECT_EQ(ToolNames("reader"), (std::vector<std::string>{"echo", "slow", "boom", "reject"}));
  EXPECT_EQ(ToolNames("auditor"),
            (std::vector<std::string>{"echo", "audit_log", "propose", "slow", "boom", "reject"}));
  std::string sid = Initialize("reader");
  auto r = Post(Req(3, "tools/call", {{"name", "audit_log"}}), Headers("reader", sid));
  EXPECT_EQ(r->status, 403);
  std::string challenge = r->get_header_value("WWW-Authenticate");
  EXPECT_EQ(challenge.rfind("Bearer ", 0), 0u);
  EXPECT_NE(challenge.find(R"(error="insufficient_scope")"), std::string::npos);
  EXPECT_NE(challenge.find(R"(scope="audit:read")"), std::string::npos);
  std::string bob = Initialize("auditor");
  auto prod =
      Post(Req(4, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "prod"}}}}),
           Headers("auditor", bob));
  EXPECT_EQ(prod->status, 403);
  EXPECT_NE(prod->get_header_value("WWW-Authenticate").find("scope=\"env:prod\""),
            std::string::npos);
  auto dev =
      Post(Req(5, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "dev"}}}}),
           Headers("auditor", bob));
  EXPECT_EQ(dev->status, 200);
  EXPECT_NE(log_.str().find("\"tool\":\"propose\""), std::string::npos);
}

TEST_F(HttpTransportTest, BatchesOnlyFor20250326Sessions) {
  std::string modern = Initialize("reader");
  auto r = Post(json::array({Req(1, "ping"), Req(2, "ping")}), Headers("reader", modern));
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], rpc::kInvalidRequest);
  std::string old = Initialize("reader", "2025-03-26");
  auto ok = Post(json::array({Req(1, "ping"), Req(2, "ping")}), Headers("reader", old));
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(json::parse(ok->body).size(), 2u);
  auto odd =
      Post(json::array({{{"jsonrpc", "2.0"}, {"id", 3}, {"method", 7}}}), Headers("reader", old));
  EXPECT_EQ(odd->status, 200);
  EXPECT_EQ(json::parse(odd->body)[0]["error"]["code"], rpc::kInvalidRequest);
}

TEST_F(HttpTransportTest, StreamsProgressOverSseWhenAskedForIt) {
  std::string sid = Initialize("reader");
  auto r = Post(
      Req(7, "tools/call",
          {{"name", "slow"}, {"arguments", {{"steps", 3}}}, {"_meta", {{"progressToken", 99}}}}),
      Headers("reader", sid));
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  std::vector<json> events;
  std::istringstream body(r->body);
  for (std::string line; std::getline(body, line);) {
    if (line.rfind("data: ", 0) == 0) events.push_back(json::parse(line.substr(6)));
  }
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["method"], "notifications/progress");
  EXPECT_EQ(events[0]["params"]["progressToken"], 99);
  EXPECT_EQ(events[3]["id"], 7);
  EXPECT_EQ(events[3]["result"]["structuredContent"]["steps"], 3);
}

TEST_F(HttpTransportTest, CancelledNotificationEndsTheRunningCall) {
  std::string sid = Initialize("reader");
  int status = 0;
  std::string body;
  std::thread t([&] {
    auto r = Post(Req(8, "tools/call", {{"name", "slow"}}), Headers("reader", sid));
    if (r) status = r->status, body = r->body;
  });
  ASSERT_TRUE(PollUntil([&] { return slow_started_ > 0; }));
  auto cancel = Post({{"jsonrpc", "2.0"},
                      {"method", "notifications/cancelled"},
                      {"params", {{"requestId", 8}, {"reason", "test"}}}},
                     Headers("reader", sid));
  EXPECT_EQ(cancel->status, 202);
  t.join();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body.find("\"result\""), std::string::npos);
}

// Finding 1 of issue #11: the deep copy of `arguments` (before the scope check) and the dump
// of a deep requestId overflowed the stack; the transport now refuses such bodies unparsed.
TEST_F(HttpTransportTest, RefusesDeeplyNestedBodiesAndKeepsServing) {
  std::string sid = Initialize("reader");
  const std::string call =
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"a":)" +
      std::string(200000, '[') + std::string(200000, ']') + "}}}";
  const std::string cancel =
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":)" +
      std::string(100000, '[') + std::string(100000, ']') + "}}";
  for (const std::string& body : {call, cancel}) {
    httplib::Client cli("127.0.0.1", port_);
    cli.set_read_timeout(10, 0);
    auto r = cli.Post("/mcp", Headers("reader", sid), body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    json error = json::parse(r->body)["error"];
    EXPECT_EQ(error["code"], rpc::kInvalidRequest);
    EXPECT_EQ(error["message"],
              "Invalid Request: the body nests arrays/objects deeper than 64 levels, which is "
              "the limit; send a flatter document");
  }
  EXPECT_EQ(Post(Req(6, "ping"), Headers("reader", sid))->status, 200);
}

TEST_F(HttpTransportTest, GetStreamCarriesNotificationsOfJsonModeRequests) {
  std::string sid = Initialize("auditor");
  std::string received;
  std::thread t([&] {
    httplib::Client cli("127.0.0.1", port_);
    httplib::Headers h{{"Authorization", "Bearer auditor"},
                       {"Mcp-Session-Id", sid},
                       {"Accept", "text/event-stream"}};
    cli.Get("/mcp", h, [&](const char* data, size_t n) {
      received.append(data, n);
      return received.find("something odd") == std::string::npos;
    });
  });
  ASSERT_TRUE(PollUntil([&] { return (*sessions_.Find(sid))->HasStream(); }));
  httplib::Client cli("127.0.0.1", port_);
  httplib::Headers sse{{"Authorization", "Bearer auditor"},
                       {"Mcp-Session-Id", sid},
                       {"Accept", "text/event-stream"}};
  EXPECT_EQ(cli.Get("/mcp", sse)->status, 409);  // one standalone stream per session
  auto r =
      Post(Req(9, "tools/call", {{"name", "propose"}, {"arguments", {{"environment", "dev"}}}}),
           Headers("auditor", sid));
  EXPECT_EQ(r->status, 200);
  t.join();
  EXPECT_NE(received.find("something odd"), std::string::npos);
}

}  // namespace
}  // namespace datamcp::bot::mcp
