#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/forge/forge.h"

namespace datamcp::proposal {

// Approvals bound to the plan. An approval counts for the plan fingerprint that was current
// when it was given, per project:
//  - the fingerprint the review itself recorded (the local forge writes the head's plan into
//    the review: forge::Review::fingerprints), else
//  - the newest plan note recorded on the reviewed commit (forge::Review::commit_sha, GitHub's
//    commit_id) at or before the review (submitted_at), else the first one recorded on that
//    commit after it (the reviewer approved that commit, whose plan came a moment later).
// It counts toward a project's plan only when that fingerprint equals the plan's: a re-plan
// with the same fingerprint (a comment in a .tf file, the default branch moved elsewhere)
// keeps it; a push or a base move that changes the plan makes it stale, and the reviewer has to
// approve again. The author's own approval never counts; the latest review of each user wins
// (comments and pending reviews change nothing).

struct BoundApproval {
  std::string user;
  std::string commit;       // the commit it was given on ("" when the forge did not say)
  std::string fingerprint;  // the plan it was given on ("" when none was recorded)
};

struct ApprovalBinding {
  std::vector<std::string> current;  // approvers of the plan at `fingerprint`, sorted
  std::vector<BoundApproval> stale;  // approvals given on another plan, sorted by user

  // "carol approved plan 0a1b2c3d4e5f (commit 9f8e7d6c5b4a), not this one" for each stale one,
  // "; "-separated; "" when none is.
  std::string DescribeStale() const;
  // [{"user","commit","fingerprint"}]: how notes record the stale ones.
  nlohmann::json StaleJson() const;
};

// Reads the notes (JSON documents) of a commit: git::Repository::ReadNotes.
using NotesOf = std::function<Result<std::vector<std::string>>(const std::string& sha)>;

// The fingerprint `project`'s plan had among `notes` (of one commit) at `at` (Unix seconds;
// 0: the newest), by the rule above; "" when no plan of it is recorded.
std::string FingerprintAt(const std::vector<std::string>& notes, const std::string& project,
                          long long at);

// Splits the approvals among `reviews` (in the order given) into those of `project`'s plan at
// `fingerprint` and stale ones. `author` is the pull request's author. Errors only when the
// notes of a reviewed commit cannot be read (retry later).
Result<ApprovalBinding> BindApprovals(const std::vector<forge::Review>& reviews,
                                      const std::string& author, const std::string& project,
                                      const std::string& fingerprint, const NotesOf& notes_of);

}  // namespace datamcp::proposal
