#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

// Test support: temporary directories, commands run from argv, and real git servers on
// 127.0.0.1 (git daemon, git http-backend behind lighttpd with Basic auth, optionally TLS
// with a CA made by openssl at test time). Servers are stopped by PID in destructors.
namespace datamcp::git::testing {

using TempDir = ::datamcp::test::TempDir;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv (no shell) in `cwd` with extra environment variables; waits at most 120 s.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd = "",
                         const std::map<std::string, std::string>& env = {});
// Runs and fails the current test (ADD_FAILURE) when the exit code is not 0.
std::string MustRun(const std::vector<std::string>& argv, const std::string& cwd = "",
                    const std::map<std::string, std::string>& env = {});

void WriteFile(const std::string& path, const std::string& content, int mode = 0644);
std::string ReadFileOrDie(const std::string& path);

// A bare repository `<root>/<name>.git` with branch main holding `files` (path -> content)
// in one commit. Receive-pack over HTTP is enabled in its config. Returns its path.
std::string MakeBareRepo(const std::string& root, const std::string& name,
                         const std::map<std::string, std::string>& files);
// Commits `files` on top of `branch` of `bare` with the git CLI (another writer).
std::string CommitWithGit(const std::string& bare, const std::string& branch,
                          const std::map<std::string, std::string>& files,
                          const std::string& message);
// Installs an executable pre-receive hook with `script` (sh) in `bare`.
void InstallPreReceiveHook(const std::string& bare, const std::string& script);

// A child process in its own process group, killed (SIGTERM, then SIGKILL) on destruction.
class Server {
 public:
  Server() = default;
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  int port() const { return port_; }
  bool running() const { return pid_ > 0; }

 protected:
  // Starts argv and waits (deadline 15 s) until 127.0.0.1:port accepts connections.
  bool Start(const std::vector<std::string>& argv, int port, const std::string& log_file);
  int port_ = 0;

 private:
  pid_t pid_ = -1;
};

int FreePort();

class GitDaemon : public Server {
 public:
  // Serves every repository under `base_path` with receive-pack enabled.
  explicit GitDaemon(const std::string& base_path, const std::string& log_dir);
  std::string Url(const std::string& name) const;  // git://127.0.0.1:port/<name>.git
};

struct TlsFiles {
  std::string ca_file;    // PEM of the test CA
  std::string cert_file;  // server certificate (SAN DNS:localhost) followed by its key
};
// Makes a throwaway CA and a server certificate for localhost under `dir` with openssl.
TlsFiles MakeTestCertificates(const std::string& dir);

class HttpGitServer : public Server {
 public:
  // lighttpd + git http-backend serving `project_root`, Basic auth user "x-access-token"
  // with password `token`. With `tls`, serves HTTPS with tls->cert_file.
  HttpGitServer(const std::string& project_root, const std::string& work_dir,
                const std::string& token, const TlsFiles* tls = nullptr);
  // http(s)://localhost:port/git/<name>.git
  std::string Url(const std::string& name) const;

 private:
  bool tls_ = false;
};

// sshd on 127.0.0.1 with a fresh ECDSA host key and client key (libssh2 1.10 speaks neither
// rsa-sha2 nor ed25519 host keys reliably). Logs in as the current user with the client key.
// Needs /run/sshd when run as root (created if missing).
class SshGitServer : public Server {
 public:
  explicit SshGitServer(const std::string& work_dir);
  // ssh://<user>@127.0.0.1:port<absolute_repo_path>
  std::string Url(const std::string& absolute_repo_path) const;
  const std::string& client_key() const { return client_key_; }
  const std::string& known_hosts() const { return known_hosts_; }
  // A known_hosts file listing a different key for this server.
  std::string WrongKnownHosts() const;

 private:
  std::string work_dir_;
  std::string client_key_;
  std::string known_hosts_;
};

}  // namespace datamcp::git::testing
