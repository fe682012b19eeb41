#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gitops/common/record_text.h"

namespace datamcp::apply {

// The record of what happened to one project after a merge, kept as a JSON git note on the
// merge commit (refs/notes/datamcp). Every result is final: none is retried automatically.
// An unreviewed push (policy `apply`) gets the same note with pull_request 0 and
// reviewed false: no approval was given and no reviewed plan was compared.
struct ApplyNote {
  std::string project;
  std::string kind;  // terraform | argocd
  std::string env;
  int pull_request = 0;      // 0: an unreviewed push
  std::string merge_commit;  // the commit on the default branch (merge or pushed commit)
  bool reviewed = true;
  // applied | failed | stale-plan | destroy-unconfirmed | policy-denied | refused |
  // interrupted | synced | sync-failed | skipped
  std::string result;
  std::string summary;
  std::string detail;
  std::string requester;
  std::string tool;
  std::string merged_by;
  // Approvals of the plan applied (proposal::BindApprovals): given on its fingerprint.
  std::vector<std::string> approvers;
  // Approvals given on another plan, which did not count: [{user, commit, fingerprint}];
  // null (omitted) when there were none.
  nlohmann::json stale_approvals;
  std::string reviewed_fingerprint;
  std::string fingerprint;
  nlohmann::json argocd;  // {app, phase, health, revision} when synced
  // The re-plan's plan::Classification (what it creates, updates, deletes, replaces); null
  // (omitted) when it did not plan.
  nlohmann::json changes;
  // For a destructive plan, the destroy gate's decision (proposal::DestroyDecision::ToJson:
  // approvals, required, the confirmation that allowed it: who, when, which fingerprint);
  // null (omitted) otherwise.
  nlohmann::json destroy;
  // The environment's plan policies on the re-plan (proposal::PolicyVerdict::ToJson) when any
  // rule matched; null (omitted) otherwise.
  nlohmann::json policy;
  // Set on a record a human wrote with `datamcp resolve` (resolution.h): {by, how, message,
  // at, previous}; null (omitted) otherwise.
  nlohmann::json resolution;
  // Set when the merge bypassed the local forge's gate (`datamcp merge --force`): what was
  // missing, from the merge commit's Datamcp-Forced-Merge trailer.
  std::string forced_merge;
  long long started_at = 0;
  long long finished_at = 0;
};

nlohmann::json ToJson(const ApplyNote& note);

// Who writes the notes: anyone who can push refs/notes/datamcp to the GitOps repository.
// DataMCP assumes they are the people who can push to the default branch, and trusts a
// well-formed record from them as it trusts their commits: whoever could write a record that
// says "applied" could as well have pushed the change itself. (Where the default branch is
// protected and the notes ref is not, restrict pushes to refs/notes/datamcp the same way.)
// A document that is not what DataMCP writes is never a record: read as another type, or a
// field missing or of the wrong type, it is skipped, so the apply it seems to record happens.

// The result of a record written by `datamcp resolve --retry`: the one result that is not
// final. The reconciler applies the project at that commit once more; the record that run
// writes is final again.
inline constexpr const char* kRetryResult = "retry";

// Whether `note` (one document of the note on `commit`) records an apply: an object with type
// "apply", a non-empty string project, a non-empty string result (any value: every result is
// final except kRetryResult, including ones a newer DataMCP may write) and merge_commit equal to
// `commit` (a note copied from another commit records nothing here). Never throws.
bool IsApplyRecord(const nlohmann::json& note, const std::string& commit);

// The newest apply record (IsApplyRecord) for `project` among the notes of `commit`, if one
// was recorded. Other documents, malformed or not JSON, are skipped.
std::optional<nlohmann::json> FindApplyNote(const std::vector<std::string>& notes,
                                            const std::string& commit, const std::string& project);

// How many documents among the notes of `commit` say type "apply" but are not apply records:
// skipped by FindApplyNote, worth a warning when the apply they seem to record is queued.
int IgnoredApplyNotes(const std::vector<std::string>& notes, const std::string& commit);

// Trailers are read by the one reader in gitops/common/record_text.
using ::datamcp::Trailer;

// The pull request number of a merge commit's message: "Merge pull request #12 from ..."
// (merge) or "Title (#12)" on the first line (squash); 0 when none.
int PullRequestOfMerge(const std::string& message);

}  // namespace datamcp::apply
