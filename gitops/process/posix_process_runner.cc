#include "gitops/process/posix_process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

namespace datamcp::process {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kTick{100};
constexpr int kMaxReadsPerWake = 16;
// After the leader exits, how long to wait for pipes held by a process that left the group.
constexpr milliseconds kDrainAfterExit{2000};
constexpr std::string_view kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

std::string Errno(int err) { return std::strerror(err); }

Status Validate(const ProcessRequest& r) {
  if (r.argv.empty() || r.argv[0].empty()) {
    return InvalidArgument("process request has an empty argv: name the program to run");
  }
  for (const std::string& a : r.argv) {
    if (a.find('\0') != std::string::npos) {
      return InvalidArgument("argument of '" + r.argv[0] + "' contains a NUL byte");
    }
  }
  for (const auto& [k, v] : r.env) {
    if (k.empty() || k.find_first_of(std::string_view("=\0", 2)) != std::string::npos ||
        v.find('\0') != std::string::npos) {
      return InvalidArgument("environment variable name '" + k +
                             "' is empty or holds '=' or NUL, or its value holds NUL");
    }
  }
  if (!r.cwd.empty()) {
    struct stat st;
    if (::stat(r.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return NotFound("working directory '" + r.cwd + "' for '" + r.argv[0] +
                      "' does not exist or is not a directory");
    }
  }
  return Status::Ok();
}

bool IsExecutableFile(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }
  int Release() { return std::exchange(fd_, -1); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

Status MakePipe(Fd* read_end, Fd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Internal("pipe2 failed: " + Errno(errno));
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return Status::Ok();
}

// posix_spawn attributes and file actions for one child, freed on destruction.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attr_);
    posix_spawn_file_actions_destroy(&actions_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // `in_fd` < 0: stdin is /dev/null.
  int Configure(const std::string& cwd, int in_fd, int out_fd, int err_fd) {
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    int rc = posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&attr_, 0);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr_, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr_, &all);
    if (rc == 0) {
      rc = in_fd >= 0 ? posix_spawn_file_actions_adddup2(&actions_, in_fd, 0)
                      : posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    }
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions_, out_fd, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions_, err_fd, 2);
    if (rc == 0 && !cwd.empty()) {
      rc = posix_spawn_file_actions_addchdir_np(&actions_, cwd.c_str());
    }
    return rc;
  }
  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

Status MakeStdinSocket(Fd* child_end, Fd* parent_end) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Internal("socketpair failed: " + Errno(errno));
  }
  child_end->Reset(fds[0]);
  parent_end->Reset(fds[1]);
  ::shutdown(fds[0], SHUT_WR);
  ::shutdown(fds[1], SHUT_RD);
  ::fcntl(fds[1], F_SETFL, ::fcntl(fds[1], F_GETFL) | O_NONBLOCK);
  return Status::Ok();
}

// Feeds the child's stdin, reads from its pipes, enforces the deadline and reaps it.
class Supervisor {
 public:
  Supervisor(pid_t pid, const ProcessRequest& req, int in_fd, int out_fd, int err_fd)
      : pid_(pid), req_(req), start_(Clock::now()) {
    fds_[0] = {out_fd, POLLIN, 0};
    fds_[1] = {err_fd, POLLIN, 0};
    fds_[2] = {in_fd, POLLOUT, 0};
  }

