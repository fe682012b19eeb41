#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/forge/forge.h"
#include "gitops/git/repository.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/proposal/plan_report.h"
#include "gitops/proposal/plan_service.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::proposal {

// Builds the change set of a request on `base` with the repository configuration of the
// default branch; returns errors that name the argument to fix.
using ChangeBuilder = std::function<Result<git::ChangeSet>(
    git::Repository& repo, const std::string& base, const repo::RepoConfig& config)>;

struct ProposalRequest {
  std::string tool;  // recorded as Datamcp-Tool
  std::string env;   // recorded as Datamcp-Env
  std::string title;
  std::string description;
  std::string requester;        // the caller's subject, recorded as Datamcp-Requested-By
  std::string request_id;       // recorded as Datamcp-Request-Id
  std::string idempotency_key;  // optional: the same key from the same requester, same proposal
  ChangeBuilder build;
  // The tool's arguments as called: masked into the `request` note (request_record.h).
  nlohmann::json arguments = nullptr;
  // More trailers the tool records after the four above (e.g. Datamcp-Rollback-Of). Keys and
  // values come from DataMCP's own data, never from caller text.
  std::vector<std::pair<std::string, std::string>> trailers;
};

// One project's plan as reported back to the caller.
struct ProjectOutcome {
  std::string project;
  std::string kind;
  std::string env;
  bool ok = false;
  std::string summary;
  std::string fingerprint;
  std::string error;    // planning failed
  std::string blocked;  // e.g. "locked by #3"
  plan::Classification changes;
  PolicyVerdict policy;
};

struct PlanOutcome {
  std::string base;
  std::string head;
  std::vector<ProjectOutcome> projects;
  std::string status;  // success | failure
  // Starts with DestructiveSummary when the plan deletes or replaces anything.
  std::string status_description;
  bool destructive = false;    // some project's plan deletes or replaces something
  bool policy_denied = false;  // a plan policy denies some project's plan
};

struct ProposalResult {
  int number = 0;
  std::string url;
  std::string branch;
  std::string commit;
  bool reused = false;  // an earlier proposal with the same idempotency key
  PlanOutcome plan;
};

// What refreshing a proposal did: its branch rebuilt on the current default branch and
// re-planned, or the paths that conflict (then nothing was pushed and `advice` says what to
// do).
struct RefreshResult {
  int number = 0;
  std::string branch;
  std::string old_head;
  std::string head;  // the branch's tip now (old_head unless rebuilt)
  std::string base;  // the default branch's tip it was rebuilt on
  bool rebuilt = false;
  std::vector<std::string> conflicts;
  std::string advice;
  std::optional<PlanOutcome> plan;  // set unless it conflicts
};

struct ProposalServiceOptions {
  std::string default_branch = "main";
  std::string branch_prefix = "datamcp/";
  bool plan_forks = false;  // operator setting; datamcp.yaml may only narrow it
};

// The heart of the product: a request becomes a branch, a commit with audit trailers, a
// pull request, and a plan attached to it (comment, `datamcp/plan` status, and a git note on
// the planned commit). Also the dry run (plan_preview) and re-planning for webhooks.
// Configuration is read from the default branch only. Thread-safe.
class ProposalService {
 public:
  ProposalService(git::Repository& repo, forge::Forge& forge, PlanService& planner,
                  jobs::LockTable& locks, const Clock& clock, ProposalServiceOptions options);

  // Fetches and reads datamcp.yaml from the default branch.
  Result<repo::RepoConfig> LoadConfig(std::string* base = nullptr);
  // The configuration of the last successful LoadConfig, without fetching (for cheap
  // decisions such as which scope an environment needs).
  std::optional<repo::RepoConfig> CachedConfig() const;

  using Progress = std::function<void(const std::string& step)>;
  Result<ProposalResult> Propose(const ProposalRequest& request, const Progress& progress = {});

  // Plans the change set without a branch, a push or a pull request (the commit object
  // stays unreferenced in the mirror).
  Result<PlanOutcome> Preview(const ProposalRequest& request);

  // (Re-)plans an open pull request at its current head: locks, comment, status, note.
  Result<PlanOutcome> PlanPullRequest(int number);

  // Rebuilds an open proposal's branch on the current default branch (its change re-applied
  // on top, one commit, keeping its message and trailers plus Datamcp-Refreshed-From and
  // Datamcp-Refreshed-By) and re-plans it. `env`, when set, must be the proposal's
  // Datamcp-Env. Conflicts are a result, not an error: their paths, a failing plan status on
  // the head, and what to do. Only bot-owned branches; forks are refused.
  Result<RefreshResult> Refresh(int number, const std::string& env, const std::string& requester);

  const ProposalServiceOptions& options() const { return options_; }

 private:
  // Plans pull request `number` at `head` as the merge into `base` will be, and reports it.
  // `author` opened it (their own approval never counts).
  Result<PlanOutcome> PlanHead(int number, const std::string& author,
                               const repo::RepoConfig& config, const std::string& base,
                               const std::string& head);
  Result<PlanRun> PlanCommit(const repo::RepoConfig& config, const std::string& base,
                             const std::string& head);
  // Locks, comment, status and (when nothing is blocked) the plan note on the head.
  // A pull request that changes datamcp.yaml into one that does not parse (a malformed plan
  // policy, an unknown key...) is not planned: its comment and the `datamcp/plan` status of
  // `head` say what is wrong (FailedPrecondition). OK when the file is unchanged or valid.
  Status CheckProposedConfig(int number, const std::string& base, const std::string& planned,
                             const std::string& head);
  // `author`: the pull request's author, whose own approval never counts.
  Result<PlanOutcome> Report(int number, const std::string& author, const PlanRun& run);
  // Per project of `run`, its approvals when some were given on another plan (stale).
  std::map<std::string, ApprovalHint> StaleApprovalHints(const repo::RepoConfig& config, int number,
                                                         const std::string& author,
                                                         const PlanRun& run);
  git::CommitMeta CommitMetaFor(const ProposalRequest& request) const;
  // The `request` note on the proposal's commit (nothing when request.arguments is null).
  Status RecordRequest(const std::string& commit, const ProposalRequest& request);
  std::string BodyFor(const ProposalRequest& request) const;
  // The tip of `branch` on the remote when it holds a commit this requester pushed with this
  // idempotency key but no pull request was opened for it (a crash in between).
  std::optional<std::string> OrphanBranchTip(const std::string& branch,
                                             const ProposalRequest& request);
  Result<std::string> BranchName(const ProposalRequest& request) const;

  git::Repository& repo_;
  forge::Forge& forge_;
  PlanService& planner_;
  jobs::LockTable& locks_;
  const Clock& clock_;
  ProposalServiceOptions options_;
  mutable std::mutex config_mu_;
  std::optional<repo::RepoConfig> cached_config_;
};

PlanOutcome ToOutcome(const PlanRun& run, const Blocked& blocked);
nlohmann::json ToJson(const PlanOutcome& outcome);
nlohmann::json ToJson(const RefreshResult& result);
// A few lines for a person or an agent: what happened, the conflicting paths and what to do,
// or the new plan's status and projects.
std::string RefreshSummary(const RefreshResult& result);

}  // namespace datamcp::proposal
