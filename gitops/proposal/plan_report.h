#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "gitops/forge/comment_split.h"
#include "gitops/forge/forge.h"
#include "gitops/proposal/plan_service.h"

namespace datamcp::proposal {

// How a plan is shown and recorded: the pull request comment, the `datamcp/plan` commit
// status, and the JSON note recorded on the planned commit (Git is the audit log).

// `blocked` holds, per project, why the plan may not proceed (e.g. "locked by #3").
using Blocked = std::map<std::string, std::string>;

// What a destructive plan needs, for the comment to say: the pull request (for the command
// to type) and, per environment, its destroy_approvals. Empty: said in general terms.
// The approvals of one project's plan (proposal::BindApprovals) when some were given on
// another plan: the comment and the check say they are stale and what is still needed.
struct ApprovalHint {
  int required = 0;                  // the environment's approvals
  std::vector<std::string> current;  // approvers of this plan
  std::string stale;                 // ApprovalBinding::DescribeStale()
};

struct DestroyHint {
  int pull_request = 0;
  std::map<std::string, int> destroy_approvals;   // environment -> approvals it needs
  std::map<std::string, ApprovalHint> approvals;  // project -> its approvals, when any is stale
};

// project path -> the URL of its check run (forge::Forge::UpsertCheckRun).
using CheckLinks = std::map<std::string, std::string>;

// True when every project of `run` has a check run with a page in `links`: the checks then
// hold the plan text and the comment is only the table.
bool ChecksHoldPlans(const PlanRun& run, const CheckLinks& links);

// The pull request's one plan comment: a table with a row per project (project, result,
// +/~/- counts, destructive, policy, and a link to its check run). When the checks hold the
// plans (ChecksHoldPlans) that is all; otherwise (a forge without check pages, a GitHub App
// without `checks:write`) each project's plan text follows in a folded section.
// A destructive plan (any project deletes or replaces something) is said first: the comment
// opens with a warning listing every deleted and replaced resource and what applying needs;
// the status description starts with "DESTRUCTIVE". Stale approvals (hint.approvals) are
// listed after the table, with what is still needed.
forge::PlanComment BuildPlanComment(const PlanRun& run, const Blocked& blocked,
                                    const DestroyHint& hint = {}, const CheckLinks& links = {});
// A project short of approvals because some are stale opens the description with
// "re-approve: ..." (the plan itself still succeeded).
forge::CommitState BuildPlanStatus(const PlanRun& run, const Blocked& blocked,
                                   const DestroyHint& hint = {});

// "prod environments[2].policies[0]: deny delete ..." over every project whose plan a policy
// denies, or "" when none is. The status then fails with "POLICY: " and this.
std::string PolicyDenials(const PlanRun& run);

// "DESTRUCTIVE: dev deletes a.b; replaces c.d" over every project, or "" when no plan
// deletes or replaces anything.
std::string DestructiveSummary(const PlanRun& run);

// {"type":"plan","commit":..,"base":..,"pull_request":..,"at":..,"destructive":bool,
// "projects":[{project, kind, env, ok, summary, fingerprint, error, changes, policy}]} where
// changes is plan::ToJson(Classification) and policy PolicyVerdict::ToJson.
nlohmann::json BuildPlanNote(const PlanRun& run, int pull_request, long long at);

// One project of a recorded plan note.
struct RecordedProjectPlan {
  std::string project;
  std::string env;
  std::string fingerprint;
  plan::Classification changes;
  PolicyVerdict policy;
};

// The successful projects of the newest plan note among `notes` (JSON documents as read
// from git), in the note's order; empty when none is recorded. Malformed documents and
// entries are skipped.
std::vector<RecordedProjectPlan> NewestPlan(const std::vector<std::string>& notes);

// The fingerprint recorded for `project` in the newest plan note among `notes` (JSON
// documents as read from git), or empty when none is recorded.
std::string RecordedFingerprint(const std::vector<std::string>& notes, const std::string& project);

}  // namespace datamcp::proposal
