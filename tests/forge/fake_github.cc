#include "tests/forge/fake_github.h"

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

extern char** environ;

namespace datamcp::forge::testing {

FakeGithub::~FakeGithub() { Stop(); }

Status FakeGithub::Start() {
  const char* src = std::getenv("DATAMCP_SOURCE_DIR");
  std::string dir = std::string(src ? src : ".") + "/tests/fakes/github";
  if (!std::filesystem::exists(dir + "/node_modules/@octokit/openapi")) {
    return FailedPrecondition(dir + "/node_modules is missing; run scripts/install-test-deps");
  }
  std::string script = dir + "/server.mjs";
  int out[2];
  if (pipe(out) != 0) return Internal("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  char* argv[] = {const_cast<char*>("node"), script.data(), nullptr};
  int rc = posix_spawnp(&pid_, "node", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    pid_ = -1;
    return Internal("cannot start node (is it on PATH?)");
  }
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{out[0], POLLIN, 0};
    if (poll(&pfd, 1, 200) <= 0) continue;
    char buf[64];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(out[0]);
  port_ = std::atoi(line.c_str());
  if (port_ <= 0) {
    Stop();
    return Internal("fake GitHub did not print its port within 30 s");
  }
  return Status::Ok();
}

void FakeGithub::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

Result<nlohmann::json> FakeGithub::Control(const std::string& path, const nlohmann::json& body) {
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Post("/_fake/" + path, body.dump(), "application/json");
  if (!res) return Unavailable("fake GitHub control " + path + " failed");
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200 || j.is_discarded()) {
    return Internal("fake GitHub control " + path + ": " + std::to_string(res->status) + " " +
                    res->body);
  }
  return j;
}

Result<nlohmann::json> FakeGithub::State() {
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Get("/_fake/state");
  if (!res || res->status != 200) return Unavailable("fake GitHub state unavailable");
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_discarded()) return Internal("fake GitHub state is not JSON");
  return j;
}

}  // namespace datamcp::forge::testing