  ProcessResult Run() {
    while (fds_[0].fd >= 0 || fds_[1].fd >= 0 || !reaped_) {
      WaitForOutput(NextWait());
      Reap();
      Enforce();
    }
    result_.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - start_);
    return std::move(result_);
  }

 private:
  milliseconds NextWait() const {
    auto now = Clock::now();
    auto until = now + kTick;
    if (!term_sent_ && start_ + req_.timeout < until) until = start_ + req_.timeout;
    if (term_sent_ && !kill_sent_ && term_at_ + req_.kill_grace < until) {
      until = term_at_ + req_.kill_grace;
    }
    auto wait = std::chrono::duration_cast<milliseconds>(until - now);
    return std::max(wait, milliseconds(0));
  }

  void WaitForOutput(milliseconds wait) {
    int n = ::poll(fds_, 3, static_cast<int>(wait.count()));
    if (n <= 0) return;  // timeout or EINTR: the loop re-evaluates
    for (int i = 0; i < 2; ++i) {
      if (fds_[i].fd >= 0 && (fds_[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        Drain(i, i == 0 ? &result_.stdout_text : &result_.stderr_text);
      }
    }
    if (fds_[2].fd >= 0 && fds_[2].revents != 0) Feed();
  }

  // Writes what the socket takes of the rest of stdin_data; closes it when all is written
  // or the child stopped reading.
  void Feed() {
    while (written_ < req_.stdin_data.size()) {
      ssize_t n = ::send(fds_[2].fd, req_.stdin_data.data() + written_,
                         req_.stdin_data.size() - written_, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        written_ += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      break;  // EPIPE and the like: the child does not want the rest
    }
    CloseStdin();
  }

  void CloseStdin() {
    if (fds_[2].fd >= 0) ::close(fds_[2].fd);
    fds_[2].fd = -1;
  }

  // Reads what is there, at most kMaxReadsPerWake times so that a process writing without
  // pause cannot keep the loop from enforcing the timeout.
  void Drain(int i, std::string* sink) {
    char buf[65536];
    for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
      ssize_t got = ::read(fds_[i].fd, buf, sizeof buf);
      if (got > 0) {
        std::size_t room = req_.max_output_bytes - std::min(req_.max_output_bytes, sink->size());
        std::size_t keep = std::min<std::size_t>(room, static_cast<std::size_t>(got));
        sink->append(buf, keep);
        if (keep < static_cast<std::size_t>(got)) result_.truncated = true;
        continue;
      }
      if (got < 0 && (errno == EINTR)) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      ::close(fds_[i].fd);  // EOF or a hard error: this stream is done
      fds_[i].fd = -1;
      return;
    }
  }

  void Reap() {
    if (reaped_) return;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) return;
    reaped_ = true;
    reaped_at_ = Clock::now();
    CloseStdin();
    if (r == pid_ && WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
    if (r == pid_ && WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
    ::kill(-pid_, SIGKILL);  // whatever the leader left behind in its group
  }

  void Enforce() {
    auto now = Clock::now();
    if (reaped_) {
      if (now - reaped_at_ >= kDrainAfterExit) CloseAll();
      return;
    }
    bool cancel = req_.cancel != nullptr && req_.cancel->load();
    if (!term_sent_ && (now - start_ >= req_.timeout || cancel)) {
      (cancel ? result_.cancelled : result_.timed_out) = true;
      ::kill(-pid_, SIGTERM);
      term_sent_ = true;
      term_at_ = now;
    } else if (term_sent_ && !kill_sent_ && now - term_at_ >= req_.kill_grace) {
      ::kill(-pid_, SIGKILL);
      kill_sent_ = true;
    }
  }

  void CloseAll() {
    for (pollfd& p : fds_) {
      if (p.fd >= 0) ::close(p.fd);
      p.fd = -1;
    }
  }

  pid_t pid_;
  const ProcessRequest& req_;
  Clock::time_point start_;
  pollfd fds_[3];  // stdout, stderr, stdin (fd -1 when done or not used)
  std::size_t written_ = 0;
  ProcessResult result_;
  bool reaped_ = false, term_sent_ = false, kill_sent_ = false;
  Clock::time_point reaped_at_, term_at_;
};

Result<pid_t> Spawn(const std::string& program, const ProcessRequest& req, int in_r, int out_w,
                    int err_w) {
  SpawnSetup setup;
  if (int rc = setup.Configure(req.cwd, in_r, out_w, err_w); rc != 0) {
    return Internal("cannot prepare to run '" + program + "': " + Errno(rc));
  }
  std::vector<char*> argv;
  for (const std::string& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : req.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc =
      ::posix_spawn(&pid, program.c_str(), setup.actions(), setup.attr(), argv.data(), envp.data());
  if (rc == ENOENT || rc == EACCES || rc == ENOEXEC) {
    return NotFound("cannot run '" + program + "': " + Errno(rc));
  }
  if (rc != 0) return Internal("cannot run '" + program + "': " + Errno(rc));
  return pid;
}

}  // namespace

Result<std::string> ResolveProgram(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) {
    if (IsExecutableFile(program)) return program;
    return NotFound("program '" + program + "' does not exist or is not an executable file");
  }
  std::string_view dirs = path.empty() ? kDefaultPath : std::string_view(path);
  while (true) {
    std::size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (IsExecutableFile(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return NotFound("program '" + program + "' was not found in PATH=" +
                  std::string(path.empty() ? kDefaultPath : std::string_view(path)));
}

Result<ProcessResult> PosixProcessRunner::Run(const ProcessRequest& request) {
  if (!request.sandbox) return RunUnwrapped(request);
  if (sandbox_ == nullptr) {
    return FailedPrecondition("'" + (request.argv.empty() ? std::string() : request.argv[0]) +
                              "' must run in a sandbox, but this process runner has none");
  }
  DATAMCP_RETURN_IF_ERROR(Validate(request));
  DATAMCP_ASSIGN_OR_RETURN(ProcessRequest wrapped, sandbox_->Wrap(request));
  wrapped.sandbox.reset();
  return RunUnwrapped(wrapped);
}

Result<ProcessResult> PosixProcessRunner::RunUnwrapped(const ProcessRequest& request) {
  DATAMCP_RETURN_IF_ERROR(Validate(request));
  auto path_it = request.env.find("PATH");
  DATAMCP_ASSIGN_OR_RETURN(
      std::string program,
      ResolveProgram(request.argv[0], path_it == request.env.end() ? "" : path_it->second));
  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  if (!request.stdin_data.empty()) DATAMCP_RETURN_IF_ERROR(MakeStdinSocket(&in_r, &in_w));
  DATAMCP_RETURN_IF_ERROR(MakePipe(&out_r, &out_w));
  DATAMCP_RETURN_IF_ERROR(MakePipe(&err_r, &err_w));
  DATAMCP_ASSIGN_OR_RETURN(pid_t pid,
                           Spawn(program, request, in_r.get(), out_w.get(), err_w.get()));
  in_r.Close();
  out_w.Close();
  err_w.Close();
  // The supervisor closes its ends itself as the streams end.
  Supervisor supervisor(pid, request, in_w.get(), out_r.get(), err_r.get());
  ProcessResult result = supervisor.Run();
  static_cast<void>(in_w.Release());
  static_cast<void>(out_r.Release());
  static_cast<void>(err_r.Release());
  return result;
}

}  // namespace datamcp::process
