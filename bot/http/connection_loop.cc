#include "bot/http/connection_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "gitops/common/log.h"

namespace datamcp::bot {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How often waiting connections are checked against the idle timeout.
constexpr auto kSweepEvery = std::chrono::milliseconds(250);
constexpr int kMaxEvents = 64;

std::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The declared body length when the head is one the loop serves: exactly one Content-Length of
// digits, no Transfer-Encoding, no Expect (100-continue is httplib's to answer).
std::optional<std::size_t> PlainBodyLength(const RequestHead& head) {
  if (head.version != "HTTP/1.1" || head.Count("Content-Length") != 1 ||
      head.Count("Transfer-Encoding") != 0 || head.Count("Expect") != 0) {
    return std::nullopt;
  }
  const std::string_view text = *head.Header("Content-Length");
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

std::string Response(const InlineExchange& ex, bool close) {
  std::string out;
  out.reserve(128 + ex.response_body.size());
  out.append("HTTP/1.1 ").append(std::to_string(ex.status)).append(" ");
  out.append(Reason(ex.status)).append("\r\n");
  if (!ex.response_body.empty()) {
    out.append("Content-Type: ").append(ex.content_type).append("\r\n");
  }
  out.append("Content-Length: ").append(std::to_string(ex.response_body.size())).append("\r\n");
  out.append(close ? "Connection: close\r\n\r\n" : "Connection: Keep-Alive\r\n\r\n");
  out.append(ex.response_body);
  return out;
}

// Writes all of `bytes` without waiting; false when the socket cannot take them now (a client
// that does not read its answers) or failed.
bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

// One event loop: an epoll set of waiting connections, on its own thread. Connections arrive
// through an inbox (Park, from workers) and an eventfd; everything else is this thread's.
class ConnectionLoop::Loop {
 public:
  explicit Loop(ConnectionLoop& owner) : owner_(owner) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
    thread_ = std::thread([this] { Run(); });
  }
  ~Loop() {
    Stop();
    close(epoll_);
    close(wake_);
  }

  bool Park(OpenConnection& conn) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return false;
      inbox_.push_back(std::move(conn));
    }
    Wake();
    return true;
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Waiting {
    OpenConnection conn;
    SteadyClock::time_point since;
  };
  struct Pending {  // a request read whole in this wake-up
    Waiting* waiting;
    std::size_t route;
    std::size_t size;  // head and body
    bool close;        // the client asked for it, or this was its last request
  };

  void Wake() {
    const std::uint64_t one = 1;
    (void)!write(wake_, &one, sizeof one);
  }

