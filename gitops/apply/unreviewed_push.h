#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/forge/forge.h"
#include "gitops/git/repository.h"
#include "gitops/proposal/plan_service.h"
#include "gitops/proposal/projects.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::apply {

// What an `unreviewed-push` note says is done with a project (its "action").
inline constexpr std::string_view kUnreviewedQueued = "queued for apply";
inline constexpr std::string_view kUnreviewedNotApplied = "recorded, not applied";

// Whether `note` (one document of the note on `commit`) is an `unreviewed-push` record as
// UnreviewedPushRecorder writes it: an object with that type, commit equal to `commit`, a
// projects array and a non-empty string action (older records have no plans). Anything else
// is not ours and records nothing (see the trust assumption in apply_note.h). Never throws.
bool IsUnreviewedPushRecord(const nlohmann::json& note, const std::string& commit);

// The first `unreviewed-push` record (IsUnreviewedPushRecord) among the notes of `commit`, if
// one was recorded. A malformed one is skipped: the push is planned and recorded again.
std::optional<nlohmann::json> FindUnreviewedPushNote(const std::vector<std::string>& notes,
                                                     const std::string& commit);

// A push to the default branch that did not come from a pull request. Record() plans every
// affected project on the pushed commit (against its first parent, as a merge is planned)
// and writes one `unreviewed-push` note on the commit (refs/notes/datamcp):
//   {type, commit, author, committer, projects, policy, reviewed: false, action,
//    plans: [{project, kind, env, ok, summary, fingerprint, error, action}]}
// then sets `datamcp/apply` on the commit through the forge: failure "unreviewed push: not
// applied" when nothing will be applied, pending "unreviewed push: queued for apply" when
// something will (best effort: the note is the record).
//
// With `unreviewed_push: alert` nothing is queued. With `apply`, each project whose plan
// succeeded is queued; a failed plan is recorded and not retried. A project that a newer
// commit on the default branch also touches is superseded: it is neither planned nor
// applied, since applying the older tree would undo the newer one.
// Thread-safe as its parts are.
class UnreviewedPushRecorder {
 public:
  UnreviewedPushRecorder(git::Repository& repo, forge::Forge& forge,
                         proposal::PlanService& planner);

  // `notes` are the commit's notes; `newer` maps a project to the newest later commit on the
  // default branch that touches it. Returns the projects to apply: those of the note written
  // now, or of the note recorded earlier (so work lost between the note and the job queue is
  // found again; the caller skips projects that already have an apply note). Errors: the
  // note could not be written (retry on a later pass).
  Result<std::vector<proposal::Project>> Record(const repo::RepoConfig& config,
                                                const git::CommitInfo& commit,
                                                const std::vector<proposal::Project>& projects,
                                                const std::map<std::string, std::string>& newer,
                                                const std::vector<std::string>& notes);

 private:
  // project path -> its plan entry (ok, summary, fingerprint, error).
  std::map<std::string, nlohmann::json> Plan(const repo::RepoConfig& config,
                                             const git::CommitInfo& commit,
                                             const std::vector<proposal::Project>& projects);
  // The `plans` of the note: each project's plan and action.
  nlohmann::json Decide(const repo::RepoConfig& config, const git::CommitInfo& commit,
                        const std::vector<proposal::Project>& projects,
                        const std::map<std::string, std::string>& newer);
  void SetStatus(const std::string& commit, bool queued);

  git::Repository& repo_;
  forge::Forge& forge_;
  proposal::PlanService& planner_;
};

}  // namespace datamcp::apply
