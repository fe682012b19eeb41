#include "gitops/proposal/destroy_gate.h"

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"
#include "gitops/proposal/plan_report.h"

namespace datamcp::proposal {

using nlohmann::json;

Result<json> ConfirmDestroy(git::Repository& repo, int pull_request, const std::string& head,
                            const std::string& by, const std::string& via, long long at) {
  if (by.empty()) return InvalidArgument("confirm-destroy: say who confirms (--as USER)");
  DATAMCP_RETURN_IF_ERROR(repo.Fetch().WithContext("fetch the GitOps repository"));
  DATAMCP_ASSIGN_OR_RETURN(auto notes, repo.ReadNotes(head));
  std::string pr = "pull request #" + std::to_string(pull_request);
  std::vector<RecordedProjectPlan> planned = NewestPlan(notes);
  if (planned.empty()) {
    return FailedPrecondition(pr + " has no plan recorded on its head " + head.substr(0, 12) +
                              " yet: wait for the plan, then confirm what it destroys");
  }
  json projects = json::array();
  for (const auto& p : planned) {
    if (!p.changes.Destructive()) continue;
    projects.push_back({{"project", p.project},
                        {"env", p.env},
                        {"fingerprint", p.fingerprint},
                        {"deleted", p.changes.deleted},
                        {"replaced", p.changes.replaced}});
  }
  if (projects.empty()) {
    return FailedPrecondition("the plan of " + pr + " at " + head.substr(0, 12) +
                              " deletes and replaces nothing: there is no destroy to confirm");
  }
  json record = {{"type", kDestroyConfirmationType},
                 {"pull_request", pull_request},
                 {"head", head},
                 {"by", by},
                 {"at", at},
                 {"via", via},
                 {"projects", projects}};
  DATAMCP_RETURN_IF_ERROR(repo.AddNote(head, record.dump()));
  log::Info("destroy_confirmed",
            {{"pull_request", pull_request}, {"head", head}, {"by", by}, {"via", via}});
  return record;
}

std::optional<DestroyConfirmation> FindDestroyConfirmation(const std::vector<std::string>& notes,
                                                           int pull_request,
                                                           const std::string& project,
                                                           const std::string& fingerprint) {
  using namespace json_fields;
  if (fingerprint.empty()) return std::nullopt;
  for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
    json note = ParseJsonOrDiscarded(*it);
    if (String(note, "type") != kDestroyConfirmationType ||
        Int(note, "pull_request") != pull_request || String(note, "by").empty()) {
      continue;
    }
    for (const auto& p : Array(note, "projects")) {
      if (String(p, "project") == project && String(p, "fingerprint") == fingerprint) {
        return DestroyConfirmation{String(note, "by"), Int(note, "at"), String(note, "via"),
                                   fingerprint};
      }
    }
  }
  return std::nullopt;
}

json DestroyDecision::ToJson() const {
  json c = nullptr;
  if (confirmation) {
    c = {{"by", confirmation->by},
         {"at", confirmation->at},
         {"via", confirmation->via},
         {"fingerprint", confirmation->fingerprint}};
  }
  return {{"destructive", destructive}, {"allowed", allowed}, {"approvals", approvals},
          {"required", required},       {"why", why},         {"confirmation", c}};
}

DestroyDecision DecideDestroy(const plan::Classification& changes, const std::string& project,
                              const std::string& fingerprint, int approvals, int required,
                              const std::vector<std::string>& head_notes, int pull_request,
                              const std::string& how_to_confirm) {
  DestroyDecision d;
  d.destructive = changes.Destructive();
  d.approvals = approvals;
  d.required = required;
  if (!d.destructive) return d;
  d.confirmation = FindDestroyConfirmation(head_notes, pull_request, project, fingerprint);
  if (d.confirmation) {
    d.why = "destroy confirmed by " + d.confirmation->by + " for plan " + fingerprint.substr(0, 12);
  } else if (approvals >= required) {
    d.why = std::to_string(approvals) + " of " + std::to_string(required) +
            " destroy approval(s) (destroy_approvals)";
  } else {
    d.allowed = false;
    d.why = "the plan of " + project + " " + changes.DescribeDestroys(5) + ": it needs " +
            std::to_string(required) + " approval(s) (destroy_approvals; it has " +
            std::to_string(approvals) + ") or a destroy confirmation of plan " +
            fingerprint.substr(0, 12) + " (" + how_to_confirm + ")";
  }
  return d;
}

}  // namespace datamcp::proposal