  void Run() {
    epoll_event events[kMaxEvents];
    auto last_sweep = SteadyClock::now();
    for (;;) {
      const int n = epoll_wait(epoll_, events, kMaxEvents, static_cast<int>(kSweepEvery.count()));
      if (n < 0 && errno != EINTR) {
        log::Error("http.loop_failed", {{"error", std::string(strerror(errno))}});
        break;
      }
      const auto now = SteadyClock::now();
      bool stop = false;
      for (int i = 0; i < n; ++i) {
        if (events[i].data.fd == wake_) {
          stop = TakeInbox(now);
          continue;
        }
        Read(events[i].data.fd, now);
      }
      ServePending(now);
      if (stop) break;
      if (now - last_sweep >= kSweepEvery) {
        CloseIdle(now);
        last_sweep = now;
      }
    }
    std::vector<OpenConnection> late;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;  // also when epoll failed: Park must not queue to a loop that is gone
      late.swap(inbox_);
    }
    for (OpenConnection& conn : late) waiting_[conn.fd] = Waiting{std::move(conn), {}};
    for (auto& [fd, w] : waiting_) Forget(w);
    waiting_.clear();
  }

  // Adds parked connections; true when the loop is to stop.
  bool TakeInbox(SteadyClock::time_point now) {
    std::uint64_t count = 0;
    (void)!read(wake_, &count, sizeof count);
    std::vector<OpenConnection> arrived;
    bool stopping = false;
    {
      std::lock_guard lock(mu_);
      arrived.swap(inbox_);
      stopping = stopping_;
    }
    for (OpenConnection& conn : arrived) {
      const int fd = conn.fd;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.fd = fd;
      waiting_[fd] = Waiting{std::move(conn), now};
      if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) Close(fd);
    }
    return stopping;
  }

  void Read(int fd, SteadyClock::time_point now) {
    auto it = waiting_.find(fd);
    if (it == waiting_.end()) return;
    Waiting& w = it->second;
    std::string& in = w.conn.buffered;
    bool eof = false;
    // One recv usually takes the whole request; a short read means nothing more is waiting.
    while (in.size() < OpenConnection::kMaxBuffered) {
      const std::size_t room = OpenConnection::kMaxBuffered - in.size();
      const ssize_t got = recv(fd, scratch_.get(), room, MSG_DONTWAIT);
      if (got > 0) {
        in.append(scratch_.get(), static_cast<std::size_t>(got));
        if (static_cast<std::size_t>(got) < room) break;
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      eof = got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
      break;
    }
    if (in.empty()) {
      if (eof) Close(fd);
      return;
    }
    w.since = now;
    // A client that sent its request and then half-closed is served by a worker, which
    // reads to the end of what it sent.
    if (eof) return HandBack(fd);
    RequestHead head;
    const std::size_t max_lines = owner_.options_.max_head_lines;
    const HeadParse parsed = ParseRequestHead(in, &head, max_lines > 0 ? max_lines - 1 : 0);
    if (parsed != HeadParse::kParsed || head.size > owner_.options_.max_head_bytes) {
      return HandBack(fd);
    }
    const std::optional<std::size_t> length = PlainBodyLength(head);
    const auto route = std::find_if(
        owner_.routes_.begin(), owner_.routes_.end(),
        [&](const Route& r) { return r.method == head.method && r.path == head.target; });
    if (!length || route == owner_.routes_.end() || *length > route->max_body ||
        in.size() < head.size + *length) {
      return HandBack(fd);
    }
    const std::optional<std::string_view> connection = head.Header("Connection");
    const bool close =
        w.conn.requests_left <= 1 || (connection && EqualsIgnoreCase(*connection, "close"));
    const std::size_t size = head.size + *length;
    const std::string_view body = std::string_view(in).substr(head.size, *length);
    pending_.push_back(
        Pending{&w, static_cast<std::size_t>(route - owner_.routes_.begin()), size, close});
    exchanges_.push_back(InlineExchange{std::move(head), body});
  }

  // Serves what this wake-up read, one batch per route, then answers in order.
  void ServePending(SteadyClock::time_point start) {
    if (pending_.empty()) return;
    for (std::size_t r = 0; r < owner_.routes_.size(); ++r) {
      // Requests are grouped by route in place: exchanges_ and pending_ stay aligned.
      std::vector<std::size_t> order;
      for (std::size_t i = 0; i < pending_.size(); ++i) {
        if (pending_[i].route == r) order.push_back(i);
      }
      if (order.empty()) continue;
      if (order.size() == pending_.size()) {
        owner_.routes_[r].handler(exchanges_);
        continue;
      }
      std::vector<InlineExchange> batch;
      for (std::size_t i : order) batch.push_back(std::move(exchanges_[i]));
      owner_.routes_[r].handler(batch);
      for (std::size_t k = 0; k < order.size(); ++k) exchanges_[order[k]] = std::move(batch[k]);
    }
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const Pending& p = pending_[i];
      const InlineExchange& ex = exchanges_[i];
      const int fd = p.waiting->conn.fd;
      owner_.served_.fetch_add(1, std::memory_order_relaxed);  // before the client can see it
      const bool sent = SendAll(fd, Response(ex, p.close));
      if (owner_.hooks_.observe) {
        owner_.hooks_.observe(owner_.routes_[p.route].path, ex.head.method, ex.status,
                              std::chrono::duration<double>(SteadyClock::now() - start).count());
      }
      if (!sent) {
        log::Warn("http.response_not_sent",
                  {{"peer", p.waiting->conn.peer}, {"status", ex.status}});
      }
      OpenConnection& conn = p.waiting->conn;
      conn.buffered.erase(0, p.size);
      --conn.requests_left;
      if (!sent || p.close) {
        Close(fd);
      } else if (!conn.buffered.empty()) {
        HandBack(fd);  // pipelined: the worker serves the rest, after this answer
      }
    }
    pending_.clear();
    exchanges_.clear();
  }

  void CloseIdle(SteadyClock::time_point now) {
    std::vector<int> idle;
    for (const auto& [fd, w] : waiting_) {
      if (now - w.since >= owner_.options_.idle_timeout) idle.push_back(fd);
    }
    for (int fd : idle) Close(fd);
  }

  // Takes `fd` out of the loop, for a worker or the close hook.
  OpenConnection Remove(int fd) {
    auto it = waiting_.find(fd);
    epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    OpenConnection conn = std::move(it->second.conn);
    waiting_.erase(it);
    owner_.waiting_.fetch_sub(1, std::memory_order_relaxed);
    return conn;
  }
  void HandBack(int fd) { owner_.hooks_.hand_back(Remove(fd)); }
  void Close(int fd) {
    OpenConnection conn = Remove(fd);
    owner_.hooks_.close(conn);
  }
  void Forget(Waiting& w) {
    epoll_ctl(epoll_, EPOLL_CTL_DEL, w.conn.fd, nullptr);
    owner_.waiting_.fetch_sub(1, std::memory_order_relaxed);
    owner_.hooks_.close(w.conn);
  }

  ConnectionLoop& owner_;
  int epoll_ = -1;
  int wake_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::vector<OpenConnection> inbox_;
  bool stopping_ = false;
  std::unordered_map<int, Waiting> waiting_;  // by fd
  std::vector<Pending> pending_;
  std::vector<InlineExchange> exchanges_;
  // Where recv writes before the bytes join a connection's buffer; not zeroed.
  std::unique_ptr<char[]> scratch_{new char[OpenConnection::kMaxBuffered]};
};

