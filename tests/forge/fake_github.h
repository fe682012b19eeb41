#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/result.h"

namespace datamcp::forge::testing {

// Runs tests/fakes/github/server.mjs (node from PATH) on 127.0.0.1 and talks to its control
// endpoints. Start() waits (with a deadline) for the port line; the destructor stops it by PID.
class FakeGithub {
 public:
  FakeGithub() = default;
  ~FakeGithub();
  FakeGithub(const FakeGithub&) = delete;
  FakeGithub& operator=(const FakeGithub&) = delete;

  Status Start();
  void Stop();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // POST /_fake/<path> with `body`; returns the JSON answer.
  Result<nlohmann::json> Control(const std::string& path,
                                 const nlohmann::json& body = nlohmann::json::object());
  Result<nlohmann::json> State();
  void Reset() { (void)Control("reset"); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace datamcp::forge::testing
