#pragma once

// A real PostgreSQL server for tests: Debian's `postgresql` binaries (initdb, pg_ctl from
// /usr/lib/postgresql/<version>/bin, the newest installed; $DATAMCP_PG_BIN overrides), a
// cluster in a fresh temp dir, listening on 127.0.0.1 on a free port, with trust
// authentication for the `postgres` role. PostgreSQL refuses to run as root: when the test
// runs as root the directory is given to the `postgres` user (Debian's package creates it)
// and the binaries run through `runuser -u postgres`. Stop() (or the destructor) stops the
// server by pg_ctl and removes the directory. A test process that dies first (killed at its
// ctest timeout, crashed) leaves nothing running either: a watchdog does the same for it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace datamcp::test {

class PostgresServer {
 public:
  PostgresServer() = default;
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer() { Destroy(); }

  // Creates the cluster and starts the server. Returns "" or what went wrong.
  std::string Start() {
    bin_ = BinDir();
    if (bin_.empty()) {
      return "no PostgreSQL server binaries: install Debian's postgresql (scripts/setup) or "
             "set DATAMCP_PG_BIN to the directory holding initdb and pg_ctl";
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "datamcp-pg-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) return "mkdtemp failed";
    dir_ = tmpl;
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("postgres");
      if (!pw) return "running as root and there is no `postgres` user to run PostgreSQL as";
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return "chown of " + dir_ + " failed";
      as_user_ = "postgres";
    }
    StartWatchdog();
    std::string out;
    if (Run({bin_ + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U", "postgres", "-E", "UTF8",
             "--locale=C", "--no-sync"},
            &out) != 0) {
      return "initdb failed: " + out;
    }
    for (int attempt = 0; attempt < 3; ++attempt) {  // a free port can be taken meanwhile
      port_ = FreePort();
      if (std::string why = Resume(); why.empty()) return "";
    }
    return "pg_ctl start failed: " + Log();
  }

  // Starts the server again on the same port and data after Stop(false) (a database that
  // went away and came back). Returns "" or what went wrong.
  std::string Resume() {
    std::string out;
    const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                                " -k " + dir_ + " -c fsync=off -c full_page_writes=off" +
                                " -c max_connections=100 -c shared_buffers=16MB";
    if (Run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/log", "-w", "-t", "60", "-o",
             options, "start"},
            &out) != 0) {
      return "pg_ctl start failed: " + out;
    }
    running_ = true;
    return "";
  }

  // Stops the server (fast shutdown: open connections are cut). Keeps the data for Resume().
  void Stop() {
    if (!running_) return;
    std::string out;
    (void)Run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "stop"}, &out);
    running_ = false;
  }

  int port() const { return port_; }
  // The cluster's directory (data/, log), removed by Destroy().
  const std::string& dir() const { return dir_; }
  // A libpq URL for `dbname` as the superuser (no password: trust authentication).
  std::string Url(const std::string& dbname = "postgres") const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + dbname;
  }

  // Runs one statement outside a transaction (CREATE DATABASE cannot run in one) on the
  // `postgres` database. Returns "" or the server's error.
  std::string Admin(const std::string& sql) const {
    PGconn* conn = PQconnectdb(Url().c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
      error = PQerrorMessage(conn);
    } else {
      PGresult* r = PQexec(conn, sql.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        error = PQresultErrorMessage(r);
      }
      PQclear(r);
    }
    PQfinish(conn);
    return error;
  }

  // A new empty database; returns its URL (or "" after a failed test assertion).
  std::string CreateDatabase(const std::string& name) const {
    std::string error = Admin("CREATE DATABASE " + name);
    if (!error.empty()) {
      ADD_FAILURE() << "CREATE DATABASE " << name << ": " << error;
      return "";
    }
    return Url(name);
  }

  // The server log (what went wrong at start-up).
  std::string Log() const {
    std::ifstream in(dir_ + "/log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  // The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl.
  static std::string BinDir() {
    if (const char* env = std::getenv("DATAMCP_PG_BIN"); env && *env) return env;
    std::string best;
    int best_version = -1;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      const std::string bin = (entry.path() / "bin").string();
      if (access((bin + "/initdb").c_str(), X_OK) != 0) continue;
      if (access((bin + "/pg_ctl").c_str(), X_OK) != 0) continue;
      int version = std::atoi(entry.path().filename().c_str());
      if (version > best_version) best_version = version, best = bin;
    }
    return best;
  }

  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
  }

  // Runs argv (through `runuser -u postgres --` as root) with its output in *out; exit code.
  int Run(std::vector<std::string> argv, std::string* out) const {
    if (!as_user_.empty()) argv.insert(argv.begin(), {"runuser", "-u", as_user_, "--"});
    const std::string out_path = dir_ + "/command.out";
    std::vector<char*> args;  // built before fork: the child only calls async-signal-safe code
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int null = open("/dev/null", O_RDONLY);
      if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
      if (null >= 0) dup2(null, 0);
      execvp(args[0], args.data());
      _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
    std::ifstream in(out_path);
    std::stringstream ss;
    ss << in.rdbuf();
    *out = ss.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // A shell in a session of its own (a kill of the test's process group spares it) that
  // reads a pipe whose only writer is this process, so end of file means this process is
  // gone, or Destroy() is done with the server. It then stops the server (immediate mode: a
  // test's data is not worth a clean shutdown) and removes the directory. The paths reach
  // the script as arguments, never as script text.
  void StartWatchdog() {
    static constexpr char kScript[] =
        "cat >/dev/null\n"
        "if [ -n \"$3\" ]; then runuser -u \"$3\" -- \"$1/pg_ctl\" -D \"$2/data\" -m immediate "
        "-w stop; else \"$1/pg_ctl\" -D \"$2/data\" -m immediate -w stop; fi\n"
        "rm -rf \"$2\"\n";
    std::vector<std::string> argv = {"/bin/sh", "-c", kScript, "pg-watchdog", bin_, dir_, as_user_};
    std::vector<char*> args;  // built before fork: the child only calls async-signal-safe code
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int pipe_fds[2];
    // Close-on-exec: no other child this process starts holds the write end open.
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return;
    const pid_t pid = fork();
    if (pid == 0) {
      setsid();
      dup2(pipe_fds[0], 0);
      const int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, 1), dup2(null, 2);
      execv(args[0], args.data());
      _exit(127);
    }
    close(pipe_fds[0]);
    if (pid < 0) {
      close(pipe_fds[1]);
      return;
    }
    watchdog_pid_ = pid;
    watchdog_fd_ = pipe_fds[1];
  }

  void Destroy() {
    Stop();
    if (watchdog_fd_ >= 0) {  // the server is stopped: the watchdog only removes the directory
      close(watchdog_fd_);
      waitpid(watchdog_pid_, nullptr, 0);
      watchdog_fd_ = -1;
    }
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }

  std::string bin_;
  std::string dir_;
  std::string as_user_;  // run the binaries as this user (when the test runs as root)
  int port_ = 0;
  bool running_ = false;
  pid_t watchdog_pid_ = -1;
  int watchdog_fd_ = -1;  // the watchdog's pipe: closed, it stops the server
};

}  // namespace datamcp::test
