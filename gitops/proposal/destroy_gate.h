#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/git/repository.h"
#include "gitops/plan/classification.h"

namespace datamcp::proposal {

// The destroy gate. A plan that deletes or replaces something (plan::Classification) is
// applied after merge only when the environment's `destroy_approvals` are there, or when a
// person with write permission confirmed exactly that plan: `datamcp review N
// --confirm-destroy` on the local forge, the comment `/datamcp confirm-destroy` on GitHub.
// A confirmation is a note on the pull request's head, bound to the fingerprints of the
// newest plan recorded there:
//   {"type":"destroy-confirmation","pull_request":N,"head":sha,"by":user,"at":t,"via":..,
//    "projects":[{"project","env","fingerprint","deleted":[..],"replaced":[..]}]}
// A re-plan with another fingerprint (new commits, the default branch moved) needs a new one.

inline constexpr const char* kDestroyConfirmationType = "destroy-confirmation";

struct DestroyConfirmation {
  std::string by;
  long long at = 0;
  std::string via;  // "cli" | "github-comment"
  std::string fingerprint;
};

// Records the confirmation by `by` of the destructive projects of the newest plan note on
// `head` (pull request `pull_request`); fetches first. Returns the record written.
// FailedPrecondition, and nothing written, when no plan is recorded on the head yet, or that
// plan deletes and replaces nothing (the message says so); InvalidArgument when `by` is empty.
Result<nlohmann::json> ConfirmDestroy(git::Repository& repo, int pull_request,
                                      const std::string& head, const std::string& by,
                                      const std::string& via, long long at);

// The newest confirmation of `project` at `fingerprint` for `pull_request` among the notes of
// its head; malformed documents are skipped.
std::optional<DestroyConfirmation> FindDestroyConfirmation(const std::vector<std::string>& notes,
                                                           int pull_request,
                                                           const std::string& project,
                                                           const std::string& fingerprint);

// What the gate decides for one project's plan.
struct DestroyDecision {
  bool destructive = false;
  bool allowed = true;
  int approvals = 0;  // approvals by someone other than the author
  int required = 0;   // the environment's destroy_approvals
  std::optional<DestroyConfirmation> confirmation;
  std::string why;  // allowed: how ("confirmed by X"); refused: what is missing and what to do

  // {"destructive","allowed","approvals","required","why","confirmation":{by,at,via,
  // fingerprint}|null}: how the apply note records it.
  nlohmann::json ToJson() const;
};

// Decides for the plan of `project` at `fingerprint` with `changes`. `head_notes` are the
// notes of the pull request's head (where confirmations are); `how_to_confirm` is the
// command the refusal suggests ("datamcp review 3 --confirm-destroy").
DestroyDecision DecideDestroy(const plan::Classification& changes, const std::string& project,
                              const std::string& fingerprint, int approvals, int required,
                              const std::vector<std::string>& head_notes, int pull_request,
                              const std::string& how_to_confirm);

}  // namespace datamcp::proposal
