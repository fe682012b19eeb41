#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"

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

// The durable apply queue: one file per job, each state change written durably before it
// takes effect, so kill -9 at any moment loses nothing. A job found `running` at start-up
// was cut off mid-apply: it becomes `interrupted` and is never retried automatically (a
// half-applied change needs a human). Thread-safe.
class JobStore {
 public:
  JobStore(std::string dir, const Clock& clock);

  // Reads every job; returns the ones that were running and are now interrupted.
  Result<std::vector<Job>> Load();

  // Adds a queued job; false when a job with this id already exists (in any state).
  Result<bool> Enqueue(Job job);

  Status SetState(const std::string& id, const std::string& state, const std::string& detail);

  std::optional<Job> Get(const std::string& id) const;
  // In the order they were enqueued (created_at, then seq).
  std::vector<Job> WithState(const std::string& state) const;
  std::vector<Job> All() const;

 private:
  Status SaveLocked(const Job& job) const;

  std::string dir_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Job> jobs_;
  long long next_seq_ = 1;
};

}  // namespace datamcp::jobs
