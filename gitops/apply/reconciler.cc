#include "gitops/apply/reconciler.h"

#include <map>
#include <set>
#include <utility>

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"
#include "gitops/proposal/dependents.h"
#include "gitops/proposal/lock_release.h"

namespace datamcp::apply {

Reconciler::Reconciler(git::Repository& repo, forge::Forge& forge,
                       proposal::ProposalService& proposals, proposal::PlanService& planner,
                       jobs::JobStore& jobs, jobs::LockTable& locks, Applier& applier,
                       ReconcilerOptions options)
    : repo_(repo),
      forge_(forge),
      proposals_(proposals),
      jobs_(jobs),
      locks_(locks),
      applier_(applier),
      unreviewed_(repo, forge, planner),
      options_(std::move(options)) {
  applier_.SetClaimCheck([this](const std::string& job_id) { return StillHeld(job_id); });
}

Reconciler::~Reconciler() {
  Stop();
  applier_.SetClaimCheck(nullptr);  // the applier outlives this reconciler
}

void Reconciler::ShareWith(state::LeaseTable& leases, std::string holder,
                           std::chrono::milliseconds ttl) {
  leases_ = &leases;
  holder_ = std::move(holder);
  lease_ttl_ = ttl;
}

Status Reconciler::Recover() {
  DATAMCP_ASSIGN_OR_RETURN(auto interrupted, jobs_.Load());
  return RecordCutOff(interrupted);
}

Result<int> Reconciler::TakeOverExpired() {
  DATAMCP_ASSIGN_OR_RETURN(auto expired, jobs_.ExpireLeases());
  for (const auto& job : expired) {
    log::Warn("apply_lease_expired",
              {{"project", job.project}, {"merge_commit", job.merge_sha}, {"holder", job.holder}});
  }
  taken_over_ += expired.size();
  DATAMCP_RETURN_IF_ERROR(RecordCutOff(expired));
  return static_cast<int>(expired.size());
}

Status Reconciler::RecordCutOff(const std::vector<jobs::Job>& cut_off) {
  for (const auto& job : cut_off) {
    DATAMCP_ASSIGN_OR_RETURN(auto notes, repo_.ReadNotes(job.merge_sha));
    auto recorded = FindApplyNote(notes, job.merge_sha, job.project);
    if (recorded && json_fields::String(*recorded, "result") != kRetryResult) {
      // The outcome was recorded before the crash: the job had in fact finished.
      DATAMCP_RETURN_IF_ERROR(
          jobs_.SetState(job.id, json_fields::String(*recorded, "result"), "recovered from note"));
      continue;
    }
    DATAMCP_RETURN_IF_ERROR(applier_.RecordInterrupted(job).status());
    log::Warn("apply_interrupted", {{"project", job.project}, {"merge_commit", job.merge_sha}});
  }
  return Status::Ok();
}

namespace {

// Says so when the commit of a job just queued carries documents that look like apply notes
// but are not records (IsApplyRecord): the apply goes ahead, and the log tells why.
void WarnIgnoredApplyNotes(git::Repository& repo, const jobs::Job& job) {
  auto notes = repo.ReadNotes(job.merge_sha);
  int ignored = notes.ok() ? IgnoredApplyNotes(*notes, job.merge_sha) : 0;
  if (ignored == 0) return;
  log::Warn("apply_note_ignored",
            {{"project", job.project},
             {"merge_commit", job.merge_sha},
             {"documents", ignored},
             {"reason", "type apply but not a well-formed apply record; applying anyway"}});
}

jobs::Job JobFor(const proposal::Project& p, int pull_request, const std::string& commit) {
  jobs::Job job;
  job.project = p.path;
  job.kind = std::string(proposal::ProjectKindName(p.kind));
  job.pull_request = pull_request;
  job.merge_sha = commit;
  return job;
}

}  // namespace

Result<std::vector<proposal::Project>> Reconciler::ProjectsOf(const repo::RepoConfig& config,
                                                              const std::string& tip,
                                                              const git::CommitInfo& commit) {
  std::lock_guard lock(projects_mu_);
  if (tip != projects_tip_) {  // the configuration may have changed with the tip
    projects_of_.clear();
    projects_tip_ = tip;
  }
  if (auto it = projects_of_.find(commit.oid); it != projects_of_.end()) return it->second;
  DATAMCP_ASSIGN_OR_RETURN(auto changed, repo_.ChangedPaths(commit.parents[0], commit.oid));
  std::vector<std::string> paths;
  for (const auto& c : changed) paths.push_back(c.path);
  auto projects = proposal::AffectedProjectsAt(repo_, config, commit.oid, paths);
  projects_of_.emplace(commit.oid, projects);
  return projects;
}

Result<std::vector<jobs::Job>> Reconciler::FindWork(const repo::RepoConfig& config,
                                                    const std::string& tip) {
  DATAMCP_ASSIGN_OR_RETURN(auto commits, repo_.Log(tip, {}, options_.max_commits));
  std::vector<jobs::Job> work;
  std::map<std::string, std::string> newer;  // project -> newest commit touching it
  for (const auto& commit : commits) {
    if (commit.parents.empty()) continue;  // the repository's first commit
    DATAMCP_ASSIGN_OR_RETURN(auto projects, ProjectsOf(config, tip, commit));
    if (projects.empty()) continue;
    DATAMCP_ASSIGN_OR_RETURN(auto notes, repo_.ReadNotes(commit.oid));
    int pr = PullRequestOfMerge(commit.message);
    std::vector<proposal::Project> to_apply = projects;
    if (pr == 0) {
      DATAMCP_ASSIGN_OR_RETURN(to_apply,
                               unreviewed_.Record(config, commit, projects, newer, notes));
    }
    for (const auto& p : to_apply) {
      // An apply record is final, for merges and unreviewed pushes alike: never applied twice.
      // Only a well-formed one counts (IsApplyRecord): a malformed note never stops an apply.
      // The exception is a human's `datamcp resolve --retry` (kRetryResult): once more.
      auto record = FindApplyNote(notes, commit.oid, p.path);
      if (!record) {
        work.push_back(JobFor(p, pr, commit.oid));
      } else if (json_fields::String(*record, "result") == kRetryResult) {
        work.push_back(JobFor(p, pr, commit.oid));
        work.back().detail = kRetryResult;
      }
    }
    for (const auto& p : projects) newer.emplace(p.path, commit.oid);
  }
  return work;
}

namespace {
constexpr char kScanLease[] = "reconciler.scan";
}  // namespace

Result<int> Reconciler::Scan() {
  if (leases_ == nullptr) return ScanHolding(planned_tip_);
  DATAMCP_ASSIGN_OR_RETURN(std::optional<std::string> planned,
                           leases_->TryAcquire(kScanLease, holder_, lease_ttl_));
  scan_deferred_ = !planned.has_value();
  if (!planned) return 0;  // another replica is scanning
  ++scans_;
  const std::string before = *planned;
  Result<int> added = ScanHolding(*planned);
  if (*planned != before) {
    if (Status s = leases_->SetValue(kScanLease, holder_, *planned); !s.ok()) {
      log::Warn("reconcile_lease_lost", {{"error", s.message()}});
    }
  }
  if (Status s = leases_->Release(kScanLease, holder_); !s.ok()) {
    log::Warn("reconcile_lease_release_failed", {{"error", s.message()}});
  }
  return added;
}

Result<int> Reconciler::ScanHolding(std::string& planned_tip) {
  std::string base;
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, proposals_.LoadConfig(&base));
  DATAMCP_ASSIGN_OR_RETURN(auto work, FindWork(config, base));
  int added = 0;
  // Oldest commit first, so a project's jobs run in the order their commits landed.
  for (auto it = work.rbegin(); it != work.rend(); ++it) {
    DATAMCP_ASSIGN_OR_RETURN(bool fresh, jobs_.Enqueue(*it));
    if (!fresh && it->detail == kRetryResult) {
      // The job ran before (and was interrupted): queue it again, once. While it is queued
      // or running, the retry record is still the newest and must not queue it twice.
      DATAMCP_ASSIGN_OR_RETURN(std::optional<jobs::Job> existing,
                               jobs_.Get(jobs::JobId(it->merge_sha, it->project)));
      if (existing && existing->state != "queued" && existing->state != "running") {
        DATAMCP_RETURN_IF_ERROR(jobs_.SetState(existing->id, "queued", "retry requested"));
        ++added;
        log::Info("apply_retry_queued",
                  {{"project", it->project}, {"merge_commit", it->merge_sha}});
      }
    }
    if (fresh) {
      ++added;
      log::Info("apply_queued", {{"project", it->project},
                                 {"merge_commit", it->merge_sha},
                                 {"pull_request", it->pull_request}});
      WarnIgnoredApplyNotes(repo_, *it);
    }
  }
  DATAMCP_ASSIGN_OR_RETURN(std::set<int> replanned, ReleaseFinishedLocks(base));
  ReplanOpenProposals(std::exchange(planned_tip, base), base, replanned);
  return added;
}

