#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "gitops/apply/applier.h"
#include "gitops/apply/unreviewed_push.h"
#include "gitops/jobs/job_store.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/state/lease_table.h"

namespace datamcp::apply {

struct ReconcilerOptions {
  std::string default_branch = "main";
  int max_commits = 500;  // how far back each scan looks on the default branch
  int workers = 2;        // projects applied at the same time
};

// Nothing merged is lost or applied twice. Each pass fetches, walks the default branch and
// queues an apply job for every (merge commit, project) that has no apply note yet, oldest
// commit first, then runs the queue: one job at a time per project, in order, projects in
// parallel. Locks of merged or closed pull requests are released and their waiters
// re-planned. Webhooks only make a pass come sooner (Poke); a dropped webhook or a crash is
// caught up by the next pass. Pushes to the default branch that bypassed review are planned
// and recorded once (UnreviewedPushRecorder); with `unreviewed_push: apply` their projects
// are queued like a merge's, with pull request 0.
class Reconciler {
 public:
  Reconciler(git::Repository& repo, forge::Forge& forge, proposal::ProposalService& proposals,
             proposal::PlanService& planner, jobs::JobStore& jobs, jobs::LockTable& locks,
             Applier& applier, ReconcilerOptions options);
  ~Reconciler();

  // Several replicas: the scan of the default branch (and what it records and re-plans) runs
  // on one replica at a time, the one holding lease "reconciler.scan" in `leases` as
  // `holder`; the others skip it and try again shortly. Every replica drains the queue (jobs
  // are claimed in the database) and takes over the jobs of replicas whose lease passed
  // (recorded as interrupted). Without this call the reconciler assumes it is alone.
  void ShareWith(state::LeaseTable& leases, std::string holder, std::chrono::milliseconds ttl);

  // Loads the job queue; jobs cut off by a crash are recorded as interrupted (unless their
  // outcome was recorded before the crash).
  Status Recover();
  // Jobs whose holder's lease passed (a replica died or lost the database) are recorded as
  // interrupted, like jobs cut off by a crash. Returns how many.
  Result<int> TakeOverExpired();
  // Queues what is missing; returns how many jobs were added (0 when another replica is
  // scanning: see scan_deferred()).
  Result<int> Scan();
  // Runs queued jobs until none is left; returns how many ended (applied or recorded).
  int Drain();
  // Scan + Drain now (used by tests and the CLI), and Scan again when an apply ended, so the
  // locks it kept are released at once.
  Status RunOnce();

  // For metrics: scans this replica ran holding the scan lease, and jobs of dead replicas it
  // took over (recorded as interrupted).
  std::uint64_t scans() const { return scans_.load(); }
  std::uint64_t taken_over() const { return taken_over_.load(); }

  void Start(std::chrono::milliseconds interval);
  void Poke();
  // Stops the background pass: the job running finishes, no other is claimed.
  void Stop();

 private:
  // Releases the locks of closed pull requests and re-plans their waiters; a merged pull
  // request keeps its locks until its merge's applies ended (its merge commit is in the
  // history this scan read and none of its jobs is queued or running), so its waiters are
  // planned on the state those applies leave, not the one before them. `tip` is the default
  // branch this scan read. Returns the waiting pull requests it re-planned.
  Result<std::set<int>> ReleaseFinishedLocks(const std::string& tip);
  // The pull requests with an apply job queued or running.
  Result<std::set<int>> PullRequestsApplying() const;
  // Whether merged `pr`'s merge commit is in the history up to `tip` (false while the mirror
  // has not fetched it yet: its jobs are not queued yet).
  bool MergeInHistory(const forge::PullRequest& pr, const std::string& tip);
  // When the default branch moved from `previous` to `tip`, re-plans every open proposal (but
  // `already`) so its plan is of what merging it now would produce.
  void ReplanOpenProposals(const std::string& previous, const std::string& tip,
                           const std::set<int>& already);
  // Scan's work under the scan lease; `planned_tip` is the tip open proposals were planned on
  // (updated).
  Result<int> ScanHolding(std::string& planned_tip);
  // Records jobs cut off mid-apply (by a crash or a dead replica) as interrupted.
  Status RecordCutOff(const std::vector<jobs::Job>& cut_off);
  bool stopping();
  Status RunOnceCatching();
  // A pull request closed without merging: a `closed` note on its head (once), so the
  // repository records that its plan was abandoned and which locks it gave back.
  void RecordClosedUnmerged(const forge::PullRequest& pr, const std::vector<std::string>& projects);
  // The jobs the default branch still needs, newest commit first (unreviewed pushes are
  // recorded on the way).
  Result<std::vector<jobs::Job>> FindWork(const repo::RepoConfig& config, const std::string& tip);
  // The projects `commit` touches (its changed paths and the modules and charts they are
  // used by). Remembered per commit while the default branch's tip stays the same: commits
  // do not change, and the configuration only changes with the tip, so a pass without new
  // commits diffs no trees.
  Result<std::vector<proposal::Project>> ProjectsOf(const repo::RepoConfig& config,
                                                    const std::string& tip,
                                                    const git::CommitInfo& commit);
  // Runs one job; false when it was put back in the queue (to retry on a later pass).
  bool RunJob(const jobs::Job& job);
  bool RunJobCatching(const jobs::Job& job);
  // Whether this replica still holds `job_id` (the applier asks before recording).
  Result<bool> StillHeld(const std::string& job_id);

  git::Repository& repo_;
  forge::Forge& forge_;
  proposal::ProposalService& proposals_;
  jobs::JobStore& jobs_;
  jobs::LockTable& locks_;
  Applier& applier_;
  UnreviewedPushRecorder unreviewed_;
  ReconcilerOptions options_;

  state::LeaseTable* leases_ = nullptr;  // set by ShareWith
  std::string holder_;
  std::chrono::milliseconds lease_ttl_{0};
  std::atomic<bool> scan_deferred_{false};
  std::atomic<std::uint64_t> scans_{0};
  std::atomic<std::uint64_t> taken_over_{0};  // the last Scan found another replica scanning

  std::mutex pass_mu_;  // one pass at a time
  std::mutex projects_mu_;
  std::string projects_tip_;
  std::string planned_tip_;  // the default branch's tip the open proposals were planned on
  std::map<std::string, std::vector<proposal::Project>> projects_of_;  // commit -> projects
  std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace datamcp::apply
