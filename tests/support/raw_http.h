#pragma once

// Raw HTTP/1.1 over loopback TCP, for tests that control how the bytes of a request arrive
// (split heads, pipelining, keep-alive) where an HTTP client library would not let them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

namespace datamcp::test {

// A connection to 127.0.0.1:`port` whose reads give up after 10 s; -1 when refused.
inline int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// One response (head and Content-Length body) from `fd`, whose reads may run ahead into the
// next one: `pending` keeps those bytes. Empty when the server closed (or 10 s passed) first.
inline std::string ReadResponse(int fd, std::string& pending) {
  char buf[4096];
  for (;;) {
    const std::size_t end = pending.find("\r\n\r\n");
    if (end != std::string::npos) {
      const std::size_t at = pending.find("Content-Length: ");
      const std::size_t length = at < end ? std::stoul(pending.substr(at + 16)) : 0;
      if (pending.size() >= end + 4 + length) {
        std::string response = pending.substr(0, end + 4 + length);
        pending.erase(0, end + 4 + length);
        return response;
      }
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {};
    pending.append(buf, static_cast<std::size_t>(n));
  }
}

// True once the server has closed `fd` (end of stream or reset) before `deadline`; bytes it
// sends meanwhile are read and dropped.
inline bool ClosedByServerBefore(int fd, std::chrono::steady_clock::time_point deadline) {
  char buf[256];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
  return false;
}

}  // namespace datamcp::test