void Reconciler::ReplanOpenProposals(const std::string& previous, const std::string& tip,
                                     const std::set<int>& already) {
  // The first pass only learns the tip; later passes re-plan when it moved, once per move
  // (across replicas: the tip travels with the scan lease).
  if (previous.empty() || previous == tip) return;
  auto open = forge_.ListOpenPullRequests();
  if (!open.ok()) {
    log::Warn("replan_list_failed", {{"error", open.status().message()}});
    return;
  }
  for (const auto& pr : *open) {
    if (already.contains(pr.number) ||
        !pr.head_ref.starts_with(proposals_.options().branch_prefix)) {
      continue;
    }
    auto replanned = proposals_.PlanPullRequest(pr.number);
    log::Info("replanned_on_new_base",
              {{"pull_request", pr.number},
               {"base", tip},
               {"ok", replanned.ok()},
               {"error", replanned.ok() ? "" : replanned.status().message()}});
  }
}

Result<std::set<int>> Reconciler::ReleaseFinishedLocks(const std::string& tip) {
  std::set<int> replanned;
  std::map<int, std::vector<std::string>> holders;  // pull request -> projects it holds
  DATAMCP_ASSIGN_OR_RETURN(std::vector<jobs::Lock> locks, locks_.List());
  for (const auto& lock : locks) holders[lock.pull_request].push_back(lock.project);
  if (holders.empty()) return replanned;
  DATAMCP_ASSIGN_OR_RETURN(std::set<int> applying, PullRequestsApplying());
  for (const auto& [number, projects] : holders) {
    auto pr = forge_.GetPullRequest(number);
    if (!pr.ok() || pr->state == forge::PullRequestState::kOpen) continue;
    if (pr->merged) {
      // Released by the scan after its applies end.
      if (applying.contains(number) || !MergeInHistory(*pr, tip)) continue;
    } else {
      RecordClosedUnmerged(*pr, projects);
    }
    DATAMCP_ASSIGN_OR_RETURN(auto waiters, proposal::ReleaseFinished(locks_, proposals_, number));
    log::Info("locks_released", {{"pull_request", number}, {"merged", pr->merged}});
    for (const auto& waiter : waiters) replanned.insert(waiter.pull_request);
  }
  return replanned;
}

