#include "bot/http/guarded_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "bot/http/connection_pool.h"
#include "gitops/common/log.h"

namespace datamcp::bot {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long a worker keeps a quiet keep-alive connection before it goes to the event loop.
constexpr auto kParkAfter = std::chrono::milliseconds(100);

// "ip" and port of a socket address (IPv4 or IPv6).
void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    port = ntohs(a.sin6_port);
  }
  ip = text;
}

// Waits until `sock` has `events` or `timeout` passes (EINTR resumes the wait).
bool PollFor(int sock, short events, std::chrono::milliseconds timeout) {
  const auto until = SteadyClock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - SteadyClock::now());
    pollfd p{sock, events, 0};
    const int n = poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

std::chrono::milliseconds Span(time_t sec, time_t usec) {
  return std::chrono::milliseconds(sec * 1000 + usec / 1000);
}

// A connection's stream as httplib's SocketStream, with a deadline on the request head: while
// it is set, no wait for bytes goes past it.
//
// Made for few system calls, each of which costs more than the work around it (the webhook
// benchmark): reads go through one 64 KiB buffer (httplib asks for the head byte by byte
// and the body 4 KiB at a time; one recv usually takes a whole delivery), a read or write is
// tried before anything waits for the socket to be ready, and the peer's and our own address
// are asked once per connection, not once per request.
class GuardedStream final : public httplib::Stream {
 public:
  // `read_ahead`: bytes already read from the socket (at most OpenConnection::kMaxBuffered),
  // served first.
  GuardedStream(socket_t sock, std::chrono::milliseconds read_timeout,
                std::chrono::milliseconds write_timeout, const ConnectionGuards& guards,
                std::string_view read_ahead)
      : sock_(sock),
        read_timeout_(read_timeout),
        write_timeout_(write_timeout),
        max_head_bytes_(guards.max_head_bytes),
        max_head_lines_(guards.max_head_lines) {
    end_ = std::min(read_ahead.size(), kBufferSize);
    std::memcpy(buffer_.get(), read_ahead.data(), end_);
  }

  void StartHead(SteadyClock::time_point deadline) {
    head_deadline_ = deadline;
    head_bytes_ = head_lines_ = 0;
  }
  void EndHead() { head_deadline_.reset(); }
  bool head_timed_out() const { return head_timed_out_; }
  // The head went past max_head_bytes or max_head_lines: reads fail from then on, and what
  // httplib writes (its 400) is dropped, so the caller can answer 431 with WriteRaw.
  bool head_too_large() const { return head_too_large_; }
  void WriteRaw(const std::string& bytes) {
    head_too_large_ = false;
    (void)write(bytes.data(), bytes.size());
  }
  // Bytes already read from the socket (a pipelined next request).
  bool buffered() const { return begin_ < end_; }
  void DropBuffered() { begin_ = end_ = 0; }

  bool is_readable() const override { return buffered() || WaitReadable(); }
  bool is_writable() const override { return PollFor(sock_, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (head_too_large_) return -1;
    if (!buffered()) {
      if (HeadPastDeadline()) return -1;
      ssize_t n = Recv(MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!WaitReadable()) return -1;
        n = Recv(0);
      }
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.get() + begin_, n);
    begin_ += n;
    if (head_deadline_ && !CountHead(ptr, n)) return -1;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (head_too_large_) return static_cast<ssize_t>(size);
    for (;;) {
      const ssize_t n = send(sock_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !is_writable()) return -1;
    }
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    if (!remote_) remote_ = Address(getpeername);
    ip = remote_->ip;
    port = remote_->port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (!local_) local_ = Address(getsockname);
    ip = local_->ip;
    port = local_->port;
  }
  socket_t socket() const override { return sock_; }

 private:
  struct Endpoint {
    std::string ip;
    int port = 0;
  };
  static constexpr std::size_t kBufferSize = OpenConnection::kMaxBuffered;

