#include "bot/mcp/http_transport.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "bot/auth/auth_log.h"
#include "bot/auth/www_authenticate.h"
#include "bot/mcp/http_guards.h"
#include "bot/mcp/json_rpc.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"

namespace datamcp::bot::mcp {

namespace {

constexpr char kJson[] = "application/json";
constexpr char kSse[] = "text/event-stream";
constexpr char kSessionHeader[] = "Mcp-Session-Id";
constexpr char kVersionHeader[] = "MCP-Protocol-Version";

struct Ctx {
  McpHttpOptions options;
  OriginPolicy policy;
  SessionManager& sessions;
  const McpServer& mcp;
  const Authenticator& auth;
  std::string metadata_url;
  std::atomic<std::size_t> get_streams{0};
};

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

void SendRpcError(httplib::Response& res, int status, int code, const std::string& message,
                  const json& id = nullptr) {
  SendJson(res, status, MakeError(id, code, message));
}

void LogAuthn(const httplib::Request& req, const std::string& reason) {
  log::Warn("mcp.authz", {{"subject", ""},
                          {"scopes", json::array()},
                          {"tool", ""},
                          {"decision", "denied"},
                          {"reason", reason},
                          {"method", req.method},
                          {"remote", req.remote_addr}});
}

// Host/Origin allowlist, then bearer authentication. False when `res` holds the refusal.
bool Guard(Ctx& c, const httplib::Request& req, httplib::Response& res, Principal* out) {
  if (!c.policy.HostAllowed(req.get_header_value("Host")) ||
      !c.policy.OriginAllowed(req.get_header_value("Origin"))) {
    log::Warn("mcp.forbidden_origin",
              {{"host", req.get_header_value("Host")}, {"origin", req.get_header_value("Origin")}});
    SendRpcError(res, 403, rpc::kInvalidRequest,
                 "Forbidden: Host or Origin header is not allowed (DNS rebinding protection); "
                 "add it to server.allowed_hosts / server.allowed_origins");
    return false;
  }
  if (req.has_param("access_token")) {
    LogAuthn(req, "token in query string");
    SendRpcError(res, 400, rpc::kInvalidRequest,
                 "access tokens are accepted only in the Authorization header, never in the URL");
    return false;
  }
  std::string token;
  if (!BearerToken(req.get_header_value("Authorization"), &token)) {
    LogAuthn(req, "Authorization header is not a Bearer token");
    res.set_header("WWW-Authenticate", WwwAuthenticate401(c.metadata_url, "invalid_request",
                                                          "use Authorization: Bearer <token>"));
    SendRpcError(res, 401, rpc::kInvalidRequest, "Unauthorized: use Authorization: Bearer <token>");
    return false;
  }
  auto principal = c.auth.Authenticate(token);
  if (!principal.ok()) {
    std::string why = principal.status().message();
    LogAuthn(req, token.empty() ? "no token" : why);
    res.set_header("WWW-Authenticate",
                   WwwAuthenticate401(c.metadata_url, token.empty() ? "" : "invalid_token",
                                      token.empty() ? "" : why));
    SendRpcError(
        res, 401, rpc::kInvalidRequest,
        "Unauthorized: " + (token.empty() ? std::string("a bearer token is required") : why));
    return false;
  }
  *out = std::move(principal).value();
  return true;
}

bool CheckVersionHeader(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header(kVersionHeader)) return true;
  std::string v = req.get_header_value(kVersionHeader);
  if (McpServer::IsSupportedVersion(v)) return true;
  SendRpcError(res, 400, rpc::kInvalidRequest,
               "Bad Request: unsupported MCP-Protocol-Version \"" + v.substr(0, 32) +
                   "\"; supported: 2025-11-25, 2025-06-18, 2025-03-26");
  return false;
}

// The request's session, or nullptr with `res` holding 400/404, or 503 when the session
// store is unreachable (the client retries the same session rather than starting over).
std::shared_ptr<Session> RequireSession(Ctx& c, const httplib::Request& req, httplib::Response& res,
                                        const Principal& p) {
  if (!req.has_header(kSessionHeader)) {
    SendRpcError(res, 400, rpc::kInvalidRequest,
                 "Bad Request: Mcp-Session-Id header is required (send initialize first)");
    return nullptr;
  }
  auto found = c.sessions.Find(req.get_header_value(kSessionHeader));
  if (!found.ok()) {
    res.set_header("Retry-After", "1");
    SendRpcError(res, 503, rpc::kInternalError, "Service Unavailable: " + found.status().message());
    return nullptr;
  }
  std::shared_ptr<Session> session = std::move(*found);
  if (session == nullptr || session->subject() != p.subject) {
    SendRpcError(res, 404, -32001, "Session not found: it ended or expired; initialize again");
    return nullptr;
  }
  return session;
}

class StandaloneOutbound final : public Outbound {
 public:
  explicit StandaloneOutbound(Session& s) : session_(s) {}
  void Send(const json& message) override { session_.PushStandalone(message); }

