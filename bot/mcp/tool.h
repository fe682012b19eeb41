#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/auth/principal.h"
#include "gitops/common/status.h"

namespace datamcp::bot::mcp {

using json = nlohmann::json;

// MCP (RFC 5424) log levels, lowest first.
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };
bool ParseLogLevel(std::string_view name, LogLevel* out);
std::string_view LogLevelName(LogLevel level);

// One tools/call as a handler sees it. The callbacks are safe to call from the handler's
// thread; they are no-ops when the client asked for nothing (no progressToken, log level
// above the message's).
struct ToolCall {
  Principal principal;
  json arguments = json::object();  // already validated against the tool's inputSchema
  std::shared_ptr<const std::atomic<bool>> cancelled;  // set by notifications/cancelled
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      progress;
  std::function<void(LogLevel level, const json& data)> log;

  // Long-running handlers poll this between steps and stop early when it turns true.
  bool Cancelled() const { return cancelled != nullptr && cancelled->load(); }
  void Progress(double done, std::optional<double> total = std::nullopt,
                const std::string& message = "") const {
    if (progress) progress(done, total, message);
  }
  void Log(LogLevel level, const json& data) const {
    if (log) log(level, data);
  }
};

// What a handler returns. A tool-level failure (bad arguments the schema cannot express,
// a business error) is a ToolResult with is_error=true and a message telling the agent
// what to fix; it is NOT a JSON-RPC error.
struct ToolResult {
  json structured;            // structuredContent (an object) or null
  std::vector<json> content;  // extra content blocks; empty: one text block is derived
  std::string text;           // the text block; empty: the structured content, serialized
  bool is_error = false;

  static ToolResult Structured(json value, std::string text = "");
  static ToolResult Error(std::string message);
  // Error(status.ToString()) for a non-OK status.
  static ToolResult FromStatus(const Status& status);
};

// The MCP tool annotations. Defaults are the spec's pessimistic ones; every tool states
// its own honestly.
struct ToolAnnotations {
  bool read_only = false;
  bool destructive = true;
  bool idempotent = false;
  bool open_world = true;
};

struct Tool {
  std::string name;         // [A-Za-z0-9_.-]{1,128}, unique in the registry
  std::string title;        // human-readable
  std::string description;  // required: what it does, when to use it
  json input_schema;        // JSON Schema, type object (validated with SchemaValidator)
  json output_schema;       // JSON Schema of structuredContent, or null
  ToolAnnotations annotations;
  // Scopes the caller needs to see and call the tool.
  std::vector<std::string> scopes;
  // Extra scopes a particular call needs, from its (validated) arguments, e.g. env:prod
  // when arguments.environment is "prod". Optional.
  std::function<std::vector<std::string>(const json& arguments)> argument_scopes;
  // True when calls report progress or logs worth streaming over SSE.
  bool streams = false;
  // Counts against the caller's rate limit although it is read-only, because a call costs
  // much (plan_preview runs the planners). Tools that write always count.
  bool rate_limited = false;
  bool CountsAgainstRateLimit() const { return rate_limited || !annotations.read_only; }
  std::function<ToolResult(const ToolCall&)> handler;
};

}  // namespace datamcp::bot::mcp
