#include "gitops/process/egress_proxy.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "gitops/common/log.h"
#include "gitops/process/fd_relay.h"

namespace datamcp::process {
namespace {

constexpr std::size_t kMaxHead = 8192;

// Reads a request head (through the blank line) within `timeout`; `rest` gets what the
// client sent after it. False on timeout, EOF, or a head over kMaxHead.
bool ReadHead(int fd, std::chrono::seconds timeout, std::string* head, std::string* rest) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string buf;
  char chunk[2048];
  while (buf.size() <= kMaxHead) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
    auto end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      *head = buf.substr(0, end + 4);
      *rest = buf.substr(end + 4);
      return true;
    }
  }
  return false;
}

void Answer(int fd, const std::string& status, const std::string& reason) {
  std::string body = reason + "\n";
  WriteAll(fd, "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

// Connects `fd` to `addr` within `timeout`.
bool ConnectWithin(int fd, const sockaddr* addr, socklen_t len, std::chrono::seconds timeout) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = ::connect(fd, addr, len);
  if (rc != 0 && errno != EINPROGRESS) return false;
  if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count() * 1000)) <= 0) return false;
    int err = 0;
    socklen_t err_len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0) return false;
  }
  ::fcntl(fd, F_SETFL, flags);
  return true;
}

}  // namespace

Status EgressProxy::Start() {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (options_.socket_path.size() >= sizeof addr.sun_path) {
    return InvalidArgument("egress proxy socket path '" + options_.socket_path +
                           "' is too long for a Unix socket; use a shorter server.work_dir");
  }
  std::memcpy(addr.sun_path, options_.socket_path.c_str(), options_.socket_path.size() + 1);
  ::unlink(options_.socket_path.c_str());  // a socket left by a process that died
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Internal(std::string("egress proxy socket: ") + std::strerror(errno));
  mode_t old = ::umask(0177);
  int rc = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0 || ::listen(listen_fd_, 64) != 0) {
    std::string why = std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return Internal("egress proxy cannot listen on " + options_.socket_path + ": " + why);
  }
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void EgressProxy::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || listen_fd_ < 0) return;
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return active_ == 0; });
  ::close(listen_fd_);
  ::unlink(options_.socket_path.c_str());
}

void EgressProxy::AcceptLoop() {
  while (true) {
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    std::lock_guard lock(mu_);
    if (stopping_) {
      ::close(client);
      return;
    }
    if (active_ >= options_.max_connections) {
      Answer(client, "503 Service Unavailable", "too many planner connections at once");
      ::close(client);
      continue;
    }
    ++active_;
    open_fds_.insert(client);
    std::thread([this, client] { Serve(client); }).detach();
  }
}

int EgressProxy::Connect(const ConnectTarget& target, std::string* error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found);
  if (rc != 0) {
    *error = "502 Bad Gateway|cannot resolve " + target.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  *error = "403 Forbidden|" + target.host +
           " resolves only to loopback, link-local or "
           "multicast addresses, which planners may never reach";
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    if (EgressAddressForbidden(a->ai_addr)) continue;
    int s = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) continue;
    if (ConnectWithin(s, a->ai_addr, a->ai_addrlen, options_.connect_timeout)) {
      fd = s;
    } else {
      ::close(s);
      *error =
          "502 Bad Gateway|cannot connect to " + target.host + ":" + std::to_string(target.port);
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

void EgressProxy::Serve(int client) {
  std::string head, rest;
  int upstream = -1;
  auto refuse = [&](const std::string& status, const std::string& reason, const std::string& to) {
    ++refused_;
    log::Warn("plan_egress_refused", {{"target", to}, {"reason", reason}});
    Answer(client, status, reason);
  };
  if (ReadHead(client, options_.head_timeout, &head, &rest)) {
    auto target = ParseConnectHead(head);
    std::string to = target.ok() ? target->host + ":" + std::to_string(target->port) : "";
    if (!target.ok()) {
      refuse(target.status().message().starts_with("only CONNECT") ? "405 Method Not Allowed"
                                                                   : "400 Bad Request",
             target.status().message(), to);
    } else if (!EgressAllowed(options_.rules, target->host, target->port)) {
      refuse("403 Forbidden", to + " is not in plan.allowed_hosts", to);
    } else {
      std::string error;
      upstream = Connect(*target, &error);
      if (upstream < 0) {
        auto bar = error.find('|');
        refuse(error.substr(0, bar), error.substr(bar + 1), to);
      } else {
        log::Info("plan_egress", {{"target", to}});
      }
    }
  }
  if (upstream >= 0) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) ::shutdown(upstream, SHUT_RDWR);
      open_fds_.insert(upstream);
    }
    if (WriteAll(client, "HTTP/1.1 200 Connection established\r\n\r\n") &&
        (rest.empty() || WriteAll(upstream, rest))) {
      RelayBothWays(client, upstream, options_.idle_timeout);
    }
  }
  std::lock_guard lock(mu_);
  for (int fd : {client, upstream}) {
    if (fd < 0) continue;
    open_fds_.erase(fd);
    ::close(fd);
  }
  if (--active_ == 0) idle_.notify_all();
}

}  // namespace datamcp::process
