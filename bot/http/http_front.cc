#include "bot/http/http_front.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "bot/http/connection_pool.h"
#include "gitops/common/log.h"

namespace datamcp::bot {
namespace {

// httplib calls the pre-routing handler and the logger on the worker thread that serves
// the request, so the start time can live in a thread_local.
thread_local std::chrono::steady_clock::time_point request_start;

// What an error httplib answered by itself means, for its JSON-RPC body.
std::string ErrorMessage(const httplib::Request& req, int status, std::size_t limit,
                         const std::string& key) {
  switch (status) {
    case 413: {
      std::string length = req.get_header_value("Content-Length");
      return "Payload Too Large: the request body" +
             (length.empty() ? std::string() : " of " + length + " bytes") +
             " is over the limit of " + std::to_string(limit) + " bytes (" + key +
             "); send less, e.g. split the change into several requests";
    }
    case 414:
      return "URI Too Long: the request line is over the server's limit; shorten the URL";
    case 404:
      return "Not Found: no route " + req.method + " " + req.path + "; MCP clients use POST /mcp";
    case 400:
      return "Bad Request: the HTTP request is malformed";
    default:
      return "HTTP " + std::to_string(status) + " for " + req.method + " " + req.path;
  }
}

}  // namespace

HttpFront::HttpFront(const config::ServerConfig& config, Metrics& metrics)
    : config_(config),
      metrics_(metrics),
      loop_(
          {.loops = config_.event_loops,
           .idle_timeout = std::chrono::seconds(config_.keep_alive_seconds),
           // Heads over the workers' bounds go to a worker, which answers 431.
           .max_head_bytes = ConnectionGuards{}.max_head_bytes,
           .max_head_lines = ConnectionGuards{}.max_head_lines,
           .max_waiting = static_cast<std::size_t>(config_.max_connections)},
          {.hand_back = [this](OpenConnection conn) { HandBack(std::move(conn)); },
           .close = [this](OpenConnection& conn) { server_.CloseOpen(conn); },
           .observe =
               [this](std::string_view path, std::string_view method, int status, double seconds) {
                 metrics_.ObserveRequest(RouteLabel(std::string(path)), std::string(method), status,
                                         seconds);
               }}) {
  int threads = config_.threads;
  int max_connections = config_.max_connections;
  server_.new_task_queue = [this, threads, max_connections] {
    auto* pool = new ConnectionPool(threads, max_connections, [this] {
      std::lock_guard lock(pool_mu_);
      pool_ = nullptr;
    });
    // A fresh connection waits for its first request in the loops when they may serve it.
    pool->AcceptOnThisThread(config_.event_loops > 0 && loop_.HasRoutes());
    std::lock_guard lock(pool_mu_);
    pool_ = pool;
    return pool;
  };
  if (config_.event_loops > 0) server_.set_loop(&loop_);
  // Without TCP_NODELAY small responses wait for delayed ACKs (~300 req/s).
  server_.set_tcp_nodelay(true);
  // httplib's default options add SO_REUSEPORT, which lets a second process silently
  // share the port; keep only SO_REUSEADDR.
  server_.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket_ = sock;
  });
  SetPayloadLimit(config_.max_body_bytes, "server.max_body_bytes");
  server_.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                        httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = ErrorMessage(req, res.status, payload_limit_, payload_limit_key_);
    nlohmann::json body{
        {"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32600}, {"message", message}}}};
    res.set_content(body.dump(), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
  // 0: half of the connections, so one address can never take them all.
  const int per_peer = config_.max_connections_per_peer > 0
                           ? std::min(config_.max_connections_per_peer, max_connections)
                           : std::max(1, max_connections / 2);
  server_.set_guards({.max_per_peer = per_peer,
                      .head_timeout = std::chrono::seconds(config_.request_head_timeout_seconds)});
  auto& refused = prometheus::BuildCounter()
                      .Name("datamcp_http_connections_refused_total")
                      .Help(
                          "Connections closed without being served, by reason: per_peer "
                          "(server.max_connections_per_peer), head_timeout "
                          "(server.request_head_timeout_seconds), head_too_large (431).")
                      .Register(metrics_.registry());
  server_.set_refusal_counters({.per_peer = &refused.Add({{"reason", "per_peer"}}),
                                .head_timeout = &refused.Add({{"reason", "head_timeout"}}),
                                .head_too_large = &refused.Add({{"reason", "head_too_large"}})});
  server_.set_read_timeout(config_.read_timeout_seconds, 0);
  server_.set_write_timeout(config_.write_timeout_seconds, 0);
  server_.set_keep_alive_max_count(10000);
  server_.set_keep_alive_timeout(config_.keep_alive_seconds);
  server_.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    request_start = std::chrono::steady_clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - request_start).count();
    metrics_.ObserveRequest(RouteLabel(req.path), req.method, res.status, seconds);
  });
  server_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log::Error("http_handler_exception", {{"path", req.path}, {"error", what}});
        res.status = 500;
        res.set_content("internal error\n", "text/plain");
      });
}

HttpFront::~HttpFront() { Stop(); }

void HttpFront::SetPayloadLimit(std::size_t bytes, std::string key) {
  payload_limit_ = bytes;
  payload_limit_key_ = std::move(key);
  server_.set_payload_max_length(bytes);
}

void HttpFront::ServeInline(std::string method, std::string path, std::size_t max_body,
                            InlineHandler handler) {
  inline_routes_.push_back({std::move(method), std::move(path), max_body, std::move(handler)});
}

void HttpFront::StartLoops() {
  for (InlineRoute& r : inline_routes_) {
    // A larger body goes to a worker, where httplib answers 413 as for any route.
    loop_.AddRoute(r.method, r.path, std::min(r.max_body, payload_limit_), r.handler);
  }
  loop_.Start();
}

void HttpFront::HandBack(OpenConnection conn) {
  std::lock_guard lock(pool_mu_);
  if (pool_ == nullptr) return server_.CloseOpen(conn);
  // A std::function must be copyable; the connection moves through a shared_ptr.
  auto shared = std::make_shared<OpenConnection>(std::move(conn));
  pool_->Queue([this, shared] { server_.ServeOpen(std::move(*shared)); });
}

std::string HttpFront::RouteLabel(const std::string& path) const {
  return routes_.contains(path) ? path : "other";
}

Status HttpFront::Bind() {
  if (config_.port == 0) {
    port_ = server_.bind_to_any_port(config_.bind);
  } else {
    port_ = server_.bind_to_port(config_.bind, config_.port) ? config_.port : -1;
  }
  // httplib 0.11.4 listens with a backlog of 5: a burst of connections (or a few idle ones
  // arriving together) loses SYNs and every client behind them waits a 1 s retransmit.
  // Listening again on the bound socket raises the backlog.
  if (port_ > 0 && listen_socket_ >= 0) ::listen(listen_socket_, SOMAXCONN);
  if (port_ <= 0) {
    return Unavailable("cannot listen on " + config_.bind + ":" + std::to_string(config_.port) +
                       " (address in use or not local?)");
  }
  return Status::Ok();
}

void HttpFront::Start() {
  StartLoops();
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // The socket is already bound and listening, so clients queue in the backlog; waiting
  // for the accept loop only makes Stop() right after Start() reliable.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void HttpFront::Run() {
  StartLoops();
  server_.listen_after_bind();
}

void HttpFront::Stop() {
  // The loops first: their waiting connections close, and a request they are serving is
  // answered while the workers' pool can still take what they hand back.
  loop_.Stop();
  if (server_.is_running()) server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace datamcp::bot