Result<std::set<int>> Reconciler::PullRequestsApplying() const {
  std::set<int> out;
  for (const char* state : {"queued", "running"}) {
    DATAMCP_ASSIGN_OR_RETURN(std::vector<jobs::Job> jobs, jobs_.WithState(state));
    for (const auto& job : jobs) out.insert(job.pull_request);
  }
  return out;
}

bool Reconciler::MergeInHistory(const forge::PullRequest& pr, const std::string& tip) {
  if (pr.merge_commit_sha.empty()) return true;  // the forge did not say: as before
  Result<std::string> base = repo_.MergeBase(pr.merge_commit_sha, tip);
  if (base.ok() && *base == pr.merge_commit_sha) return true;
  // Not fetched yet: the next scan sees it. (A merge that history lost for good keeps the
  // locks until `datamcp unlock`.)
  log::Info("locks_kept", {{"pull_request", pr.number},
                           {"merge_commit", pr.merge_commit_sha},
                           {"reason", "merge commit not in the default branch yet"}});
  return false;
}

void Reconciler::RecordClosedUnmerged(const forge::PullRequest& pr,
                                      const std::vector<std::string>& projects) {
  auto notes = repo_.ReadNotes(pr.head_sha);
  if (notes.ok()) {
    for (const auto& text : *notes) {
      // Only a record for this pull request counts; anything else is not ours.
      auto note = ParseJsonOrDiscarded(text);
      if (json_fields::String(note, "type") == "closed" &&
          json_fields::Int(note, "pull_request") == pr.number) {
        return;
      }
    }
  }
  nlohmann::json note = {{"type", "closed"},
                         {"pull_request", pr.number},
                         {"merged", false},
                         {"head", pr.head_sha},
                         {"locks_released", projects}};
  // The head may be gone (a deleted branch that was never fetched): the log line remains.
  Status s = repo_.AddNote(pr.head_sha, note.dump());
  log::Info("pull_request_closed_unmerged", {{"pull_request", pr.number},
                                             {"head", pr.head_sha},
                                             {"projects", projects},
                                             {"recorded", s.ok()}});
}

