#include "tests/git/git_servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace datamcp::git::testing {
namespace {

using Clock = std::chrono::steady_clock;

pid_t Spawn(const std::vector<std::string>& argv, const std::string& cwd,
            const std::map<std::string, std::string>& env, int out_fd) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  setpgid(0, 0);
  int devnull = open("/dev/null", O_RDONLY);
  dup2(devnull, 0);
  dup2(out_fd, 1);
  dup2(out_fd, 2);
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

const std::map<std::string, std::string> kGitEnv = {
    {"GIT_AUTHOR_NAME", "Tester"},    {"GIT_AUTHOR_EMAIL", "tester@example.com"},
    {"GIT_COMMITTER_NAME", "Tester"}, {"GIT_COMMITTER_EMAIL", "tester@example.com"},
    {"GIT_CONFIG_NOSYSTEM", "1"},     {"HOME", "/nonexistent"},
};

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd,
                         const std::map<std::string, std::string>& env) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = Spawn(argv, cwd, env, fds[1]);
  close(fds[1]);
  CommandResult result;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0)
    result.output.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string MustRun(const std::vector<std::string>& argv, const std::string& cwd,
                    const std::map<std::string, std::string>& env) {
  CommandResult r = RunCommand(argv, cwd, env);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    ADD_FAILURE() << "command failed (" << r.exit_code << "): " << cmd << "\n" << r.output;
  }
  return r.output;
}

void WriteFile(const std::string& path, const std::string& content, int mode) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  chmod(path.c_str(), static_cast<mode_t>(mode));
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string MakeBareRepo(const std::string& root, const std::string& name,
                         const std::map<std::string, std::string>& files) {
  std::string bare = root + "/" + name + ".git";
  MustRun({"git", "init", "-q", "--bare", "--initial-branch=main", bare}, "", kGitEnv);
  MustRun({"git", "-C", bare, "config", "http.receivepack", "true"}, "", kGitEnv);
  std::string work = root + "/" + name + ".seed";
  MustRun({"git", "init", "-q", "--initial-branch=main", work}, "", kGitEnv);
  for (const auto& [path, content] : files) WriteFile(work + "/" + path, content);
  MustRun({"git", "-C", work, "add", "-A"}, "", kGitEnv);
  MustRun({"git", "-C", work, "commit", "-q", "-m", "initial"}, "", kGitEnv);
  MustRun({"git", "-C", work, "push", "-q", bare, "main"}, "", kGitEnv);
  std::filesystem::remove_all(work);
  return bare;
}

std::string CommitWithGit(const std::string& bare, const std::string& branch,
                          const std::map<std::string, std::string>& files,
                          const std::string& message) {
  std::string work = bare + ".work-" + std::to_string(getpid());
  std::filesystem::remove_all(work);
  MustRun({"git", "clone", "-q", "--branch", branch, bare, work}, "", kGitEnv);
  for (const auto& [path, content] : files) WriteFile(work + "/" + path, content);
  MustRun({"git", "-C", work, "add", "-A"}, "", kGitEnv);
  MustRun({"git", "-C", work, "commit", "-q", "-m", message}, "", kGitEnv);
  MustRun({"git", "-C", work, "push", "-q", "origin", branch}, "", kGitEnv);
  std::string head = MustRun({"git", "-C", work, "rev-parse", "HEAD"}, "", kGitEnv);
  std::filesystem::remove_all(work);
  return head.substr(0, 40);
}

void InstallPreReceiveHook(const std::string& bare, const std::string& script) {
  WriteFile(bare + "/hooks/pre-receive", "#!/bin/sh\n" + script, 0755);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool Server::Start(const std::vector<std::string>& argv, int port, const std::string& log_file) {
  port_ = port;
  int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_ = Spawn(argv, "", {}, fd);
  close(fd);
  auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    if (CanConnect(port)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << argv[0] << " exited at start:\n" << ReadFileOrDie(log_file);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval, not a wait
  }
  ADD_FAILURE() << argv[0] << " did not listen on port " << port << " within 15 s";
  return false;
}

Server::~Server() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

GitDaemon::GitDaemon(const std::string& base_path, const std::string& log_dir) {
  int port = FreePort();
  Start({"git", "daemon", "--enable=receive-pack", "--base-path=" + base_path,
         "--port=" + std::to_string(port), "--listen=127.0.0.1", "--export-all", "--reuseaddr",
         "--informative-errors", base_path},
        port, log_dir + "/git-daemon.log");
}

std::string GitDaemon::Url(const std::string& name) const {
  return "git://127.0.0.1:" + std::to_string(port_) + "/" + name + ".git";
}

TlsFiles MakeTestCertificates(const std::string& dir) {
  TlsFiles files{dir + "/ca.pem", dir + "/server-bundle.pem"};
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                       "-nodes"};
  std::vector<std::string> ca = {"openssl",
                                 "req",
                                 "-x509",
                                 "-days",
                                 "2",
                                 "-subj",
                                 "/CN=datamcp test CA",
                                 "-keyout",
                                 dir + "/ca.key",
                                 "-out",
                                 files.ca_file,
                                 "-addext",
                                 "basicConstraints=critical,CA:TRUE",
                                 "-addext",
                                 "keyUsage=critical,keyCertSign,cRLSign"};
  ca.insert(ca.begin() + 2, ec.begin(), ec.end());
  MustRun(ca);
  std::vector<std::string> csr = {
      "openssl",          "req", "-subj", "/CN=localhost", "-keyout", dir + "/server.key", "-out",
      dir + "/server.csr"};
  csr.insert(csr.begin() + 2, ec.begin(), ec.end());
  MustRun(csr);
  WriteFile(dir + "/ext.cnf",
            "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
            "extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n");
  MustRun({"openssl", "x509", "-req", "-days", "2", "-in", dir + "/server.csr", "-CA",
           files.ca_file, "-CAkey", dir + "/ca.key", "-CAcreateserial", "-out", dir + "/server.pem",
           "-extfile", dir + "/ext.cnf"});
  WriteFile(files.cert_file,
            ReadFileOrDie(dir + "/server.pem") + ReadFileOrDie(dir + "/server.key"));
  return files;
}

