// A JSON-RPC message as the MCP transports receive it: the depth-checked parse, then the real
// McpServer::Handle with a session that has been initialized (so tools/call, cancellation,
// logging/setLevel and the schema validator of get_server_info are reached).
#include "bot/mcp/json_rpc.h"
#include "bot/mcp/mcp_server.h"
#include "bot/mcp/server_info_tool.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;
using namespace datamcp::bot::mcp;

namespace {

class DropOutbound final : public Outbound {
 public:
  void Send(const nlohmann::json& message) override { (void)message.dump(); }
};

const McpServer& Server() {
  static ToolRegistry* registry = [] {
    log::Init(log::Level::kError, log::Format::kJson);
    auto* r = new ToolRegistry;
    ServerInfo info;
    info.version = "fuzz";
    info.environments = {"dev"};
    (void)RegisterServerInfoTool(*r, info);
    return r;
  }();
  static McpServer* server = new McpServer(*registry, {});
  return *server;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  Result<nlohmann::json> msg = ParseJson(AsText(data, size), "the body");
  if (!msg.ok()) {
    FUZZ_ASSERT(!ParseErrorMessage(msg.status()).empty());
    return 0;
  }
  FUZZ_ASSERT(JsonNestingDepth(AsText(data, size)) <= kMaxJsonDepth);
  const McpServer& server = Server();
  Session session("fuzz", "fuzzer");
  bot::Principal principal{"fuzzer", {"plans:read"}, false};
  DropOutbound out;
  Reply init = server.Handle(
      session, principal,
      nlohmann::json::parse(
          R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})"),
      out);
  FUZZ_ASSERT(init.message.has_value());
  Reply reply = server.Handle(session, principal, *msg, out);
  if (reply.message) (void)reply.message->dump();
  (void)IdOf(*msg).dump();
  return 0;
}