ConnectionLoop::ConnectionLoop(Options options, Hooks hooks)
    : options_(options), hooks_(std::move(hooks)) {}

ConnectionLoop::~ConnectionLoop() { Stop(); }

void ConnectionLoop::AddRoute(std::string method, std::string path, std::size_t max_body,
                              InlineHandler handler) {
  routes_.push_back(Route{std::move(method), std::move(path),
                          std::min(max_body, OpenConnection::kMaxBuffered), std::move(handler)});
}

bool ConnectionLoop::ServesInline(std::string_view method, std::string_view path) const {
  return std::any_of(routes_.begin(), routes_.end(),
                     [&](const Route& r) { return r.method == method && r.path == path; });
}

void ConnectionLoop::Start() {
  if (!loops_.empty()) return;
  for (int i = 0; i < std::max(1, options_.loops); ++i) {
    loops_.push_back(std::make_unique<Loop>(*this));
  }
}

void ConnectionLoop::Stop() {
  for (auto& loop : loops_) loop->Stop();
}

bool ConnectionLoop::Park(OpenConnection& conn) {
  if (loops_.empty()) return false;
  // Counted here, not when the loop takes it, so the bound holds for parks racing each other.
  if (waiting_.fetch_add(1, std::memory_order_relaxed) >= options_.max_waiting) {
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed) % loops_.size();
  if (loops_[i]->Park(conn)) return true;
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void ConnectionLoop::Take(OpenConnection conn) {
  if (!Park(conn)) hooks_.hand_back(std::move(conn));
}

}  // namespace datamcp::bot
