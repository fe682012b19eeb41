#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/state/database.h"

namespace datamcp::jobs {

// One unit of post-merge work: apply (terraform) or sync (Argo CD) one project at one
// merge commit.
struct Job {
  std::string id;  // JobId(merge_sha, project): the same merge and project is one job
  std::string project;
  std::string kind;  // terraform | argocd
  int pull_request = 0;
  std::string merge_sha;
  // queued -> running -> succeeded | failed | refused; running at start-up -> interrupted
  std::string state = "queued";
  std::string detail;
  long long created_at = 0;
  long long updated_at = 0;
  long long seq = 0;  // order of Enqueue calls (0 in files written before it existed)
};

std::string JobId(const std::string& merge_sha, const std::string& project);

// The durable apply queue: one row per job in the state database, each state change
// committed before it takes effect, so kill -9 at any moment loses nothing. A job found
// `running` at start-up was cut off mid-apply: it becomes `interrupted` and is never retried
// automatically (a half-applied change needs a human). Thread-safe.
// Reads return Unavailable when the database cannot be read.
class JobStore {
 public:
  JobStore(state::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Marks the jobs that were running as interrupted and returns them (call at start-up).
  Result<std::vector<Job>> Load();

  // Adds a queued job; false when a job with this id already exists (in any state).
  Result<bool> Enqueue(Job job);

  // Takes a queued job to run it: true when this call moved it from queued to running, false
  // when it is not queued (another worker or replica claimed it, or it finished). The database
  // decides, so across replicas one claim per (merge commit, project) wins. NotFound when no
  // job has this id.
  Result<bool> Claim(const std::string& id);

  // NotFound when no job has this id.
  Status SetState(const std::string& id, const std::string& state, const std::string& detail);

  Result<std::optional<Job>> Get(const std::string& id) const;
  // In the order they were enqueued (created_at, then seq).
  Result<std::vector<Job>> WithState(const std::string& state) const;
  Result<std::vector<Job>> All() const;

 private:
  Result<std::vector<Job>> Select(const std::string& where, const state::Params& params) const;

  state::Database& db_;
  const Clock& clock_;
};

}  // namespace datamcp::jobs