  template <typename Query>
  Endpoint Address(Query query) const {
    Endpoint e;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (query(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, e.ip, e.port);
    return e;
  }
  // Counts head bytes and lines handed to httplib; false once past a bound.
  bool CountHead(const char* bytes, std::size_t n) {
    head_bytes_ += n;
    head_lines_ += static_cast<std::size_t>(std::count(bytes, bytes + n, '\n'));
    if (head_bytes_ <= max_head_bytes_ && head_lines_ <= max_head_lines_) return true;
    head_too_large_ = true;
    return false;
  }
  bool HeadPastDeadline() const {
    if (!head_deadline_ || SteadyClock::now() < *head_deadline_) return false;
    return TimedOut();
  }
  // Waits for bytes up to the read timeout, or the head's deadline when that comes first.
  bool WaitReadable() const {
    std::chrono::milliseconds wait = read_timeout_;
    if (head_deadline_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*head_deadline_ -
                                                                              SteadyClock::now());
      if (left <= std::chrono::milliseconds(0)) return TimedOut();
      if (left < wait) {
        if (!PollFor(sock_, POLLIN, left)) return TimedOut();
        return true;
      }
    }
    return PollFor(sock_, POLLIN, wait);
  }
  bool TimedOut() const {
    head_timed_out_ = true;
    return false;
  }
  ssize_t Recv(int flags) {
    for (;;) {
      const ssize_t n = recv(sock_, buffer_.get(), kBufferSize, flags);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  const socket_t sock_;
  const std::chrono::milliseconds read_timeout_;
  const std::chrono::milliseconds write_timeout_;
  const std::size_t max_head_bytes_;
  const std::size_t max_head_lines_;
  std::optional<SteadyClock::time_point> head_deadline_;
  mutable bool head_timed_out_ = false;
  bool head_too_large_ = false;
  std::size_t head_bytes_ = 0;
  std::size_t head_lines_ = 0;
  mutable std::optional<Endpoint> remote_;
  mutable std::optional<Endpoint> local_;
  std::unique_ptr<char[]> buffer_{new char[kBufferSize]};  // not zeroed: read before use
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// An answer after which the connection is closed: `status` ("431 Request Header Fields Too
// Large"), any extra header lines, and a JSON-RPC error whose message says what to do (clients
// of /mcp read it; others read the status).
std::string ClosingResponse(std::string_view status, std::string_view extra_headers,
                            const std::string& message) {
  const std::string body =
      nlohmann::json{
          {"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32000}, {"message", message}}}}
          .dump();
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: application/json\r\n" +
         std::string(extra_headers) +
         "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string HeadTooLargeResponse(const ConnectionGuards& guards) {
  return ClosingResponse("431 Request Header Fields Too Large", "",
                         "Request Header Fields Too Large: the request line and headers must "
                         "fit in " +
                             std::to_string(guards.max_head_bytes) + " bytes and " +
                             std::to_string(guards.max_head_lines) +
                             " lines; send fewer or smaller headers");
}

// Closing a socket with unread bytes resets the connection, and the reset can discard the
// answer just sent before the client reads it. So after refusing a request whose rest was not
// read, stop sending and read what is still coming, for a bounded time and size, before the
// close. A client that keeps sending past that gets the reset.
void LingerAfterRefusal(socket_t sock) {
  shutdown(sock, SHUT_WR);
  const auto until = SteadyClock::now() + std::chrono::milliseconds(500);
  char sink[16 * 1024];
  for (std::size_t drained = 0; drained < (1u << 20);) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - SteadyClock::now());
    if (left <= std::chrono::milliseconds(0) || !PollFor(sock, POLLIN, left)) return;
    const ssize_t n = recv(sock, sink, sizeof sink, MSG_DONTWAIT);
    if (n <= 0) return;
    drained += static_cast<std::size_t>(n);
  }
}

// The answer to a peer over its bound, written without waiting: it is closed right after.
void RefuseBusyPeer(socket_t sock) {
  static const std::string kResponse =
      ClosingResponse("503 Service Unavailable", "Retry-After: 1\r\n",
                      "Service Unavailable: too many connections from your address "
                      "(server.max_connections_per_peer); close idle ones or retry later");
  (void)!send(sock, kResponse.data(), kResponse.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

bool GuardedServer::Admit(const std::string& peer) {
  if (guards_.max_per_peer <= 0) return true;
  std::lock_guard lock(mu_);
  int& open = per_peer_[peer];
  if (open >= guards_.max_per_peer) return false;
  ++open;
  return true;
}

void GuardedServer::Release(const std::string& peer) {
  if (guards_.max_per_peer <= 0) return;
  std::lock_guard lock(mu_);
  auto it = per_peer_.find(peer);
  if (it != per_peer_.end() && --it->second <= 0) per_peer_.erase(it);
}

bool GuardedServer::WaitForRequest(socket_t sock, bool buffered) const {
  if (buffered) return true;
  // In short slices, so that stop() closes idle connections promptly.
  const auto until = SteadyClock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
  while (svr_sock_ != INVALID_SOCKET && SteadyClock::now() < until) {
    pollfd p{sock, POLLIN, 0};
    const int n = poll(&p, 1, 100);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
  return false;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  OpenConnection conn{.fd = sock, .requests_left = keep_alive_max_count_};
  int port = 0;
  if (getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, conn.peer, port);
  }
  if (!Admit(conn.peer)) {
    Count(counters_.per_peer);
    log::Warn("http.peer_connection_refused",
              {{"peer", conn.peer}, {"max_per_peer", guards_.max_per_peer}});
    RefuseBusyPeer(sock);
    shutdown(sock, SHUT_RDWR);
    close(sock);
    return false;
  }
  if (loop_ != nullptr && ConnectionPool::OnAcceptingThread()) {
    // Its first request is awaited in the event loops, like a kept-alive connection's next.
    loop_->Take(std::move(conn));
    return true;
  }
  return Serve(std::move(conn));
}

void GuardedServer::ServeOpen(OpenConnection conn) { Serve(std::move(conn)); }

void GuardedServer::CloseOpen(OpenConnection& conn) {
  Release(conn.peer);
  shutdown(conn.fd, SHUT_RDWR);
  close(conn.fd);
}

bool GuardedServer::Serve(OpenConnection conn) {
  const socket_t sock = conn.fd;
  const std::string& peer = conn.peer;
  GuardedStream stream(sock, Span(read_timeout_sec_, read_timeout_usec_),
                       Span(write_timeout_sec_, write_timeout_usec_), guards_, conn.buffered);
  conn.buffered.clear();
  bool ok = false;
  bool served = false;  // a fresh connection's first request is usually on its way: read it here
  bool inline_route = false;  // the last request was to a route the loop serves
  for (std::size_t left = conn.requests_left; left > 0; --left) {
    // Between requests the connection goes to the loop: at once after a request the loop
    // could have served (its client's next one likely can be too, in a batch); after any other
    // once it stays quiet for kParkAfter, since a hand-back from the loop costs a thread
    // switch per request to a client that keeps its worker busy (MCP calls: half the calls/s).
    if (served && loop_ != nullptr && !stream.buffered() &&
        (inline_route || !PollFor(sock, POLLIN, kParkAfter))) {
      conn.requests_left = left;
      if (loop_->Park(conn)) return ok;  // the loop has it now
    }
    if (!WaitForRequest(sock, stream.buffered())) break;
    stream.StartHead(SteadyClock::now() + guards_.head_timeout);
    bool connection_closed = false;
    bool head_parsed = false;  // httplib calls the setup hook once the head is parsed
    ok = process_request(
        stream, /*close_connection=*/left == 1, connection_closed, [&](httplib::Request& req) {
          head_parsed = true;
          stream.EndHead();
          inline_route = loop_ != nullptr && loop_->ServesInline(req.method, req.path);
        });
    served = true;
    if (stream.head_too_large()) {
      Count(counters_.head_too_large);
      log::Warn("http.request_head_too_large", {{"peer", peer},
                                                {"max_head_bytes", guards_.max_head_bytes},
                                                {"max_head_lines", guards_.max_head_lines}});
      stream.WriteRaw(HeadTooLargeResponse(guards_));
      LingerAfterRefusal(sock);
      ok = false;
      break;
    }
    if (stream.head_timed_out()) {
      Count(counters_.head_timeout);
      log::Warn("http.request_head_timeout",
                {{"peer", peer}, {"head_timeout_ms", guards_.head_timeout.count()}});
      break;
    }
    // A head httplib could not parse (answered 400 or 414) leaves the rest of it unread:
    // dropped, as httplib's own loop (a new stream per request) drops it, rather than read
    // as further requests.
    if (!head_parsed) stream.DropBuffered();
    if (!ok || connection_closed) break;
  }
  CloseOpen(conn);
  return ok;
}

}  // namespace datamcp::bot
