#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gitops/process/process_runner.h"

namespace datamcp::process {

// A ProcessRunner for unit tests of code that runs tools: it records every request and
// answers from a script of (argv prefix -> result) rules, the first matching rule winning.
// A request no rule matches gets NotFound naming its argv. Thread-safe.
class FakeProcessRunner final : public ProcessRunner {
 public:
  // Requests whose argv starts with `argv_prefix` get `answer` (a ProcessResult or a Status).
  void On(std::vector<std::string> argv_prefix, Result<ProcessResult> answer) {
    std::lock_guard<std::mutex> lock(mu_);
    rules_.emplace_back(std::move(argv_prefix), std::move(answer));
  }

  // A result that exited with `exit_code` and printed `out`/`err`.
  static ProcessResult Exited(int exit_code, std::string out = "", std::string err = "") {
    ProcessResult r;
    r.exit_code = exit_code;
    r.stdout_text = std::move(out);
    r.stderr_text = std::move(err);
    return r;
  }

  Result<ProcessResult> Run(const ProcessRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    for (const auto& [prefix, answer] : rules_) {
      if (prefix.size() <= request.argv.size() &&
          std::equal(prefix.begin(), prefix.end(), request.argv.begin())) {
        return answer;
      }
    }
    std::string argv;
    for (const std::string& a : request.argv) argv += (argv.empty() ? "" : " ") + a;
    return NotFound("FakeProcessRunner has no rule for: " + argv);
  }

  std::vector<ProcessRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::vector<std::string>, Result<ProcessResult>>> rules_;
  std::vector<ProcessRequest> requests_;
};

}  // namespace datamcp::process