 private:
  Session& session_;
};

bool WriteEvent(httplib::DataSink& sink, const json& message) {
  std::string event = "event: message\ndata: " + message.dump() + "\n\n";
  return sink.write(event.data(), event.size());
}

// Writes a request's notifications to its SSE stream; a failed write cancels the request.
class SseOutbound final : public Outbound {
 public:
  SseOutbound(httplib::DataSink& sink, Session& session, json id)
      : sink_(sink), session_(session), id_(std::move(id)) {}
  void Send(const json& message) override {
    std::lock_guard lock(mu_);
    if (broken_) return;
    if (!WriteEvent(sink_, message)) {
      broken_ = true;
      session_.Cancel(id_);
    }
  }

 private:
  std::mutex mu_;
  httplib::DataSink& sink_;
  Session& session_;
  json id_;
  bool broken_ = false;
};

void SendReply(Ctx& c, httplib::Response& res, const Reply& reply) {
  if (!reply.missing_scopes.empty()) {
    res.set_header("WWW-Authenticate", WwwAuthenticate403(reply.missing_scopes, c.metadata_url));
    SendJson(res, 403, *reply.message);
    return;
  }
  SendJson(res, 200, *reply.message);
}

void HandleInitialize(Ctx& c, httplib::Response& res, const Principal& p, const json& msg) {
  auto created = c.sessions.Create(p.subject);
  if (!created.ok()) {
    SendRpcError(res, 503, rpc::kInternalError, created.status().message(), IdOf(msg));
    return;
  }
  std::shared_ptr<Session> session = std::move(created).value();
  StandaloneOutbound out(*session);
  Reply reply = c.mcp.Handle(*session, p, msg, out);
  if (session->protocol_version().empty()) {
    c.sessions.Remove(session->id());
  } else {
    c.sessions.Persist(*session);
    res.set_header(kSessionHeader, session->id());
    log::Info("mcp.session_start",
              {{"subject", p.subject}, {"protocol_version", session->protocol_version()}});
  }
  SendReply(c, res, reply);
}

void StreamCall(Ctx& c, httplib::Response& res, std::shared_ptr<Session> session,
                const Principal& p, const json& msg) {
  res.set_header("Cache-Control", "no-cache");
  const McpServer* mcp = &c.mcp;
  res.set_chunked_content_provider(kSse,
                                   [mcp, session, p, msg](std::size_t, httplib::DataSink& sink) {
                                     SseOutbound out(sink, *session, IdOf(msg));
                                     Reply reply = mcp->Handle(*session, p, msg, out);
                                     if (!reply.cancelled && reply.message)
                                       out.Send(*reply.message);
                                     sink.done();
                                     return true;
                                   });
}

void HandleBatch(Ctx& c, const httplib::Request& req, httplib::Response& res, const Principal& p,
                 const json& batch) {
  auto session = req.has_header(kSessionHeader) ? RequireSession(c, req, res, p) : nullptr;
  if (session == nullptr && req.has_header(kSessionHeader)) return;
  if (session == nullptr || session->protocol_version() != "2025-03-26" || batch.empty()) {
    SendRpcError(res, 400, rpc::kInvalidRequest,
                 "Invalid Request: JSON-RPC batches are not supported from protocol version "
                 "2025-06-18 on (and never for initialize); send one message per POST");
    return;
  }
  json responses = json::array();
  StandaloneOutbound out(*session);
  for (const auto& msg : batch) {
    if (StringField(msg, "method") == "initialize") {
      responses.push_back(
          MakeError(IdOf(msg), rpc::kInvalidRequest, "initialize cannot be batched"));
      continue;
    }
    Reply r = c.mcp.Handle(*session, p, msg, out);
    if (r.message) responses.push_back(*r.message);
  }
  if (responses.empty()) {
    res.status = 202;
  } else {
    SendJson(res, 200, responses);
  }
}

void HandleMessage(Ctx& c, const httplib::Request& req, httplib::Response& res, const Principal& p,
                   const json& msg) {
  std::string why;
  MessageKind kind = Classify(msg, &why);
  if (kind == MessageKind::kInvalid) {
    SendRpcError(res, 400, rpc::kInvalidRequest, "Invalid Request: " + why, IdOf(msg));
    return;
  }
  if (kind == MessageKind::kRequest && msg["method"] == "initialize") {
    HandleInitialize(c, res, p, msg);
    return;
  }
  auto session = RequireSession(c, req, res, p);
  if (session == nullptr) return;
  StandaloneOutbound standalone(*session);
  if (kind != MessageKind::kRequest) {
    (void)c.mcp.Handle(*session, p, msg, standalone);
    res.status = 202;
    return;
  }
  if (c.mcp.WantsStreaming(msg)) {
    if (auto refused = c.mcp.Precheck(*session, p, msg)) {
      SendReply(c, res, *refused);
    } else {
      StreamCall(c, res, session, p, msg);
    }
    return;
  }
  Reply reply = c.mcp.Handle(*session, p, msg, standalone);
  if (reply.message) SendReply(c, res, reply);
}

void HandlePost(Ctx& c, const httplib::Request& req, httplib::Response& res) {
  Principal p;
  if (!Guard(c, req, res, &p)) return;
  std::string accept = req.get_header_value("Accept");
  if (!Accepts(accept, kJson) || !Accepts(accept, kSse)) {
    SendRpcError(res, 406, rpc::kInvalidRequest,
                 "Not Acceptable: the Accept header must list application/json and "
                 "text/event-stream");
    return;
  }
  if (req.get_header_value("Content-Type").find(kJson) == std::string::npos) {
    SendRpcError(res, 415, rpc::kInvalidRequest,
                 "Unsupported Media Type: send Content-Type: application/json");
    return;
  }
  if (!CheckVersionHeader(req, res)) return;
  // The server may accept larger bodies for other routes (webhooks); /mcp keeps its own.
  if (req.body.size() > c.options.max_body_bytes) {
    SendRpcError(res, 413, rpc::kInvalidRequest,
                 "Payload Too Large: the request body of " + std::to_string(req.body.size()) +
                     " bytes is over the limit of " + std::to_string(c.options.max_body_bytes) +
                     " bytes (server.max_body_bytes); send less, e.g. split the change");
    return;
  }
  Result<json> parsed = ParseJson(req.body, "the body");
  if (!parsed.ok()) {
    SendRpcError(res, 400, ParseErrorCode(parsed.status()), ParseErrorMessage(parsed.status()));
    return;
  }
  const json& msg = *parsed;
  if (msg.is_array()) {
    HandleBatch(c, req, res, p, msg);
  } else {
    HandleMessage(c, req, res, p, msg);
  }
}

bool GetStreamTick(Ctx* c, Session& session, httplib::DataSink& sink) {
  std::vector<json> batch;
  session.WaitStandalone(c->options.keepalive_interval, &batch);
  if (session.closed() || session.stream_ending()) {
    sink.done();
    return true;
  }
  if (batch.empty()) {
    static constexpr char kKeepalive[] = ": keepalive\n\n";
    return sink.write(kKeepalive, sizeof(kKeepalive) - 1);
  }
  for (const auto& m : batch) {
    if (!WriteEvent(sink, m)) return false;
  }
  return true;
}

void HandleGet(Ctx& c, const httplib::Request& req, httplib::Response& res) {
  Principal p;
  if (!Guard(c, req, res, &p)) return;
  if (!Accepts(req.get_header_value("Accept"), kSse)) {
    SendRpcError(res, 406, rpc::kInvalidRequest,
                 "Not Acceptable: GET needs Accept: text/event-stream");
    return;
  }
  if (!CheckVersionHeader(req, res)) return;
  auto session = RequireSession(c, req, res, p);
  if (session == nullptr) return;
  if (!c.options.enable_get_stream) {
    res.set_header("Allow", "POST, DELETE");
    SendRpcError(res, 405, rpc::kInvalidRequest, "Method Not Allowed: no standalone SSE stream");
    return;
  }
  if (c.get_streams.fetch_add(1) >= c.options.max_get_streams) {
    c.get_streams.fetch_sub(1);
    SendRpcError(res, 503, rpc::kInternalError, "too many open SSE streams; retry later");
    return;
  }
  if (!session->AttachStream()) {
    c.get_streams.fetch_sub(1);
    SendRpcError(res, 409, rpc::kInvalidRequest, "Conflict: this session already has a GET stream");
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  Ctx* ctx = &c;
  res.set_chunked_content_provider(
      kSse,
      [ctx, session](std::size_t, httplib::DataSink& sink) {
        return GetStreamTick(ctx, *session, sink);
      },
      [ctx, session](bool) {
        session->DetachStream();
        ctx->get_streams.fetch_sub(1);
      });
}

void HandleDelete(Ctx& c, const httplib::Request& req, httplib::Response& res) {
  Principal p;
  if (!Guard(c, req, res, &p)) return;
  auto session = RequireSession(c, req, res, p);
  if (session == nullptr) return;
  c.sessions.Remove(session->id());
  log::Info("mcp.session_end", {{"subject", p.subject}});
  res.status = 200;
}

json ResourceMetadata(const Ctx& c) {
  json m{{"resource", c.options.public_url + c.options.path},
         {"authorization_servers", c.options.authorization_servers},
         {"bearer_methods_supported", {"header"}},
         {"resource_name", "DataMCP"}};
  if (!c.options.scopes_supported.empty()) m["scopes_supported"] = c.options.scopes_supported;
  return m;
}

}  // namespace

void RegisterMcpRoutes(httplib::Server& server, const McpHttpOptions& options,
                       SessionManager& sessions, const McpServer& mcp,
                       const Authenticator& authenticator) {
  auto c = std::shared_ptr<Ctx>(
      new Ctx{options,
              OriginPolicy(options.port, options.public_url, options.allowed_hosts,
                           options.allowed_origins),
              sessions, mcp, authenticator,
              options.public_url + "/.well-known/oauth-protected-resource" + options.path});
  server.Post(options.path,
              [c](const httplib::Request& q, httplib::Response& r) { HandlePost(*c, q, r); });
  server.Get(options.path,
             [c](const httplib::Request& q, httplib::Response& r) { HandleGet(*c, q, r); });
  server.Delete(options.path,
                [c](const httplib::Request& q, httplib::Response& r) { HandleDelete(*c, q, r); });
  auto metadata = [c](const httplib::Request&, httplib::Response& r) {
    SendJson(r, 200, ResourceMetadata(*c));
  };
  server.Get("/.well-known/oauth-protected-resource", metadata);
  server.Get("/.well-known/oauth-protected-resource" + options.path, metadata);
}

}  // namespace datamcp::bot::mcp
