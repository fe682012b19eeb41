#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bot/http/request_head.h"

namespace datamcp::bot {

// A keep-alive connection between requests, with the bytes already read of the next one.
struct OpenConnection {
  // At most this much is read ahead of a request (the workers' read buffer holds it).
  static constexpr std::size_t kMaxBuffered = 64 * 1024;

  int fd = -1;
  std::string peer;
  std::size_t requests_left = 0;  // keep-alive requests it may still make
  std::string buffered;
};

// A request a route serves inside the loop, and the route's answer.
struct InlineExchange {
  RequestHead head;
  std::string_view body;
  // Set by the route:
  int status = 500;
  std::string content_type;  // with response_body
  std::string response_body;
};
// Serves a batch of requests of one route, all read in one wake-up of one loop: one batch can
// cost one commit. Called on the loop's thread (several loops call it at once).
using InlineHandler = std::function<void(std::span<InlineExchange>)>;

// The HTTP front's event loops. Keep-alive connections wait here for their next request
// instead of holding a worker thread, and so do fresh ones for their first when a route is
// served inline (HttpFront accepts them straight into the loops). When a request arrives
// whole and an inline route takes it
// (a POST with a Content-Length to an exact path: the webhook intake), the loop serves it
// itself, with every other such request of the same wake-up in one batch; a thread hand-off
// per request costs more than the intake's own work (docs/design.md, "HTTP front"). Anything
// else (another route, a partial or unusual head, a body still arriving, pipelined bytes) is
// handed back to a worker with the bytes read so far, where cpp-httplib serves it in full.
class ConnectionLoop {
 public:
  struct Options {
    int loops = 2;
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(5)};  // keep-alive timeout
    // Larger heads go to a worker (it answers 431): ConnectionGuards' bounds. 0 sends every
    // request to a worker.
    std::size_t max_head_bytes = 0;
    std::size_t max_head_lines = 0;
    // Connections waiting at once; past it a connection waits on its worker instead.
    std::size_t max_waiting = 256;
  };
  struct Hooks {
    // Serves `conn` on a worker, from its buffered bytes on.
    std::function<void(OpenConnection)> hand_back;
    // Closes `conn` (and forgets it in the per-peer count).
    std::function<void(OpenConnection&)> close;
    // Counts one request served inline.
    std::function<void(std::string_view path, std::string_view method, int status, double seconds)>
        observe;
  };

  ConnectionLoop(Options options, Hooks hooks);
  ~ConnectionLoop();
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  // Serves `method` `path` inline, for bodies up to max_body bytes. Before Start().
  void AddRoute(std::string method, std::string path, std::size_t max_body, InlineHandler handler);

  // Whether requests to `method` `path` are served inline (when they arrive whole).
  bool ServesInline(std::string_view method, std::string_view path) const;

  void Start();
  // Closes every waiting connection and stops; requests being served inline are answered
  // first. Park fails from then on.
  void Stop();

  // Takes `conn` (which has no buffered bytes) to wait for its next request. False when
  // stopped or full (max_waiting): `conn` is then still the caller's.
  bool Park(OpenConnection& conn);
  // Takes a connection just accepted, to wait for its first request: parked, or when stopped
  // or full handed to a worker at once. Never waits (called on the accepting thread).
  void Take(OpenConnection conn);
  // Whether a route is served inline: only then do fresh connections come here first (their
  // first request may be one the loop serves; otherwise it would cost them a hand-off).
  bool HasRoutes() const { return !routes_.empty(); }

  // Connections waiting in the loops now.
  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }
  // Requests served inline since start.
  std::uint64_t served() const { return served_.load(std::memory_order_relaxed); }

 private:
  struct Route {
    std::string method;
    std::string path;
    std::size_t max_body;
    InlineHandler handler;
  };
  class Loop;

  const Options options_;
  const Hooks hooks_;
  std::vector<Route> routes_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> waiting_{0};
  std::atomic<std::uint64_t> served_{0};
};

}  // namespace datamcp::bot
