#include "gitops/proposal/plan_report.h"

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"

namespace datamcp::proposal {

using nlohmann::json;

namespace {

std::string Cell(std::string text) {
  for (char& c : text) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return text;
}

}  // namespace

forge::PlanComment BuildPlanComment(const PlanRun& run, const Blocked& blocked) {
  forge::PlanComment comment;
  std::string& s = comment.summary;
  s = "### DataMCP plan for `" + run.head.substr(0, 12) + "`\n\n";
  if (run.plans.empty()) {
    s += "This change touches no Terraform root or Argo CD application: nothing to plan.\n";
    return comment;
  }
  s += "| project | env | result | fingerprint |\n| --- | --- | --- | --- |\n";
  for (const auto& p : run.plans) {
    std::string result = p.ok ? p.summary : "**failed**: " + p.error.substr(0, 300);
    if (auto it = blocked.find(p.project.path); it != blocked.end()) {
      result = "**blocked**: " + it->second;
    }
    s += "| `" + p.project.path + "` | " + p.project.env + " | " + Cell(result) + " | `" +
         p.fingerprint.substr(0, 12) + "` |\n";
  }
  s += "\nMerging applies exactly this plan: DataMCP re-plans on the merge commit and applies "
       "only when the fingerprint is unchanged.\n";
  for (const auto& p : run.plans) {
    std::string body = p.ok ? p.text : p.error;
    comment.sections.push_back(
        {std::string(ProjectKindName(p.project.kind)) + ": " + p.project.path, body});
  }
  return comment;
}

forge::CommitState BuildPlanStatus(const PlanRun& run, const Blocked& blocked) {
  forge::CommitState state;
  state.context = "datamcp/plan";
  if (!blocked.empty()) {
    state.state = forge::CommitStateKind::kFailure;
    state.description = blocked.begin()->first + ": " + blocked.begin()->second;
  } else if (!run.AllOk()) {
    state.state = forge::CommitStateKind::kFailure;
    for (const auto& p : run.plans) {
      if (!p.ok) {
        state.description = p.project.path + ": " + p.error;
        break;
      }
    }
  } else {
    state.state = forge::CommitStateKind::kSuccess;
    for (const auto& p : run.plans) {
      state.description +=
          (state.description.empty() ? "" : "; ") + p.project.env + ": " + p.summary;
    }
    if (run.plans.empty()) state.description = "nothing to plan";
  }
  for (char& c : state.description) {
    if (c == '\n') c = ' ';
  }
  if (state.description.size() > 140) state.description = state.description.substr(0, 137) + "...";
  return state;
}

json BuildPlanNote(const PlanRun& run, int pull_request, long long at) {
  json projects = json::array();
  for (const auto& p : run.plans) {
    projects.push_back({{"project", p.project.path},
                        {"kind", ProjectKindName(p.project.kind)},
                        {"env", p.project.env},
                        {"ok", p.ok},
                        {"summary", p.summary},
                        {"fingerprint", p.fingerprint},
                        {"error", p.error}});
  }
  return {{"type", "plan"},   {"commit", run.head},
          {"base", run.base}, {"pull_request", pull_request},
          {"at", at},         {"projects", projects}};
}

std::string RecordedFingerprint(const std::vector<std::string>& notes, const std::string& project) {
  for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
    json note = ParseJsonOrDiscarded(*it);
    if (json_fields::String(note, "type") != "plan") continue;
    for (const auto& p : json_fields::Array(note, "projects")) {
      // A successful plan always has a fingerprint; an entry without one is not ours.
      std::string fingerprint = json_fields::String(p, "fingerprint");
      if (json_fields::String(p, "project") == project && json_fields::Bool(p, "ok") &&
          !fingerprint.empty()) {
        return fingerprint;
      }
    }
  }
  return "";
}

}  // namespace datamcp::proposal
