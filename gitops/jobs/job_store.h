#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
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
  long long seq = 0;          // order of Enqueue calls (0 in files written before it existed)
  std::string holder;         // who claimed it (JobStoreOptions::holder), "" before a claim
  long long lease_until = 0;  // Unix seconds: the claim holds until then unless renewed
};

struct JobStoreOptions {
  std::string holder;  // this process's name in claims; empty: a random one
  // How long a claim holds without Renew. A job whose holder died is found by ExpireLeases
  // once its lease has passed.
  std::chrono::seconds lease{3600};
};

std::string JobId(const std::string& merge_sha, const std::string& project);

// The durable apply queue: one row per job in the state database, each state change
// committed before it takes effect, so kill -9 at any moment loses nothing. A job found
// `running` at start-up was cut off mid-apply: it becomes `interrupted` and is never retried
// automatically (a half-applied change needs a human). Thread-safe.
// Reads return Unavailable when the database cannot be read.
class JobStore {
 public:
  JobStore(state::Database& db, const Clock& clock, JobStoreOptions options = {});

  // Marks the jobs that were running as interrupted and returns them (call at start-up).
  // SQLite (one server per work directory): every running job was this server's before it
  // stopped. PostgreSQL (replicas share it): only this holder's jobs and those whose lease
  // has passed; another replica's live claims are left alone.
  Result<std::vector<Job>> Load();

  // Adds a queued job; false when a job with this id already exists (in any state).
  Result<bool> Enqueue(Job job);

  // Takes a queued job to run it: true when this call moved it from queued to running, false
  // when it is not queued (another worker or replica claimed it, or it finished) or when an
  // earlier job of its project is still queued or running (a project's jobs run one at a
  // time, in order, across replicas). The database decides, so across replicas one claim per
  // (merge commit, project) wins. NotFound when no job has this id.
  Result<bool> Claim(const std::string& id);

  // Claims the oldest queued job (any project), or returns nullopt when none is queued.
  // Workers of several replicas do not wait on each other: PostgreSQL skips rows another
  // transaction is claiming (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time.
  Result<std::optional<Job>> ClaimNext();

  // Extends this holder's lease on a running job; false when the job is no longer running
  // under this holder (its lease expired and another replica took it over).
  Result<bool> Renew(const std::string& id);

  // Extends the lease of every job this holder runs (the replica's heartbeat); returns how
  // many it runs.
  Result<long long> RenewAll();

  // Running jobs whose lease has passed (their holder died or lost the database) become
  // interrupted and are returned, for the caller to record: a job cut off mid-apply needs a
  // human and is never run again automatically.
  Result<std::vector<Job>> ExpireLeases();

  const std::string& holder() const { return holder_; }
  // Claims this store won (Claim and ClaimNext), for metrics.
  std::uint64_t claims() const { return claims_.load(); }

  // Ends this holder's run of a job: sets its state if it is still running under this
  // holder; false when it is not (its lease passed and another replica took it over, so
  // what this one learnt is not recorded over theirs).
  Result<bool> Finish(const std::string& id, const std::string& state, const std::string& detail);

  // NotFound when no job has this id.
  Status SetState(const std::string& id, const std::string& state, const std::string& detail);

  Result<std::optional<Job>> Get(const std::string& id) const;
  // In enqueue order: seq (created_at is what the wall clock said; it can step back).
  Result<std::vector<Job>> WithState(const std::string& state) const;
  Result<std::vector<Job>> All() const;

 private:
  Result<std::vector<Job>> Select(const std::string& where, const state::Params& params) const;

  long long LeaseEnd() const;

  state::Database& db_;
  const Clock& clock_;
  const std::chrono::seconds lease_;
  std::string holder_;
  std::atomic<std::uint64_t> claims_{0};
};

}  // namespace datamcp::jobs
