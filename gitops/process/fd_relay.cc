#include "gitops/process/fd_relay.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace datamcp::process {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void RelayBothWays(int a, int b, std::chrono::seconds idle) {
  const int fds[2] = {a, b};
  bool open[2] = {true, true};  // whether fds[i] can still be read
  char buf[16384];
  while (open[0] || open[1]) {
    pollfd p[2];
    nfds_t n = 0;
    int which[2];
    for (int i = 0; i < 2; ++i) {
      if (!open[i]) continue;
      p[n] = {fds[i], POLLIN, 0};
      which[n++] = i;
    }
    int ready = ::poll(p, n, static_cast<int>(idle.count() * 1000));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;  // idle or error
    for (nfds_t k = 0; k < n; ++k) {
      if (p[k].revents == 0) continue;
      int from = which[k];
      int to = fds[1 - from];
      ssize_t got = ::recv(fds[from], buf, sizeof buf, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        open[from] = false;
        ::shutdown(to, SHUT_WR);
        if (got < 0) return;
        continue;
      }
      if (!WriteAll(to, std::string_view(buf, static_cast<std::size_t>(got)))) return;
    }
  }
}

}  // namespace datamcp::process
