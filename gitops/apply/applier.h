#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "gitops/apply/apply_note.h"
#include "gitops/apply/syncer.h"
#include "gitops/common/clock.h"
#include "gitops/forge/forge.h"
#include "gitops/git/repository.h"
#include "gitops/jobs/job_store.h"
#include "gitops/proposal/proposal_service.h"

namespace datamcp::apply {

struct ApplierOptions {
  // Whether the forge runs CI whose result is recorded (GitHub Actions via workflow_run).
  // The local forge has none, so `apply.require_ci_green` cannot hold it back there.
  bool ci_available = true;
  // How long an unreviewed push waits for its CI result before it is refused for having none,
  // on the monotonic clock from when this process first found it waiting (a restart waits
  // again; the job's created_at is wall time, which an NTP step moves either way).
  std::chrono::seconds unreviewed_ci_wait{std::chrono::hours(1)};
};

// Apply after merge, for one project at one merge commit:
//  1. read datamcp.yaml from the default branch and check the apply requirements
//     (approvals by the environment's count, CI green when required); an approval counts
//     only when it was given on the reviewed plan's fingerprint (proposal::BindApprovals),
//     the others are recorded as stale_approvals;
//  2. re-plan on the merge commit and compare the fingerprint with the one recorded for
//     the reviewed head; different -> refuse as `stale-plan`;
//  3. the environment's plan policies: a denied plan is `policy-denied`, and so is one with
//     fewer approvals (of that plan) than its require_approvals rules ask;
//  3b. a destructive plan (it deletes or replaces) needs the environment's destroy_approvals or
//     a destroy confirmation of that fingerprint on the head; else `destroy-unconfirmed`;
//  4. terraform apply of exactly that saved plan, or an Argo CD sync to the merge commit;
//  5. record a JSON note on the merge commit, comment on the pull request, set
//     `datamcp/apply` on the merge commit.
// A job with pull request 0 is an unreviewed push queued under `unreviewed_push: apply`:
// the policy must still be `apply`, approvals are not required (none can be given, so a
// destructive plan is never applied from one: `destroy-unconfirmed`), CI is
// when configured (waited for, see ApplierOptions), the plan made on the pushed commit is
// applied as is (there is no reviewed one to compare), and the note says reviewed: false.
// No comment is posted; the status and the note are the record.
// Thread-safe; the caller runs one job per project at a time.
class Applier {
 public:
  Applier(git::Repository& repo, forge::Forge& forge, proposal::ProposalService& proposals,
          proposal::PlanService& planner, Syncer* syncer, const Clock& clock,
          ApplierOptions options);

  // Runs the pipeline and records its outcome; the returned note is what was recorded.
  // Errors mean nothing could be recorded (git or the forge unreachable, or an unreviewed
  // push still waiting for CI): retry later.
  Result<ApplyNote> Run(const jobs::Job& job);

  // Records that `job` was cut off mid-run (the bot crashed): a note and a comment asking a
  // human to check the project. Nothing is retried.
  Result<ApplyNote> RecordInterrupted(const jobs::Job& job);

  // Asked just before an outcome is recorded: does this process still hold the claim on
  // the job (jobs::JobId of the note's merge commit and project)? A replica cut off from the
  // database for longer than its lease has lost the job to another, which records it
  // interrupted: then nothing is recorded and Run fails with FailedPrecondition. Unset (one
  // process, tests): always held. Not asked for RecordInterrupted. Set before the first Run.
  using ClaimCheck = std::function<Result<bool>(const std::string& job_id)>;
  void SetClaimCheck(ClaimCheck check) { claim_check_ = std::move(check); }

 private:
  Result<ApplyNote> Execute(const jobs::Job& job, ApplyNote note);
  Result<ApplyNote> ExecuteUnreviewed(const jobs::Job& job, ApplyNote note,
                                      const repo::RepoConfig& config);
  // `head_notes`: the notes of the pull request's head (destroy confirmations); empty for
  // an unreviewed push.
  Result<ApplyNote> PlanAndApply(const repo::RepoConfig& config, const std::string& parent,
                                 const proposal::Project& project, const repo::Environment& env,
                                 const std::vector<std::string>& head_notes, ApplyNote note);
  // The plan policies on the re-plan (proposal::PolicyVerdict): false when a rule denies it or
  // its require_approvals are not met by note.approvers; the verdict goes into the note.
  bool PolicyAllowed(const proposal::ProjectPlan& plan, ApplyNote& note);
  // The destroy gate for a destructive plan (proposal::DecideDestroy): false when it holds
  // the apply back; the decision goes into the note either way.
  bool DestroyAllowed(const proposal::ProjectPlan& plan, const repo::Environment& env,
                      const std::vector<std::string>& head_notes, ApplyNote& note);
  static proposal::Project ProjectOf(const jobs::Job& job, const repo::RepoConfig& config);
  Status CheckRequirements(const repo::Environment& env, const repo::RepoConfig& config,
                           const forge::PullRequest& pr, ApplyNote& note);
  Status CheckUnreviewedRequirements(const jobs::Job& job, const repo::RepoConfig& config);
  // Whether job `id` has waited options_.unreviewed_ci_wait for CI (starts its wait when new).
  bool CiWaitOver(const std::string& id);
  // The conclusion of the last `ci` note on `sha`, "" when none was recorded.
  Result<std::string> CiConclusion(const std::string& sha);
  Status ApplyPlan(const proposal::ProjectPlan& plan, const repo::Environment& env,
                   ApplyNote& note);
  Result<ApplyNote> Record(ApplyNote note);
  // Record without asking the claim check (RecordInterrupted: the job is not ours).
  Result<ApplyNote> RecordUnchecked(ApplyNote note);
  // Records `note` as refused for `why` (a requirement not met; nothing was applied).
  Result<ApplyNote> Refuse(ApplyNote note, std::string why);

  git::Repository& repo_;
  forge::Forge& forge_;
  proposal::ProposalService& proposals_;
  proposal::PlanService& planner_;
  Syncer* syncer_;
  const Clock& clock_;
  ApplierOptions options_;
  ClaimCheck claim_check_;
  // Unreviewed pushes waiting for CI: job id -> when this process first found it waiting.
  std::mutex ci_wait_mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> ci_wait_since_;
};

}  // namespace datamcp::apply
