#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

extern char** environ;

namespace datamcp::test {

// Runs tests/fakes/argocd/server.mjs under node on 127.0.0.1 and a free port, and talks to
// its control endpoints. Start() fails the test (never skips) when node or the fake's
// node_modules are missing. The process is stopped by PID in the destructor.
class FakeArgoCdServer {
 public:
  FakeArgoCdServer() = default;
  FakeArgoCdServer(const FakeArgoCdServer&) = delete;
  FakeArgoCdServer& operator=(const FakeArgoCdServer&) = delete;
  ~FakeArgoCdServer() { Stop(); }

  // `tls_cert`/`tls_key` (PEM files): serve https instead of http.
  void Start(const std::string& token, const std::string& tls_cert = "",
             const std::string& tls_key = "") {
    namespace fs = std::filesystem;
    const char* src = std::getenv("DATAMCP_SOURCE_DIR");
    ASSERT_NE(src, nullptr) << "DATAMCP_SOURCE_DIR is not set (run through ctest)";
    fs::path dir = fs::path(src) / "tests/fakes/argocd";
    ASSERT_TRUE(fs::exists(dir / "node_modules/@kubernetes-models/argo-cd"))
        << "the fake Argo CD's npm packages are missing in " << dir
        << ": run scripts/install-test-deps";
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    std::vector<std::string> args = {"node", (dir / "server.mjs").string(), "--token", token};
    if (!tls_cert.empty()) args.insert(args.end(), {"--tls-cert", tls_cert, "--tls-key", tls_key});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawnp(&pid_, "node", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    ASSERT_EQ(rc, 0) << "could not start node (is Node.js installed?)";
    std::string line = ReadLine(out[0], std::chrono::seconds(30));
    close(out[0]);
    ASSERT_FALSE(line.empty()) << "the fake Argo CD did not print its port (see stderr above)";
    port_ = std::stoi(line);
    tls_ = !tls_cert.empty();
    control_ = std::make_unique<httplib::Client>(url());
    control_->enable_server_certificate_verification(false);  // control endpoints only
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

  int port() const { return port_; }
  // https uses "localhost", the name in the test certificate.
  std::string url() const {
    return (tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_);
  }

  void AddApplication(const std::string& name, const std::string& behaviour,
                      const std::string& app_namespace = "", int running_polls = 2) {
    ASSERT_TRUE(control_) << "fake Argo CD not started";
    nlohmann::json body = {
        {"name", name}, {"behaviour", behaviour}, {"runningPolls", running_polls}};
    if (!app_namespace.empty()) body["namespace"] = app_namespace;
    auto res = control_->Post("/_fake/applications", body.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }
  void FailNext(int count, int status) {
    ASSERT_TRUE(control_) << "fake Argo CD not started";
    auto res = control_->Post("/_fake/fail-next",
                              nlohmann::json{{"count", count}, {"status", status}}.dump(),
                              "application/json");
    ASSERT_TRUE(res);
  }
  nlohmann::json GetJson(const std::string& path) {
    if (!control_) return "fake Argo CD not started";
    auto res = control_->Get(path.c_str());
    if (!res) return nullptr;
    return nlohmann::json::parse(res->body, nullptr, false);
  }
  nlohmann::json SyncRequests() { return GetJson("/_fake/requests"); }
  // Schema violations the fake saw (Applications it rendered, sync bodies it received).
  nlohmann::json Errors() { return GetJson("/_fake/errors"); }

 private:
  static std::string ReadLine(int fd, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string line;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0) continue;
      char c;
      if (read(fd, &c, 1) != 1) break;
      if (c == '\n') return line;
      line += c;
    }
    return "";
  }

  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
  std::unique_ptr<httplib::Client> control_;
};

}  // namespace datamcp::test
