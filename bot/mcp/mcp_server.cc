#include "bot/mcp/mcp_server.h"

#include <exception>

#include "bot/auth/auth_log.h"
#include "bot/mcp/json_rpc.h"
#include "gitops/common/log.h"

namespace datamcp::bot::mcp {

namespace {

const json kEmptyObject = json::object();

const json& ParamsOf(const json& message) {
  auto it = message.find("params");
  return it != message.end() && it->is_object() ? *it : kEmptyObject;
}

Reply Respond(const json& id, json result) { return Reply{MakeResult(id, std::move(result)), {}}; }

Reply Fail(const json& id, int code, std::string message) {
  return Reply{MakeError(id, code, std::move(message)), {}};
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

void LogAuthz(const Principal& p, const std::string& tool, bool allowed,
              const std::string& reason) {
  LogAuthDecision(MakeAuthDecision(p, tool, allowed, reason));
}

json ToolResultJson(const ToolResult& r, const std::string& version) {
  json content = json::array();
  for (const auto& block : r.content) content.push_back(block);
  if (content.empty() || !r.text.empty()) {
    std::string text = r.text.empty() && !r.structured.is_null() ? r.structured.dump() : r.text;
    content.push_back({{"type", "text"}, {"text", text}});
  }
  json out{{"content", std::move(content)}, {"isError", r.is_error}};
  if (!r.structured.is_null() && version >= "2025-06-18") out["structuredContent"] = r.structured;
  return out;
}

json ProgressTokenOf(const json& params) {
  auto meta = params.find("_meta");
  if (meta == params.end() || !meta->is_object()) return nullptr;
  auto token = meta->find("progressToken");
  if (token == meta->end() || !(token->is_string() || token->is_number_integer())) return nullptr;
  return *token;
}

}  // namespace

McpServer::McpServer(const ToolRegistry& registry, McpServerOptions options)
    : registry_(registry), options_(std::move(options)) {}

const std::vector<std::string>& McpServer::SupportedVersions() {
  static const std::vector<std::string> k = {"2025-11-25", "2025-06-18", "2025-03-26"};
  return k;
}

bool McpServer::IsSupportedVersion(const std::string& version) {
  for (const auto& v : SupportedVersions()) {
    if (v == version) return true;
  }
  return false;
}

std::string McpServer::Negotiate(const std::string& requested) {
  return IsSupportedVersion(requested) ? requested : SupportedVersions().front();
}

Reply McpServer::Handle(Session& session, const Principal& principal, const json& message,
                        Outbound& outbound) const {
  std::string why;
  MessageKind kind = Classify(message, &why);
  json id = IdOf(message);
  if (kind == MessageKind::kInvalid)
    return Fail(id, rpc::kInvalidRequest, "Invalid Request: " + why);
  if (kind == MessageKind::kResponse) return Reply{};  // this server sends no requests
  const std::string& method = message["method"].get_ref<const std::string&>();
  const json& params = ParamsOf(message);
  if (kind == MessageKind::kNotification) {
    HandleNotification(session, method, params);
    return Reply{};
  }
  if (method == "initialize") return Initialize(session, id, params);
  if (method == "ping") return Respond(id, json::object());
  if (session.protocol_version().empty()) {
    return Fail(id, rpc::kInvalidRequest,
                "the session is not initialized: send \"initialize\" before \"" + method + "\"");
  }
  if (method == "logging/setLevel") return SetLevel(session, id, params);
  if (method == "tools/list") return ListTools(session, principal, id, params);
  if (method == "tools/call") return CallTool(session, principal, message, outbound);
  return Fail(id, rpc::kMethodNotFound, "Method not found: " + method);
}

void McpServer::HandleNotification(Session& session, const std::string& method,
                                   const json& params) const {
  if (method == "notifications/initialized") {
    session.set_initialized();
  } else if (method == "notifications/cancelled") {
    auto request_id = params.find("requestId");
    if (request_id != params.end() && session.Cancel(*request_id)) {
      log::Info("mcp.cancelled", {{"session", session.id().substr(0, 8)},
                                  {"request_id", *request_id},
                                  {"reason", StringField(params, "reason")}});
    }
  }
  // Other notifications (roots/list_changed, progress from the client) need no action.
}

Reply McpServer::Initialize(Session& session, const json& id, const json& params) const {
  if (!session.protocol_version().empty()) {
    return Fail(id, rpc::kInvalidRequest, "the session is already initialized");
  }
  auto requested = params.find("protocolVersion");
  if (requested == params.end() || !requested->is_string()) {
    return Fail(
        id, rpc::kInvalidParams,
        "params.protocolVersion: required string, e.g. \"" + SupportedVersions().front() + "\"");
  }
  std::string version = Negotiate(requested->get<std::string>());
  session.set_protocol_version(version);
  json server_info{{"name", options_.name}, {"version", options_.version}};
  if (version >= "2025-06-18") server_info["title"] = options_.title;
  json result{{"protocolVersion", version},
              {"capabilities", {{"logging", json::object()}, {"tools", {{"listChanged", false}}}}},
              {"serverInfo", std::move(server_info)}};
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  return Respond(id, std::move(result));
}

Reply McpServer::SetLevel(Session& session, const json& id, const json& params) const {
  auto level = params.find("level");
  LogLevel parsed;
  if (level == params.end() || !level->is_string() ||
      !ParseLogLevel(level->get<std::string>(), &parsed)) {
    return Fail(id, rpc::kInvalidParams,
                "params.level: must be one of debug, info, notice, warning, error, critical, "
                "alert, emergency");
  }
  session.set_log_level(parsed);
  return Respond(id, json::object());
}

Reply McpServer::ListTools(const Session& session, const Principal& principal, const json& id,
                           const json& params) const {
  std::string cursor;
  if (auto c = params.find("cursor"); c != params.end() && !c->is_null()) {
    if (!c->is_string()) return Fail(id, rpc::kInvalidParams, "params.cursor: must be a string");
    cursor = c->get<std::string>();
  }
  auto page = registry_.List(principal, cursor, options_.tools_page_size);
  if (!page.ok()) return Fail(id, rpc::kInvalidParams, page.status().message());
  std::string version = session.protocol_version();
  json tools = json::array();
  for (const RegisteredTool* t : page->tools) tools.push_back(t->Describe(version));
  json result{{"tools", std::move(tools)}};
  if (!page->next_cursor.empty()) result["nextCursor"] = page->next_cursor;
  return Respond(id, std::move(result));
}

std::optional<Reply> McpServer::Prepare(const Session& session, const Principal& principal,
                                        const json& message, bool log_allowed,
                                        PreparedCall* call) const {
  (void)session;
  json id = IdOf(message);
  const json& params = ParamsOf(message);
  auto name = params.find("name");
  if (name == params.end() || !name->is_string()) {
    return Fail(id, rpc::kInvalidParams, "params.name: required string naming the tool");
  }
  const std::string& tool_name = name->get_ref<const std::string&>();
  call->tool = registry_.Find(tool_name);
  if (call->tool == nullptr) {
    return Fail(id, rpc::kInvalidParams,
                "Unknown tool: " + tool_name + " (tools/list shows the tools you may call)");
  }
  if (std::string hidden = registry_.HiddenReason(*call->tool); !hidden.empty()) {
    return Fail(id, rpc::kInvalidParams, "tool " + tool_name + " is not available: " + hidden);
  }
  auto args = params.find("arguments");
  call->arguments = args == params.end() || args->is_null() ? json::object() : *args;
  if (auto missing = call->tool->MissingScopes(principal); !missing.empty()) {
    LogAuthz(principal, tool_name, false, "missing scope " + JoinScopes(missing));
    Reply r =
        Fail(id, rpc::kForbidden, "tool " + tool_name + " needs scope " + JoinScopes(missing));
    r.missing_scopes = std::move(missing);
    return r;
  }
  if (auto error = call->tool->validator.Validate(call->arguments)) {
    return Respond(id, ToolResultJson(ToolResult::Error(*error), session.protocol_version()));
  }
  if (auto missing = call->tool->MissingScopes(principal, call->arguments); !missing.empty()) {
    LogAuthz(principal, tool_name, false, "missing scope " + JoinScopes(missing));
    Reply r = Fail(id, rpc::kForbidden,
                   "this call of " + tool_name + " needs scope " + JoinScopes(missing) +
                       " (from its arguments)");
    r.missing_scopes = std::move(missing);
    return r;
  }
  if (log_allowed) LogAuthz(principal, tool_name, true, "scopes satisfied");
  return std::nullopt;
}

std::optional<Reply> McpServer::Precheck(const Session& session, const Principal& principal,
                                         const json& message) const {
  PreparedCall call;
  return Prepare(session, principal, message, /*log_allowed=*/false, &call);
}

bool McpServer::WantsStreaming(const json& message) const {
  if (StringField(message, "method") != "tools/call") return false;
  const json& params = ParamsOf(message);
  if (!ProgressTokenOf(params).is_null()) return true;
  auto name = params.find("name");
  if (name == params.end() || !name->is_string()) return false;
  const RegisteredTool* tool = registry_.Find(name->get<std::string>());
  return tool != nullptr && tool->tool.streams;
}

std::optional<Reply> McpServer::Limit(const Principal& principal, const RegisteredTool& tool,
                                      const json& id) const {
  RateLimiter* limiter = options_.limiter;
  if (limiter == nullptr || !tool.tool.CountsAgainstRateLimit()) return std::nullopt;
  RateLimiter::Decision d = limiter->Take(principal.subject);
  if (d.allowed) return std::nullopt;
  long long seconds = RetryAfterSeconds(d.retry_after);
  const RateLimit& limit = limiter->limit();
  log::Warn("rate_limited",
            {{"subject", principal.subject}, {"tool", tool.tool.name}, {"retry_after", seconds}});
  if (options_.on_rate_limited) options_.on_rate_limited(tool.tool.name);
  std::string message = "rate limited: " + principal.subject + " has used its " +
                        std::to_string(limit.burst) +
                        " calls of write tools and plan previews (refilled at " +
                        std::to_string(limit.per_minute) + " a minute); nothing was done. Retry " +
                        tool.tool.name + " in " + std::to_string(seconds) + " s";
  json data{{"retryAfterSeconds", seconds},
            {"retryAfterMs", d.retry_after.count()},
            {"burst", limit.burst},
            {"perMinute", limit.per_minute}};
  return Reply{MakeError(id, rpc::kRateLimited, std::move(message), std::move(data)), {}};
}

Reply McpServer::CallTool(Session& session, const Principal& principal, const json& message,
                          Outbound& outbound) const {
  PreparedCall prepared;
  if (auto refused = Prepare(session, principal, message, /*log_allowed=*/true, &prepared)) {
    return *refused;
  }
  json id = IdOf(message);
  if (auto refused = Limit(principal, *prepared.tool, id)) return *refused;
  json token = ProgressTokenOf(ParamsOf(message));
  ToolCall call;
  call.principal = principal;
  call.arguments = std::move(prepared.arguments);
  call.cancelled = session.BeginRequest(id);
  if (!token.is_null()) {
    call.progress = [&outbound, token](double done, std::optional<double> total,
                                       const std::string& text) {
      json p{{"progressToken", token}, {"progress", done}};
      if (total) p["total"] = *total;
      if (!text.empty()) p["message"] = text;
      outbound.Send(MakeNotification("notifications/progress", std::move(p)));
    };
  }
  call.log = [&outbound, &session](LogLevel level, const json& data) {
    if (level < session.log_level()) return;
    outbound.Send(
        MakeNotification("notifications/message",
                         {{"level", LogLevelName(level)}, {"logger", "datamcp"}, {"data", data}}));
  };
  const std::string& name = prepared.tool->tool.name;
  Reply reply;
  try {
    ToolResult result = prepared.tool->tool.handler(call);
    reply = Respond(id, ToolResultJson(result, session.protocol_version()));
  } catch (const std::exception& e) {
    log::Error("mcp.tool_exception", {{"tool", name}, {"what", e.what()}});
    reply =
        Fail(id, rpc::kInternalError, "internal error in tool " + name + "; see the server log");
  }
  reply.cancelled = call.Cancelled();
  if (reply.cancelled) reply.message = MakeError(id, rpc::kRequestCancelled, "request cancelled");
  session.EndRequest(id);
  return reply;
}

}  // namespace datamcp::bot::mcp
