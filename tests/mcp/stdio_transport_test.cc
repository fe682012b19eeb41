#include "bot/mcp/stdio_transport.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "bot/mcp/json_rpc.h"
#include "bot/mcp/server_info_tool.h"
#include "tests/mcp/test_tools.h"

namespace datamcp::bot::mcp {
namespace {

std::vector<json> Lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

TEST(StdioTransportTest, ServesNewlineDelimitedJsonRpc) {
  ToolRegistry registry;
  ServerInfo server_info;
  server_info.version = "9.9";
  server_info.environments = {"dev"};
  ASSERT_TRUE(RegisterServerInfoTool(registry, server_info).ok());
  McpServer server(registry, {});
  std::istringstream in(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n\n"
      "not json\n"
      R"([{"jsonrpc":"2.0","id":2,"method":"ping"}])"
      "\n"
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_server_info"}})"
      "\r\n");
  std::ostringstream out;
  Principal me{"local-user", {"plans:read"}, false};
  EXPECT_EQ(RunStdio(in, out, server, me), 0);
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(lines[1]["error"]["code"], rpc::kParseError);
  EXPECT_EQ(lines[2]["error"]["code"], rpc::kInvalidRequest);
  const json& info = lines[3]["result"]["structuredContent"];
  EXPECT_EQ(info["version"], "9.9");
  EXPECT_EQ(info["caller"]["subject"], "local-user");
  EXPECT_EQ(info["caller"]["scopes"], json({"plans:read"}));
}

TEST(StdioTransportTest, RefusesDeeplyNestedLinesAndKeepsServing) {
  ToolRegistry registry;
  ServerInfo server_info;
  ASSERT_TRUE(RegisterServerInfoTool(registry, server_info).ok());
  McpServer server(registry, {});
  std::istringstream in(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})"
      "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_server_info","arguments":{"a":)" +
      std::string(200000, '[') + std::string(200000, ']') +
      "}}}\n"
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":)" +
      std::string(100000, '{') + "\n" + R"({"jsonrpc":"2.0","id":3,"method":"ping"})" + "\n");
  std::ostringstream out;
  EXPECT_EQ(RunStdio(in, out, server, Principal{"u", {}, false}), 0);
  // The tool call runs on a thread of its own, so lines come in any order.
  int refused = 0, pings = 0;
  for (const json& line : Lines(out.str())) {
    if (line.contains("error")) {
      EXPECT_EQ(line["error"]["code"], rpc::kInvalidRequest) << line;
      EXPECT_EQ(line["error"]["message"],
                "Invalid Request: the line nests arrays/objects deeper than 64 levels, which is "
                "the limit; send a flatter document");
      ++refused;
    } else if (line["id"] == 3) {
      EXPECT_EQ(line["result"], json::object());
      ++pings;
    }
  }
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(pings, 1);
}

TEST(StdioTransportTest, RequiresInitializeFirst) {
  ToolRegistry registry;
  McpServer server(registry, {});
  std::istringstream in(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"
                        "\n");
  std::ostringstream out;
  RunStdio(in, out, server, Principal{"u", {}, false});
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["error"]["code"], rpc::kInvalidRequest);
}

// A pipe-like stream: getline blocks until the test appends a line or closes it.
class BlockingBuf : public std::streambuf {
 public:
  void Append(const std::string& s) {
    std::lock_guard lock(mu_);
    data_ += s;
    cv_.notify_all();
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 protected:
  int_type underflow() override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return pos_ < data_.size() || closed_; });
    if (pos_ >= data_.size()) return traits_type::eof();
    current_ = data_[pos_++];
    setg(&current_, &current_, &current_ + 1);
    return traits_type::to_int_type(current_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string data_;
  std::size_t pos_ = 0;
  bool closed_ = false;
  char current_ = 0;
};

TEST(StdioTransportTest, CancelledNotificationStopsARunningCallWithoutAResponse) {
  ToolRegistry registry;
  std::atomic<int> started{0};
  testing::RegisterTestTools(registry, &started);
  McpServer server(registry, {});
  BlockingBuf buf;
  std::istream in(&buf);
  std::ostringstream out;
  std::thread runner([&] { RunStdio(in, out, server, Principal{"u", {}, false}); });
  buf.Append(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})"
      "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow"}})"
      "\n");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (started == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(started, 1);
  buf.Append(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})"
             "\n");
  buf.Close();
  runner.join();
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 1u);  // the initialize response; none for the cancelled call
  EXPECT_EQ(lines[0]["id"], 1);
}

}  // namespace
}  // namespace datamcp::bot::mcp