HttpGitServer::HttpGitServer(const std::string& project_root, const std::string& work_dir,
                             const std::string& token, const TlsFiles* tls)
    : tls_(tls != nullptr) {
  int port = FreePort();
  WriteFile(work_dir + "/users", "x-access-token:" + token + "\n");
  std::string conf = "server.document-root = \"" + work_dir +
                     "\"\n"
                     "server.bind = \"127.0.0.1\"\nserver.port = " +
                     std::to_string(port) +
                     "\n"
                     "server.errorlog = \"" +
                     work_dir +
                     "/lighttpd-error.log\"\n"
                     "server.modules = (\"mod_alias\", \"mod_setenv\", \"mod_cgi\", \"mod_auth\", "
                     "\"mod_authn_file\"" +
                     std::string(tls ? ", \"mod_openssl\"" : "") +
                     ")\n"
                     "alias.url = (\"/git\" => \"/usr/lib/git-core/git-http-backend\")\n"
                     "$HTTP[\"url\"] =~ \"^/git\" {\n  cgi.assign = (\"\" => \"\")\n"
                     "  setenv.set-environment = (\"GIT_PROJECT_ROOT\" => \"" +
                     project_root +
                     "\", "
                     "\"GIT_HTTP_EXPORT_ALL\" => \"1\")\n}\n"
                     "auth.backend = \"plain\"\nauth.backend.plain.userfile = \"" +
                     work_dir +
                     "/users\"\n"
                     "auth.require = (\"/git\" => (\"method\" => \"basic\", \"realm\" => \"git\", "
                     "\"require\" => \"valid-user\"))\n";
  if (tls) conf += "ssl.engine = \"enable\"\nssl.pemfile = \"" + tls->cert_file + "\"\n";
  WriteFile(work_dir + "/lighttpd.conf", conf);
  Start({"/usr/sbin/lighttpd", "-D", "-f", work_dir + "/lighttpd.conf"}, port,
        work_dir + "/lighttpd.log");
}

std::string HttpGitServer::Url(const std::string& name) const {
  return std::string(tls_ ? "https" : "http") + "://localhost:" + std::to_string(port_) + "/git/" +
         name + ".git";
}

SshGitServer::SshGitServer(const std::string& work_dir) : work_dir_(work_dir) {
  int port = FreePort();
  const std::string host_key = work_dir + "/host_key";
  client_key_ = work_dir + "/client_key";
  for (const std::string& key : {host_key, client_key_}) {
    MustRun({"ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "", "-f", key});
  }
  WriteFile(work_dir + "/authorized_keys", ReadFileOrDie(client_key_ + ".pub"));
  known_hosts_ = work_dir + "/known_hosts";
  WriteFile(known_hosts_,
            "[127.0.0.1]:" + std::to_string(port) + " " + ReadFileOrDie(host_key + ".pub"));
  WriteFile(work_dir + "/sshd_config",
            "Port " + std::to_string(port) + "\nListenAddress 127.0.0.1\nHostKey " + host_key +
                "\nPidFile " + work_dir + "/sshd.pid\nAuthorizedKeysFile " + work_dir +
                "/authorized_keys\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
                "PermitRootLogin prohibit-password\nLogLevel ERROR\n");
  if (getuid() == 0) std::filesystem::create_directories("/run/sshd");
  Start({"/usr/sbin/sshd", "-D", "-e", "-f", work_dir + "/sshd_config"}, port,
        work_dir + "/sshd.log");
}

std::string SshGitServer::Url(const std::string& absolute_repo_path) const {
  const char* user = getenv("USER");
  std::string name = user && *user ? user : (getuid() == 0 ? "root" : "git");
  return "ssh://" + name + "@127.0.0.1:" + std::to_string(port_) + absolute_repo_path;
}

std::string SshGitServer::WrongKnownHosts() const {
  std::string other = work_dir_ + "/other_host_key";
  MustRun({"ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "", "-f", other});
  std::string path = work_dir_ + "/wrong_known_hosts";
  WriteFile(path, "[127.0.0.1]:" + std::to_string(port_) + " " + ReadFileOrDie(other + ".pub"));
  return path;
}

}  // namespace datamcp::git::testing
