#include "gitops/proposal/plan_report.h"

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/proposal/plan_checks.h"

namespace datamcp::proposal {

using nlohmann::json;

namespace {

std::string Cell(std::string text) {
  for (char& c : text) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return text;
}

bool AnyDestructive(const PlanRun& run) {
  for (const auto& p : run.plans) {
    if (p.ok && p.changes.Destructive()) return true;
  }
  return false;
}

// The warning a destructive plan opens with: what is deleted or replaced, and what applying
// it needs.
std::string DestructiveBanner(const PlanRun& run, const DestroyHint& hint) {
  std::string s =
      "> [!CAUTION]\n> **Destructive plan**: applying it deletes or replaces "
      "resources.\n>\n";
  for (const auto& p : run.plans) {
    if (!p.ok || !p.changes.Destructive()) continue;
    s += "> - `" + p.project.path + "` (" + p.project.env + "):";
    for (const auto& d : p.changes.deleted) s += " delete `" + Cell(d) + "`;";
    for (const auto& r : p.changes.replaced) s += " replace `" + Cell(r) + "`;";
    s.pop_back();
    if (auto it = hint.destroy_approvals.find(p.project.env); it != hint.destroy_approvals.end()) {
      s += " - needs " + std::to_string(it->second) + " approval(s) (`destroy_approvals`)";
    }
    s += "\n";
  }
  std::string n = hint.pull_request > 0 ? std::to_string(hint.pull_request) : "N";
  s += ">\n> It is applied after merge only with the environment's `destroy_approvals`, or a "
       "confirmation of this plan's fingerprint by someone with write permission: comment "
       "`/datamcp confirm-destroy` (GitHub) or run `datamcp review " +
       n + " --confirm-destroy` (local forge). A new plan needs a new confirmation.\n\n";
  return s;
}

// The plan policies' verdicts, said first: what is denied (never applied), and the approvals
// require_approvals rules ask for.
std::string PolicyBanner(const PlanRun& run) {
  std::string denied, required;
  for (const auto& p : run.plans) {
    for (const auto& d : p.policy.denied)
      denied += "> - `" + p.project.path + "`: " + Cell(d) + "\n";
    for (const auto& r : p.policy.requirements) {
      required += "- `" + p.project.path + "`: " + Cell(r) + "\n";
    }
  }
  std::string s;
  if (!denied.empty()) {
    s += "> [!CAUTION]\n> **Denied by policy**: this plan breaks the environment's plan policies "
         "(`policies` in `datamcp.yaml` on the default branch) and is never applied. Change "
         "the proposal.\n>\n" +
         denied + "\n";
  }
  if (!required.empty()) s += "**Policy approvals**: this plan needs\n" + required + "\n";
  return s;
}

// Projects whose approvals fall short of the environment's because some are stale.
std::string StaleApprovals(const DestroyHint& hint, bool markdown) {
  std::string s;
  for (const auto& [project, a] : hint.approvals) {
    if (a.stale.empty() || static_cast<int>(a.current.size()) >= a.required) continue;
    std::string have = std::to_string(a.current.size()) + " of " + std::to_string(a.required);
    if (markdown) {
      s += "- `" + project + "`: " + have + " approval(s) of this plan; stale: " + Cell(a.stale) +
           "\n";
    } else {
      s += (s.empty() ? "" : "; ") + project + " " + have + " (" + a.stale + ")";
    }
  }
  return s;
}

// One project's row of the comment's table; its check column links to the check run.
std::string TableRow(const ProjectPlan& p, const Blocked& blocked, const CheckLinks& links,
                     bool compact) {
  std::string result = p.ok ? p.summary : "**failed**: " + p.error.substr(0, 300);
  if (p.policy.Denied()) result = "**denied by policy**: " + result;
  if (auto it = blocked.find(p.project.path); it != blocked.end()) {
    result = "**blocked**: " + it->second;
  }
  std::string counts = p.ok ? ChangeCounts(p.changes) : "-";
  std::string destructive = !p.ok ? "-" : p.changes.Destructive() ? "**yes**" : "no";
  std::string policy = p.policy.Denied()                ? "**denied**"
                       : !p.policy.requirements.empty() ? "needs approvals"
                       : p.ok                           ? "ok"
                                                        : "-";
  std::string check = "below";
  if (auto it = links.find(p.project.path); compact && it != links.end()) {
    check = "[details](" + it->second + ")";
  }
  return "| `" + p.project.path + "` (" + p.project.env + ", plan `" + p.fingerprint.substr(0, 12) +
         "`) | " + Cell(result) + " | " + counts + " | " + destructive + " | " + policy + " | " +
         Cell(check) + " |\n";
}

}  // namespace

std::string PolicyDenials(const PlanRun& run) {
  std::string s;
  for (const auto& p : run.plans) {
    for (const auto& d : p.policy.denied) s += (s.empty() ? "" : "; ") + p.project.env + " " + d;
  }
  return s;
}

std::string DestructiveSummary(const PlanRun& run) {
  std::string s;
  for (const auto& p : run.plans) {
    if (!p.ok || !p.changes.Destructive()) continue;
    s += (s.empty() ? "DESTRUCTIVE: " : "; ") + p.project.env + " " + p.changes.DescribeDestroys(5);
  }
  return s;
}

forge::PlanComment BuildPlanComment(const PlanRun& run, const Blocked& blocked,
                                    const DestroyHint& hint, const CheckLinks& links) {
  forge::PlanComment comment;
  std::string& s = comment.summary;
  s = "### DataMCP plan for `" + run.head.substr(0, 12) + "`\n\n";
  if (run.plans.empty()) {
    s += "This change touches no Terraform root or Argo CD application: nothing to plan.\n";
    return comment;
  }
  s += PolicyBanner(run);
  if (AnyDestructive(run)) s += DestructiveBanner(run, hint);
  bool compact = ChecksHoldPlans(run, links);
  s += "| project | result | +/~/- | destructive | policy | check |\n"
       "| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& p : run.plans) s += TableRow(p, blocked, links, compact);
  s += "\nMerging applies exactly this plan: DataMCP re-plans on the merge commit and applies "
       "only when the fingerprint is unchanged.\n";
  if (compact) s += "Each project's plan is in its check (the links above).\n";
  if (std::string stale = StaleApprovals(hint, true); !stale.empty()) {
    s += "\n**Approvals are stale**: they were given on another plan and count only for that "
         "one. Approve this plan again:\n" +
         stale;
  }
  if (compact) return comment;
  for (const auto& p : run.plans) {
    std::string body = p.ok ? p.text : p.error;
    comment.sections.push_back(
        {std::string(ProjectKindName(p.project.kind)) + ": " + p.project.path, body});
  }
  return comment;
}

bool ChecksHoldPlans(const PlanRun& run, const CheckLinks& links) {
  if (run.plans.empty()) return false;
  for (const auto& p : run.plans) {
    auto it = links.find(p.project.path);
    if (it == links.end() || it->second.empty()) return false;
  }
  return true;
}

forge::CommitState BuildPlanStatus(const PlanRun& run, const Blocked& blocked,
                                   const DestroyHint& hint) {
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
  } else if (std::string denied = PolicyDenials(run); !denied.empty()) {
    state.state = forge::CommitStateKind::kFailure;
    state.description = "POLICY: " + denied;
  } else {
    state.state = forge::CommitStateKind::kSuccess;
    state.description = DestructiveSummary(run);
    for (const auto& p : run.plans) {
      if (p.changes.Destructive()) continue;  // said first
      state.description +=
          (state.description.empty() ? "" : "; ") + p.project.env + ": " + p.summary;
    }
    if (run.plans.empty()) state.description = "nothing to plan";
    if (std::string stale = StaleApprovals(hint, false); !stale.empty()) {
      state.description = "re-approve: stale approvals: " + stale + "; " + state.description;
    }
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
                        {"error", p.error},
                        {"changes", plan::ToJson(p.changes)},
                        {"policy", p.policy.ToJson()}});
  }
  return {{"type", "plan"},
          {"commit", run.head},
          {"base", run.base},
          {"pull_request", pull_request},
          {"at", at},
          {"destructive", AnyDestructive(run)},
          {"projects", projects}};
}

std::vector<RecordedProjectPlan> NewestPlan(const std::vector<std::string>& notes) {
  for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
    json note = ParseJsonOrDiscarded(*it);
    if (json_fields::String(note, "type") != "plan") continue;
    std::vector<RecordedProjectPlan> out;
    for (const auto& p : json_fields::Array(note, "projects")) {
      std::string fingerprint = json_fields::String(p, "fingerprint");
      std::string project = json_fields::String(p, "project");
      if (project.empty() || fingerprint.empty() || !json_fields::Bool(p, "ok")) continue;
      out.push_back({project, json_fields::String(p, "env"), fingerprint,
                     plan::ClassificationFromJson(json_fields::Object(p, "changes")),
                     PolicyVerdictFromJson(json_fields::Object(p, "policy"))});
    }
    return out;
  }
  return {};
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
