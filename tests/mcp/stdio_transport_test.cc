#include "bot/mcp/stdio_transport.h"

#include <gtest/gtest.h>

#include <sstream>

#include "bot/mcp/json_rpc.h"
#include "bot/mcp/server_info_tool.h"

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
  ASSERT_TRUE(RegisterServerInfoTool(registry, {.version = "9.9", .environments = {"dev"}}).ok());
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

}  // namespace
}  // namespace datamcp::bot::mcp
