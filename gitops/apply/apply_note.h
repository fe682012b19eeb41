#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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
  // applied | failed | stale-plan | refused | interrupted | synced | sync-failed | skipped
  std::string result;
  std::string summary;
  std::string detail;
  std::string requester;
  std::string tool;
  std::string merged_by;
  std::vector<std::string> approvers;
  std::string reviewed_fingerprint;
  std::string fingerprint;
  nlohmann::json argocd;  // {app, phase, health, revision} when synced
  long long started_at = 0;
  long long finished_at = 0;
};

nlohmann::json ToJson(const ApplyNote& note);

// The apply note for `project` among a commit's notes, if one was recorded.
std::optional<nlohmann::json> FindApplyNote(const std::vector<std::string>& notes,
                                            const std::string& project);

// The value of trailer `key` ("Datamcp-Tool") in a commit message, or "".
std::string Trailer(const std::string& message, const std::string& key);

// The pull request number of a merge commit's message: "Merge pull request #12 from ..."
// (merge) or "Title (#12)" on the first line (squash); 0 when none.
int PullRequestOfMerge(const std::string& message);

}  // namespace datamcp::apply
