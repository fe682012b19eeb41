#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"

namespace datamcp::jobs {

// A project's lock: the pull request that planned it holds it until merged or closed.
struct Lock {
  std::string project;  // e.g. infra/terraform/envs/dev
  int pull_request = 0;
  std::string head_sha;
  long long since = 0;  // Unix seconds
};

// Per-project locks, persisted in one file (rewritten durably on every change) so a restart
// keeps them. Pull requests turned away are remembered as waiters and handed back on
// release, so they can be re-planned. Every operation re-reads the file under an flock, so
// the server and the admin CLI (`datamcp unlock`) can share it. Thread-safe.
class LockTable {
 public:
  LockTable(std::string file, const Clock& clock);

  // Reads the file if it exists.
  Status Load();

  // Takes `project` for `pr` (or refreshes the holder's head). FailedPrecondition
  // "locked by #N" when another pull request holds it; `pr` is then a waiter.
  Status Acquire(const std::string& project, int pr, const std::string& head_sha);

  // Releases every lock `pr` holds (merged or closed). Returns the waiters of the freed
  // projects, to be re-planned.
  Result<std::vector<int>> ReleaseAll(int pr);

  // Admin or `/datamcp unlock`: releases one project whatever holds it; returns waiters.
  Result<std::vector<int>> Release(const std::string& project);

  std::vector<Lock> List();

 private:
  Status SaveLocked() const;
  Status LoadLocked();
  Status AcquireLocked(const std::string& project, int pr, const std::string& head_sha);
  Result<std::vector<int>> ReleaseAllLocked(int pr);
  Result<std::vector<int>> ReleaseLocked(const std::string& project);
  // Runs `op` holding the in-process mutex and the cross-process file lock, on fresh state.
  template <typename Op>
  auto Locked(Op op) -> decltype(op());

  std::string file_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Lock> locks_;
  std::map<std::string, std::set<int>> waiters_;
};

}  // namespace datamcp::jobs
