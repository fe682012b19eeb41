#include "gitops/process/process_runner.h"

#include <unistd.h>

#include <string_view>

extern char** environ;

namespace datamcp::process {

std::string ProcessResult::Describe() const {
  std::string how;
  if (signal != 0) {
    how = "killed by signal " + std::to_string(signal);
  } else if (exit_code >= 0) {
    how = "exited with status " + std::to_string(exit_code);
  } else {
    how = "ended without an exit status";
  }
  if (timed_out) how += " after its timeout (" + std::to_string(duration.count()) + " ms)";
  if (cancelled) how += " after it was cancelled";
  if (truncated) how += "; output was truncated";
  return how;
}

std::map<std::string, std::string> AllowlistedEnv(const std::map<std::string, std::string>& parent,
                                                  const std::vector<std::string>& allowlist) {
  std::map<std::string, std::string> out;
  for (const std::string& name : allowlist) {
    if (!name.empty() && name.back() == '*') {
      std::string_view prefix(name.data(), name.size() - 1);
      for (auto it = parent.lower_bound(std::string(prefix));
           it != parent.end() && std::string_view(it->first).starts_with(prefix); ++it) {
        out.insert(*it);
      }
    } else if (auto it = parent.find(name); it != parent.end()) {
      out.insert(*it);
    }
  }
  return out;
}

std::map<std::string, std::string> CurrentEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

}  // namespace datamcp::process
