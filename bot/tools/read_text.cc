#include "bot/tools/read_text.h"

#include "gitops/common/json_fields.h"

namespace datamcp::bot::tools {
namespace {

using json_fields::String;
using nlohmann::json;

std::string Number(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? std::to_string(it->get<long long>()) : "?";
}

std::string Short(const std::string& sha) { return sha.substr(0, 12); }

std::string PlanLines(const json& plan) {
  if (!plan.is_object()) return "Plan: none recorded for the head yet.\n";
  std::string text = "Plan of " + Short(String(plan, "commit")) + ":\n";
  for (const auto& p : json_fields::Array(plan, "projects")) {
    bool ok = p.is_object() && p.value("ok", false);
    text += "  - " + String(p, "project") + ": " +
            (ok ? String(p, "summary") : "failed: " + String(p, "error")) + "\n";
  }
  return text;
}

}  // namespace

std::string ProposalText(const json& pr) {
  std::string state = String(pr, "state");
  if (pr.value("merged", false)) state = "merged by " + String(pr, "merged_by", "?");
  std::string text = "#" + Number(pr, "number") + " " + String(pr, "title") + " (" + state + ")\n" +
                     String(pr, "url") + "\nBranch " + String(pr, "branch") + " at " +
                     Short(String(pr, "head")) + ", by " + String(pr, "author") + "\n";
  text += PlanLines(pr.value("plan", json()));
  const json applies = pr.value("applies", json::array());
  if (!applies.empty()) {
    text += "Applied after merge " + Short(String(pr, "merge_commit")) + ":\n";
    for (const auto& a : applies) {
      text += "  - " + String(a, "project") + ": " + String(a, "result") +
              (String(a, "summary").empty() ? "" : " (" + String(a, "summary") + ")") + "\n";
    }
  } else if (pr.value("merged", false)) {
    text += "Not applied yet (no apply record on the merge commit).\n";
  }
  return text;
}

std::string ProposalsText(const json& list) {
  if (list.empty()) return "No open proposals.";
  std::string text = std::to_string(list.size()) + " open proposal(s):\n";
  for (const auto& pr : list) {
    text += "- #" + Number(pr, "number") + " " + String(pr, "title") + " (branch " +
            String(pr, "branch") + ", by " + String(pr, "author") + ") " + String(pr, "url") + "\n";
  }
  return text;
}

std::string EnvironmentsText(const json& envs) {
  std::string text = std::to_string(envs.size()) + " environment(s):\n";
  for (const auto& e : envs) {
    text +=
        "- " + String(e, "name") + ": Terraform root " + String(e, "terraform_root") + ", scope " +
        String(e, "required_scope") + ", " + Number(e, "approvals") + " approval(s) before apply" +
        (String(e, "argocd_app").empty() ? "" : ", Argo CD app " + String(e, "argocd_app")) + "\n";
  }
  return text;
}

std::string LocksText(const json& locks) {
  if (locks.empty()) return "No project locks held.";
  std::string text = std::to_string(locks.size()) + " lock(s) held:\n";
  for (const auto& l : locks) {
    text += "- " + String(l, "project") + " held by pull request #" + Number(l, "pull_request") +
            " (head " + Short(String(l, "head")) + ")\n";
  }
  return text;
}

}  // namespace datamcp::bot::tools