bool Reconciler::RunJob(const jobs::Job& job) {
  // Another worker or replica may have claimed it since it was read: then it is theirs.
  Result<bool> claimed = jobs_.Claim(job.id);
  if (!claimed.ok() || !*claimed) return false;
  auto note = applier_.Run(job);
  if (note.ok()) {
    Result<bool> finished = jobs_.Finish(job.id, note->result, note->summary);
    if (!finished.ok() || !*finished) {
      log::Error("job_state_failed",
                 {{"job", job.id},
                  {"error", finished.ok() ? "no longer held" : finished.status().message()}});
    }
    return true;
  }
  // Nothing was recorded (git or the forge unreachable, CI still running): try again on a
  // later pass, unless the job was taken over meanwhile (this replica lost the database for
  // longer than its lease): then it is the other replica's, recorded interrupted.
  Result<bool> requeued = jobs_.Finish(job.id, "queued", note.status().message());
  if (requeued.ok() && !*requeued) {
    log::Warn("apply_claim_lost", {{"job", job.id}, {"error", note.status().message()}});
    return true;
  }
  log::Warn("apply_retry_later", {{"job", job.id}, {"error", note.status().message()}});
  return false;
}

// The applier's claim check: renews the lease on the job. While the database cannot be
// reached the answer is unknown, so it is asked again until it can be (or the reconciler
// stops): recording an apply a replica took over, or dropping one nobody did, would both
// leave git and the database disagreeing.
Result<bool> Reconciler::StillHeld(const std::string& job_id) {
  for (bool logged = false;; logged = true) {
    Result<bool> held = jobs_.Renew(job_id);
    if (held.ok() || stopping()) return held;
    if (!logged)
      log::Warn("apply.claim_unconfirmed", {{"job", job_id}, {"error", held.status().message()}});
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
  }
}

// An apply that throws stopped at an unknown point, like one cut off by a crash: it is
// recorded as interrupted for a human, never retried, and the worker thread lives on.
bool Reconciler::RunJobCatching(const jobs::Job& job) {
  try {
    return RunJob(job);
  } catch (const std::exception& e) {
    log::Error("apply_threw", {{"job", job.id}, {"project", job.project}, {"error", e.what()}});
    try {
      (void)applier_.RecordInterrupted(job);
      (void)jobs_.SetState(job.id, "interrupted", std::string("apply threw: ") + e.what());
    } catch (const std::exception& again) {
      log::Error("apply_record_threw", {{"job", job.id}, {"error", again.what()}});
    }
    return true;  // finished, as far as the queue goes
  }
}

int Reconciler::Drain() {
  std::map<std::string, std::vector<jobs::Job>> by_project;
  Result<std::vector<jobs::Job>> queued = jobs_.WithState("queued");
  if (!queued.ok()) {
    log::Error("apply.queue_unreadable", {{"error", queued.status().message()}});
    return 0;
  }
  for (auto& job : *queued) by_project[job.project].push_back(job);
  std::vector<std::vector<jobs::Job>> queues;
  for (auto& [project, list] : by_project) queues.push_back(std::move(list));
  std::atomic<std::size_t> next{0};
  std::atomic<int> ended{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < queues.size();) {
      // One at a time per project, in order: a job put back stops its project's queue, so a
      // later commit is never applied before an earlier one.
      for (const auto& job : queues[i]) {
        if (stopping() || !RunJobCatching(job)) break;
        ++ended;
      }
    }
  };
  std::vector<std::thread> threads;
  int n = std::min<int>(options_.workers, static_cast<int>(queues.size()));
  for (int t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return ended.load();
}

bool Reconciler::stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

Status Reconciler::RunOnce() {
  std::lock_guard pass(pass_mu_);
  if (leases_ != nullptr) DATAMCP_RETURN_IF_ERROR(TakeOverExpired().status());
  DATAMCP_RETURN_IF_ERROR(Scan().status());
  // An apply that ended kept its pull request's locks until now: scan again to release them
  // and plan their waiters on the applied state, rather than an interval later.
  if (Drain() > 0) DATAMCP_RETURN_IF_ERROR(Scan().status());
  return Status::Ok();
}

// The background pass must outlive anything the repository can hold (a note someone else
// pushed that is not what we wrote): an exception fails the pass, never the process.
Status Reconciler::RunOnceCatching() {
  try {
    return RunOnce();
  } catch (const std::exception& e) {
    return Internal(std::string("reconcile pass threw: ") + e.what());
  }
}

void Reconciler::Start(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      if (Status s = RunOnceCatching(); !s.ok()) {
        log::Warn("reconcile_failed", {{"error", s.message()}});
      }
      lock.lock();
      // Another replica was scanning: scan again soon, so what it may have missed (a merge
      // that landed during its pass) is not left for a whole interval.
      auto wait = scan_deferred_ ? std::min<std::chrono::milliseconds>(
                                       interval, std::chrono::milliseconds(500))
                                 : interval;
      cv_.wait_for(lock, wait, [this] { return stopping_ || poked_; });
      poked_ = false;
    }
  });
}

void Reconciler::Poke() {
  std::lock_guard lock(mu_);
  poked_ = true;
  cv_.notify_all();
}

void Reconciler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace datamcp::apply
