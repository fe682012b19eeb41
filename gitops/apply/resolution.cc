#include "gitops/apply/resolution.h"

#include "gitops/apply/apply_note.h"
#include "gitops/common/json_fields.h"
#include "gitops/common/log.h"

namespace datamcp::apply {

const char* ResolutionName(Resolution how) {
  switch (how) {
    case Resolution::kApplied:
      return "applied";
    case Resolution::kFailed:
      return "failed";
    case Resolution::kRetry:
      return kRetryResult;
  }
  return "";
}

Result<nlohmann::json> ResolveInterrupted(git::Repository& repo, const ResolveRequest& request,
                                          const Clock& clock) {
  if (request.by.empty()) {
    return InvalidArgument("resolve: say who resolves it (--by NAME): the audit log records it");
  }
  DATAMCP_ASSIGN_OR_RETURN(auto notes, repo.ReadNotes(request.commit));
  auto record = FindApplyNote(notes, request.commit, request.project);
  if (!record) {
    return FailedPrecondition("resolve: no apply of " + request.project + " is recorded at " +
                              request.commit + "; `datamcp audit` lists the recorded ones");
  }
  std::string previous = json_fields::String(*record, "result");
  if (previous != "interrupted") {
    return FailedPrecondition("resolve: the apply of " + request.project + " at " +
                              request.commit.substr(0, 12) + " is recorded as '" + previous +
                              "', not 'interrupted': only an interrupted apply needs resolving");
  }
  const std::string how = ResolutionName(request.how);
  nlohmann::json resolved = *record;
  resolved["result"] = how;
  resolved["summary"] = request.how == Resolution::kRetry
                            ? "retry requested by " + request.by + " after an interrupted apply"
                            : "marked " + how + " by " + request.by + " after an interrupted apply";
  resolved["finished_at"] = clock.UnixSeconds();
  resolved["resolution"] = {{"by", request.by},
                            {"how", how},
                            {"message", request.message},
                            {"at", clock.UnixSeconds()},
                            {"previous", previous}};
  DATAMCP_RETURN_IF_ERROR(repo.AddNote(request.commit, resolved.dump()));
  log::Info("apply_resolved", {{"project", request.project},
                               {"merge_commit", request.commit},
                               {"by", request.by},
                               {"how", how}});
  return resolved;
}

}  // namespace datamcp::apply
