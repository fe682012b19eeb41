#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/process/egress_rules.h"

namespace datamcp::process {

struct EgressProxyOptions {
  std::string socket_path;  // a Unix socket only this user can open (0600)
  std::vector<EgressRule> rules;
  int max_connections = 64;
  std::chrono::seconds head_timeout{10};
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds idle_timeout{300};
};

// The only way out of a planner sandbox when plan.allowed_hosts is set. Sandboxed processes
// have no network of their own; a bridge inside (egress_bridge) hands each of their proxy
// connections to this Unix socket, where an HTTP CONNECT to an allowed host and port is
// resolved and connected by the server, then relayed. Anything else is answered 4xx and
// logged, so the operator sees which host to allow. Names that resolve to loopback,
// link-local (metadata servers) or multicast addresses are refused whatever the rules say.
class EgressProxy {
 public:
  explicit EgressProxy(EgressProxyOptions options) : options_(std::move(options)) {}
  ~EgressProxy() { Stop(); }
  EgressProxy(const EgressProxy&) = delete;
  EgressProxy& operator=(const EgressProxy&) = delete;

  // Binds the socket (replacing a stale one) and starts serving.
  Status Start();
  // Stops accepting, cuts open tunnels and waits for their threads.
  void Stop();

  const std::string& socket_path() const { return options_.socket_path; }
  std::uint64_t refused() const { return refused_.load(); }

 private:
  void AcceptLoop();
  void Serve(int client);
  // The upstream socket for `target`, or an HTTP status line and reason to answer with.
  int Connect(const ConnectTarget& target, std::string* error);

  EgressProxyOptions options_;
  int listen_fd_ = -1;
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::set<int> open_fds_;  // client and upstream sockets of live tunnels
  int active_ = 0;
  bool stopping_ = false;
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace datamcp::process
