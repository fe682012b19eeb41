#pragma once

#include <string>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/state/database.h"

namespace datamcp::jobs {

// A project's lock: the pull request that planned it holds it until merged or closed.
struct Lock {
  std::string project;  // e.g. infra/terraform/envs/dev
  int pull_request = 0;
  std::string head_sha;
  long long since = 0;  // Unix seconds
};

// Per-project locks and their waiters, rows in the state database, so a restart keeps them
// and the server, the admin CLI (`datamcp unlock`) and several replicas share them. Pull
// requests turned away are remembered as waiters and handed back on release, so they can be
// re-planned. Each operation is one transaction. Thread-safe.
class LockTable {
 public:
  LockTable(state::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Takes `project` for `pr` (or refreshes the holder's head). FailedPrecondition
  // "locked by #N" when another pull request holds it; `pr` is then a waiter.
  Status Acquire(const std::string& project, int pr, const std::string& head_sha);

  // Releases every lock `pr` holds (merged or closed). Returns the waiters of the freed
  // projects, to be re-planned.
  Result<std::vector<int>> ReleaseAll(int pr);

  // Admin or `/datamcp unlock`: releases one project whatever holds it; returns waiters.
  Result<std::vector<int>> Release(const std::string& project);

  // Every lock, by project. Unavailable when the database cannot be read.
  Result<std::vector<Lock>> List();

 private:
  state::Database& db_;
  const Clock& clock_;
};

}  // namespace datamcp::jobs
