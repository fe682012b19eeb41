#pragma once

#include <httplib.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "bot/http/connection_loop.h"
#include "bot/http/connection_pool.h"
#include "bot/http/guarded_server.h"
#include "bot/http/metrics.h"
#include "gitops/common/status.h"
#include "gitops/config/config.h"

namespace datamcp::bot {

// The HTTP front: a cpp-httplib server with an elastic worker pool (ConnectionPool), a bound on
// connections per peer and a deadline for each request head (GuardedServer), TCP_NODELAY, a
// body limit, timeouts and per-request metrics. Parts register their routes on server() before
// Start(). Every error httplib answers by itself (413 body too large, 414, 404 no route, 400) gets
// a JSON-RPC error body saying what was wrong, so an MCP client can show it.
class HttpFront {
 public:
  HttpFront(const config::ServerConfig& config, Metrics& metrics);
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  httplib::Server& server() { return server_; }
  // Connections refused at the per-peer bound, and request heads cut at their deadline.
  std::uint64_t refused_per_peer() const { return server_.refused_per_peer(); }
  std::uint64_t head_timeouts() const { return server_.head_timeouts(); }
  std::uint64_t heads_too_large() const { return server_.heads_too_large(); }

  // Raises (or lowers) the body limit httplib enforces before any handler runs; `key` names
  // the setting that chose it, for the 413 answer.
  void SetPayloadLimit(std::size_t bytes, std::string key);

  // Declares a route pattern so metrics label requests with it instead of "other".
  void AddRouteLabel(const std::string& path) { routes_.insert(path); }

  // Also serves `method` `path` in the front's event loops, for keep-alive connections whose
  // request arrives whole with a Content-Length up to `max_body` (ConnectionLoop); the same
  // route must be registered on server() too, for every other request. Before Start().
  void ServeInline(std::string method, std::string path, std::size_t max_body,
                   InlineHandler handler);
  // Keep-alive connections waiting in the event loops now, and requests they served.
  std::size_t waiting_connections() const { return loop_.waiting(); }
  std::uint64_t served_inline() const { return loop_.served(); }

  // Binds the configured address (port 0 picks a free one); errors name the address (the
  // caller adds which settings chose it).
  Status Bind();
  int port() const { return port_; }

  // Serves on a background thread until Stop().
  void Start();
  // Serves on the calling thread until Stop() (from a signal watcher or another thread).
  void Run();
  void Stop();

 private:
  std::string RouteLabel(const std::string& path) const;
  // Serves a connection the loop handed back on a worker (closes it once the pool is gone).
  void HandBack(OpenConnection conn);
  // Gives the loops their inline routes (bodies capped by the payload limit) and starts them.
  void StartLoops();

  config::ServerConfig config_;
  Metrics& metrics_;
  GuardedServer server_;
  ConnectionLoop loop_;
  struct InlineRoute {
    std::string method, path;
    std::size_t max_body;
    InlineHandler handler;
  };
  std::vector<InlineRoute> inline_routes_;
  std::mutex pool_mu_;
  ConnectionPool* pool_ = nullptr;  // while listening
  std::set<std::string> routes_;
  std::size_t payload_limit_ = 0;
  std::string payload_limit_key_ = "server.max_body_bytes";
  int port_ = 0;
  int listen_socket_ = -1;  // the bound socket, for its backlog
  std::thread thread_;
};

}  // namespace datamcp::bot
