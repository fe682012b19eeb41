#include "gitops/process/egress_bridge.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <thread>

#include "gitops/process/fd_relay.h"

extern char** environ;

namespace datamcp::process {
namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "datamcp egress-bridge: %s: %s\n", what.c_str(), std::strerror(errno));
  return 126;
}

int ListenLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int ConnectUnix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return -1;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void Forward(int client, std::string socket_path) {
  int proxy = ConnectUnix(socket_path);
  if (proxy >= 0) {
    RelayBothWays(client, proxy, std::chrono::seconds(600));
    ::close(proxy);
  }
  ::close(client);
}

}  // namespace

int RunEgressBridge(const std::vector<std::string>& args) {
  int port = 0;
  if (args.size() < 3 ||
      std::from_chars(args[1].data(), args[1].data() + args[1].size(), port).ec != std::errc()) {
    std::fprintf(stderr, "usage: datamcp egress-bridge SOCKET PORT PROGRAM [ARGS...]\n");
    return 126;
  }
  int listener = ListenLoopback(port);
  if (listener < 0) return Fail("cannot listen on 127.0.0.1:" + args[1]);
  std::vector<char*> argv;
  for (std::size_t i = 2; i < args.size(); ++i) argv.push_back(const_cast<char*>(args[i].c_str()));
  argv.push_back(nullptr);
  pid_t child;
  if (::posix_spawn(&child, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    return Fail("cannot run " + args[2]);
  }
  std::thread([listener, socket_path = args[0]] {
    while (true) {
      int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;
      }
      std::thread(Forward, client, socket_path).detach();
    }
  }).detach();
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return Fail("waitpid");
  }
  std::fflush(nullptr);
  // Tunnels still open belong to the finished program: leave without joining them.
  std::_Exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

}  // namespace datamcp::process
