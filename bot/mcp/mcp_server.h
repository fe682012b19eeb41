#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bot/auth/principal.h"
#include "bot/mcp/rate_limiter.h"
#include "bot/mcp/session.h"
#include "bot/mcp/tool_registry.h"

namespace datamcp::bot::mcp {

// Where a request's notifications (progress, log messages) go while it runs: the request's
// own SSE stream, the session's standalone stream, or stdout for stdio.
class Outbound {
 public:
  virtual ~Outbound() = default;
  virtual void Send(const nlohmann::json& message) = 0;
};

struct McpServerOptions {
  std::string name = "datamcp";
  std::string title = "DataMCP";
  std::string version = "0.0.0";
  std::string instructions;  // sent in the initialize result when not empty
  std::size_t tools_page_size = 50;
  // Per-caller limit on calls of tools that count against it (Tool::CountsAgainstRateLimit),
  // keyed by the principal's subject; null: no limit. Not owned; outlives the server.
  RateLimiter* limiter = nullptr;
  // Called once per refused call with the tool's name (the metric); optional.
  std::function<void(const std::string& tool)> on_rate_limited;
};

// What Handle produced for one message.
struct Reply {
  std::optional<nlohmann::json> message;    // the response; none for notifications
  std::vector<std::string> missing_scopes;  // non-empty: refused for lack of these (HTTP 403)
  bool cancelled = false;                   // cancelled by the client: better send nothing
};

// The transport-neutral MCP server: handles one decoded JSON-RPC message for a session.
// Methods: initialize, ping, logging/setLevel, tools/list, tools/call and the
// notifications initialized and cancelled. Tool calls run on the calling thread. Every
// authorization decision of tools/call is logged as one `mcp.authz` line. Thread-safe.
class McpServer {
 public:
  McpServer(const ToolRegistry& registry, McpServerOptions options);

  Reply Handle(Session& session, const Principal& principal, const nlohmann::json& message,
               Outbound& outbound) const;

  // For tools/call, the Reply when the call is refused before running (bad params, unknown
  // tool, missing scope, arguments not matching the schema); nullopt when it would run.
  // Lets a transport pick the HTTP status before it commits to a stream.
  std::optional<Reply> Precheck(const Session& session, const Principal& principal,
                                const nlohmann::json& message) const;
  // True for a tools/call that asks for progress or calls a streaming tool.
  bool WantsStreaming(const nlohmann::json& message) const;

  // Newest first: 2025-11-25, 2025-06-18, 2025-03-26.
  static const std::vector<std::string>& SupportedVersions();
  static bool IsSupportedVersion(const std::string& version);
  // The client's version when supported, else the newest.
  static std::string Negotiate(const std::string& requested);

 private:
  struct PreparedCall {
    const RegisteredTool* tool = nullptr;
    nlohmann::json arguments;
  };
  // Either a refusal (Reply) or the call to run.
  std::optional<Reply> Prepare(const Session& session, const Principal& principal,
                               const nlohmann::json& message, bool log_allowed,
                               PreparedCall* call) const;
  Reply Initialize(Session& session, const nlohmann::json& id, const nlohmann::json& params) const;
  Reply SetLevel(Session& session, const nlohmann::json& id, const nlohmann::json& params) const;
  Reply ListTools(const Session& session, const Principal& principal, const nlohmann::json& id,
                  const nlohmann::json& params) const;
  // The refusal when `principal` is over its limit for `tool` (spends a token otherwise).
  std::optional<Reply> Limit(const Principal& principal, const RegisteredTool& tool,
                             const nlohmann::json& id) const;
  Reply CallTool(Session& session, const Principal& principal, const nlohmann::json& message,
                 Outbound& outbound) const;
  void HandleNotification(Session& session, const std::string& method,
                          const nlohmann::json& params) const;

  const ToolRegistry& registry_;
  const McpServerOptions options_;
};

}  // namespace datamcp::bot::mcp
