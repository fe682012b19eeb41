#pragma once

#include <httplib.h>
#include <prometheus/counter.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "bot/http/connection_loop.h"

namespace datamcp::bot {

struct ConnectionGuards {
  // Connections one peer address may hold open at once; more get 503 and are closed at once.
  // 0: unbounded.
  int max_per_peer = 0;
  // The request line and headers must arrive within this of the request's start, however
  // the bytes trickle in (cpp-httplib alone restarts its read timeout with every byte).
  std::chrono::milliseconds head_timeout{std::chrono::seconds(10)};
  // Bounds on the request line and headers together: bytes, and lines. Past either the
  // request is answered 431 and the connection closed. cpp-httplib 0.11.4 bounds only each
  // line (8 KiB) and keeps every header in memory: a client could send a million headers in
  // the head deadline (one such connection took 100 MB). GitHub and MCP clients send a
  // few dozen lines; Node's defaults are 16 KiB and 2,000 headers.
  std::size_t max_head_bytes = 32 * 1024;
  std::size_t max_head_lines = 256;
};

// cpp-httplib's Server with its connection loop replaced (the override of its
// process_and_close_socket, built on the protected process_request): the same keep-alive
// loop, timeouts and request handling, plus a bound on connections per peer address and a
// deadline for each request head (a slow-header client is cut off there, and its worker
// freed). With a ConnectionLoop, a connection waits for its next request in the loop rather
// than on its worker, and comes back through ServeOpen; a connection accepted on the
// accepting thread (ConnectionPool::AcceptOnThisThread) goes to the loop at once, once its
// peer is admitted, to wait there for its first. Thread-safe as httplib::Server is;
// set_guards and set_loop before listening.
class GuardedServer : public httplib::Server {
 public:
  void set_guards(const ConnectionGuards& guards) { guards_ = guards; }
  // Where refusals are counted (the front's datamcp_http_connections_refused_total{reason});
  // set before listening. Unset ones count nothing.
  struct RefusalCounters {
    prometheus::Counter* per_peer = nullptr;
    prometheus::Counter* head_timeout = nullptr;
    prometheus::Counter* head_too_large = nullptr;
  };
  void set_refusal_counters(const RefusalCounters& counters) { counters_ = counters; }
  // Where keep-alive connections wait between requests (nullptr: on their worker).
  void set_loop(ConnectionLoop* loop) { loop_ = loop; }

  // Serves a connection the loop handed back, from its buffered bytes on; on a worker.
  void ServeOpen(OpenConnection conn);
  // Closes a connection the loop held, and forgets it in the per-peer count.
  void CloseOpen(OpenConnection& conn);

  // Connections refused because their peer was at its bound, and request heads cut off at
  // their deadline, since start.
  std::uint64_t refused_per_peer() const { return Read(counters_.per_peer); }
  std::uint64_t head_timeouts() const { return Read(counters_.head_timeout); }
  // Request heads refused for their size (431), since start.
  std::uint64_t heads_too_large() const { return Read(counters_.head_too_large); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // The keep-alive loop over `conn`'s requests; closes it, unless it was parked in the loop.
  bool Serve(OpenConnection conn);
  bool Admit(const std::string& peer);
  void Release(const std::string& peer);
  // Waits up to the keep-alive timeout for the next request's first byte (true at once when
  // the stream has it `buffered`); false when the client stays idle, goes away, or the
  // server stops.
  bool WaitForRequest(socket_t sock, bool buffered) const;

  ConnectionGuards guards_;
  std::mutex mu_;
  std::unordered_map<std::string, int> per_peer_;
  static void Count(prometheus::Counter* counter) {
    if (counter != nullptr) counter->Increment();
  }
  static std::uint64_t Read(const prometheus::Counter* counter) {
    return counter == nullptr ? 0 : static_cast<std::uint64_t>(counter->Value());
  }
  RefusalCounters counters_;
  ConnectionLoop* loop_ = nullptr;
};

}  // namespace datamcp::bot
