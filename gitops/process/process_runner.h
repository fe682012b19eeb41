#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/process/sandbox.h"

namespace datamcp::process {

// What to run. There is no shell anywhere: argv[0] is the program (a path, or a name looked
// up in env["PATH"] — the request's PATH, never the server's), argv[1..] are passed verbatim.
struct ProcessRequest {
  std::vector<std::string> argv;
  std::string cwd;  // empty: the server's working directory
  // Written to the child's stdin, which is then closed; empty: stdin is /dev/null. A child
  // that exits or closes stdin before reading it all is not an error (the rest is dropped).
  std::string stdin_data;
  // The child's whole environment. Nothing of the server's environment is inherited; build
  // this with AllowlistedEnv() to pass selected variables through.
  std::map<std::string, std::string> env;
  std::chrono::milliseconds timeout{std::chrono::minutes(15)};
  // After the timeout (or a cancellation) the group gets SIGTERM, then SIGKILL this long
  // later if anything is still alive.
  std::chrono::milliseconds kill_grace{std::chrono::seconds(10)};
  // Each of stdout and stderr keeps at most this many bytes (the head); the rest is read
  // and dropped, and ProcessResult::truncated is set.
  std::size_t max_output_bytes = 8u << 20;
  // Optional: when it becomes true the run is stopped like a timeout (cancelled is set).
  // Checked about every 100 ms. Not owned; must outlive the Run call.
  const std::atomic<bool>* cancel = nullptr;
  // Untrusted work (terraform, helm on proposed content) sets this: the runner then runs
  // the program inside its Sandbox, which sees only these paths, or refuses to run it (see
  // Sandbox::Wrap). A runner without a Sandbox refuses every request that sets it.
  std::optional<SandboxPolicy> sandbox;
};

// How it ended. A process that ran counts as a result, whatever its exit status, timeout
// included: the caller decides what a non-zero exit means and can show the output.
struct ProcessResult {
  int exit_code = -1;  // the exit status when the process exited, else -1
  int signal = 0;      // the signal that ended the process, else 0
  bool timed_out = false;
  bool cancelled = false;
  bool truncated = false;  // stdout or stderr went over max_output_bytes
  std::string stdout_text;
  std::string stderr_text;
  std::chrono::milliseconds duration{0};

  bool Succeeded() const { return exit_code == 0 && !timed_out && !cancelled; }
  // One line for errors and logs: "exited with status 2", "killed by signal 9 after the
  // 30s timeout", ...
  std::string Describe() const;
};

// The seam for running external programs (terraform, helm). The real one is
// PosixProcessRunner; tests may substitute a fake. Implementations are thread-safe: Run may
// be called from several threads at once.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;

  // Runs the request to completion. Errors (the process never ran): InvalidArgument for an
  // empty argv or a NUL byte / '=' in the wrong place, NotFound when the program cannot be
  // found or is not executable (the message names it and the PATH searched), Internal when
  // the system refuses (pipes, spawn).
  virtual Result<ProcessResult> Run(const ProcessRequest& request) = 0;
};

// The variables of `parent` whose names are in `allowlist`, for ProcessRequest::env. Names
// ending in '*' match as prefixes ("AWS_*"). Missing names are left out.
std::map<std::string, std::string> AllowlistedEnv(const std::map<std::string, std::string>& parent,
                                                  const std::vector<std::string>& allowlist);

// The server's own environment as a map (read once by main and passed down).
std::map<std::string, std::string> CurrentEnvironment();

}  // namespace datamcp::process
