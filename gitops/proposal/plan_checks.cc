#include "gitops/proposal/plan_checks.h"

namespace datamcp::proposal {
namespace {

// At most this many lines of a list in a summary, so the summary always fits its field.
constexpr std::size_t kMaxListed = 20;

std::string FirstLine(const std::string& s, std::size_t max_bytes = 200) {
  std::string line = s.substr(0, s.find('\n'));
  if (line.size() > max_bytes) line = line.substr(0, max_bytes) + "...";
  return line;
}

std::string Counts(const plan::Classification& c) {
  return "creates " + std::to_string(c.creates) + ", updates " + std::to_string(c.updates) +
         ", deletes " + std::to_string(c.deletes) + ", replaces " + std::to_string(c.replaces);
}

std::string Listed(const std::vector<std::string>& lines, const std::string& prefix) {
  std::string s;
  for (std::size_t i = 0; i < lines.size() && i < kMaxListed; ++i) {
    s += prefix + FirstLine(lines[i], 500) + "\n";
  }
  if (lines.size() > kMaxListed) {
    s += prefix + "and " + std::to_string(lines.size() - kMaxListed) + " more\n";
  }
  return s;
}

std::string Title(const ProjectPlan& p, const std::string* blocked) {
  if (!p.ok) return "Plan failed: " + FirstLine(p.error);
  std::string t;
  if (p.policy.Denied()) t += "DENIED by policy · ";
  if (p.changes.Destructive()) t += "DESTRUCTIVE · ";
  if (blocked) t += "blocked: " + FirstLine(*blocked) + " · ";
  return t + Counts(p.changes);
}

std::string Summary(const ProjectPlan& p, const std::string* blocked, const DestroyHint& hint) {
  std::string s = "**`" + p.project.path + "`** (" + p.project.env + ", " +
                  std::string(ProjectKindName(p.project.kind)) + ")\n\n";
  if (!p.ok) {
    return s + "**The plan failed**: " + FirstLine(p.error, 500) +
           "\n\nThe details below say why. Fix the proposal and push; it is planned again.\n";
  }
  if (p.policy.Denied()) {
    s += "> [!CAUTION]\n> **Denied by policy** (`policies` in `datamcp.yaml` on the default "
         "branch): never applied. Change the proposal.\n>\n" +
         Listed(p.policy.denied, "> - ") + "\n";
  }
  if (p.changes.Destructive()) {
    s += "> [!CAUTION]\n> **Destructive**: " + p.changes.DescribeDestroys(kMaxListed) +
         ".\n> Applied after merge only with the environment's `destroy_approvals`";
    if (auto it = hint.destroy_approvals.find(p.project.env); it != hint.destroy_approvals.end()) {
      s += " (" + std::to_string(it->second) + ")";
    }
    s += " or a confirmation of this plan (`/datamcp confirm-destroy`).\n\n";
  }
  if (blocked) s += "**Blocked**: " + FirstLine(*blocked, 500) + "\n\n";
  s += "| creates | updates | deletes | replaces |\n| --- | --- | --- | --- |\n| " +
       std::to_string(p.changes.creates) + " | " + std::to_string(p.changes.updates) + " | " +
       std::to_string(p.changes.deletes) + " | " + std::to_string(p.changes.replaces) + " |\n\n";
  s += "Plan: " + FirstLine(p.summary, 500) + " (fingerprint `" + p.fingerprint.substr(0, 12) +
       "`)\n";
  if (!p.policy.requirements.empty()) {
    s += "\n**Policy approvals**: this plan needs\n" + Listed(p.policy.requirements, "- ");
  }
  if (auto it = hint.approvals.find(p.project.path);
      it != hint.approvals.end() && !it->second.stale.empty() &&
      static_cast<int>(it->second.current.size()) < it->second.required) {
    s += "\n**Approvals are stale**: " + std::to_string(it->second.current.size()) + " of " +
         std::to_string(it->second.required) +
         " approval(s) of this plan; stale: " + FirstLine(it->second.stale, 1000) + "\n";
  }
  return s +
         "\nMerging applies exactly this plan: DataMCP re-plans on the merge commit and "
         "applies only when the fingerprint is unchanged.\n";
}

}  // namespace

std::string CheckRunName(const Project& project) { return "datamcp/plan: " + project.path; }

std::string ChangeCounts(const plan::Classification& c) {
  std::string s = "+" + std::to_string(c.creates) + " ~" + std::to_string(c.updates) + " -" +
                  std::to_string(c.deletes);
  if (c.replaces > 0) s += " ±" + std::to_string(c.replaces);
  return s;
}

forge::CheckRun BuildProjectCheck(const ProjectPlan& p, const Blocked& blocked,
                                  const DestroyHint& hint) {
  auto it = blocked.find(p.project.path);
  const std::string* why = it == blocked.end() ? nullptr : &it->second;
  forge::CheckRun run;
  run.name = CheckRunName(p.project);
  if (!p.ok || p.policy.Denied()) {
    run.conclusion = forge::CheckConclusion::kFailure;
  } else {
    run.conclusion = why ? forge::CheckConclusion::kNeutral : forge::CheckConclusion::kSuccess;
  }
  run.title = Title(p, why);
  run.summary = Summary(p, why, hint);
  run.text = p.ok ? p.text : p.error;
  return run;
}

}  // namespace datamcp::proposal
