#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::process {

class ProcessRunner;
struct ProcessRequest;

// What one sandboxed process may see besides the system (/usr and the /lib, /bin links, a
// few files of /etc, a fresh /dev, /tmp and /proc). Paths are absolute and bound at the same
// place inside; a path that does not exist is skipped.
struct SandboxPolicy {
  std::vector<std::string> read_only;  // e.g. the exported tree, values files, plugin cache
  std::vector<std::string> writable;   // e.g. this plan's scratch directory
  bool network = false;                // share the host network (only when the operator allows it)
};

enum class SandboxMode { kRequired, kBestEffort, kOff };

// "required" | "best-effort" | "off" (config plan.sandbox); false for anything else.
bool ParseSandboxMode(const std::string& text, SandboxMode* out);

struct SandboxOptions {
  SandboxMode mode = SandboxMode::kRequired;
  std::string bwrap_bin = "bwrap";  // config plan.bwrap_bin: a path, or a name in PATH
  std::string path;                 // PATH used to find bwrap_bin (empty: the default)
  bool allow_network = false;       // config plan.network: allow
  // With allow_network: the egress proxy's Unix socket (plan.allowed_hosts is set). Requests
  // that ask for a network then get none of their own; `bridge_bin egress-bridge` runs them
  // with HTTPS_PROXY pointing at a bridge to this socket (egress_proxy.h).
  std::string egress_socket;
  std::string bridge_bin;  // the datamcp executable
};

// Runs planner and applier processes in a bubblewrap (bwrap) container: new user, pid, net,
// ipc, uts and cgroup namespaces, uid/gid 65534 inside, all capabilities dropped, no new
// privileges, its own session, killed with the server. Only the system directories and the
// request's SandboxPolicy paths exist inside: not the work directory, keys, mirror, other
// projects, nor the server's /proc.
//
// Probe() decides once, at start-up, whether the mechanism works here; Wrap() then rewrites
// requests. The ProcessRunner calls Wrap() for every request that carries a policy, so the
// sandbox is not a second way to spawn. Thread-safe after Probe().
class Sandbox {
 public:
  Sandbox() = default;
  explicit Sandbox(SandboxOptions options) : options_(std::move(options)) {}
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Replaces the options (before Probe; start-up only) and forgets an earlier probe.
  void Configure(SandboxOptions options);

  // Runs `bwrap ... /bin/true` through `runner` (a fresh /proc first, then without one for
  // hosts that refuse to mount it). Without a probe the sandbox counts as unavailable.
  void Probe(ProcessRunner& runner);

  // OK when the mechanism works or the mode does not require it; else FailedPrecondition
  // saying why, how to fix it and how to opt out (for /readyz and refused plans).
  Status Readiness() const;
  bool Active() const;           // requests with a policy are wrapped
  std::string Describe() const;  // one line for the start-up log

  // The request to run instead of `request`: unchanged without a policy (or with mode off,
  // or best-effort without a working mechanism); else bwrap with the policy's binds running
  // the resolved program. FailedPrecondition when required and unavailable; NotFound when
  // the program cannot be found.
  Result<ProcessRequest> Wrap(const ProcessRequest& request) const;

 private:
  std::vector<std::string> BaseArgs(bool proc, bool network) const;
  std::string UnavailableMessage() const;

  SandboxOptions options_;
  mutable std::mutex mu_;
  bool probed_ = false;
  bool available_ = false;
  bool fresh_proc_ = true;
  std::string bwrap_;   // resolved path
  std::string reason_;  // why it is unavailable
};

}  // namespace datamcp::process
