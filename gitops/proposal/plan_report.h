#pragma once

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

forge::PlanComment BuildPlanComment(const PlanRun& run, const Blocked& blocked);
forge::CommitState BuildPlanStatus(const PlanRun& run, const Blocked& blocked);

// {"type":"plan","commit":..,"base":..,"pull_request":..,"at":..,"projects":[{project, kind,
// env, ok, summary, fingerprint, error}]}
nlohmann::json BuildPlanNote(const PlanRun& run, int pull_request, long long at);

// The fingerprint recorded for `project` in the newest plan note among `notes` (JSON
// documents as read from git), or empty when none is recorded.
std::string RecordedFingerprint(const std::vector<std::string>& notes, const std::string& project);

}  // namespace datamcp::proposal
