#pragma once

#include "gitops/process/process_runner.h"

namespace datamcp::process {

// Runs programs with posix_spawn:
// - the child leads its own process group; a timeout or cancellation sends SIGTERM to the
//   whole group, then SIGKILL after kill_grace; when the leader exits, whatever is left in
//   its group is killed, so no grandchild outlives a run;
// - the child's signal mask is emptied and every signal is reset to its default (the server
//   blocks signals in its threads; without this terraform would ignore SIGTERM);
// - stdin is /dev/null, or a socket the runner writes ProcessRequest::stdin_data to (a
//   socket, not a pipe, so a child that stops reading cannot SIGPIPE the server); stdout
//   and stderr are separate pipes (O_CLOEXEC, so concurrent runs
//   never leak each other's pipes) read with poll() until both close;
// - the environment is exactly ProcessRequest::env;
// - a request with a SandboxPolicy runs inside `sandbox` (Sandbox::Wrap), or is refused
//   with FailedPrecondition when there is none.
// Thread-safe; holds no state of its own.
class PosixProcessRunner final : public ProcessRunner {
 public:
  // `sandbox` (not owned, may be null) must outlive the runner.
  explicit PosixProcessRunner(const Sandbox* sandbox = nullptr) : sandbox_(sandbox) {}
  Result<ProcessResult> Run(const ProcessRequest& request) override;

 private:
  Result<ProcessResult> RunUnwrapped(const ProcessRequest& request);

  const Sandbox* sandbox_;
};

// Resolves argv[0] the way the runner does: a name with a '/' is used as it is, anything
// else is looked up in `path` (colon-separated; empty means "/usr/local/bin:/usr/bin:/bin").
// NotFound names the program and the directories searched.
Result<std::string> ResolveProgram(const std::string& program, const std::string& path);

}  // namespace datamcp::process
