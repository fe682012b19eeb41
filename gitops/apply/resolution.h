#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/git/repository.h"

namespace datamcp::apply {

// How a human settles an apply that DataMCP recorded as `interrupted` (it stopped mid-apply,
// so the project's real state is unknown until someone looks):
//   kApplied  the change is in place (checked by hand): recorded as applied, final;
//   kFailed   it is not, and must not be retried as is: recorded as failed, final;
//   kRetry    apply it again: recorded as `retry` (kRetryResult), which the reconciler picks
//             up on its next pass and applies once more; that run's record is final.
enum class Resolution { kApplied, kFailed, kRetry };

struct ResolveRequest {
  std::string commit;   // the merge commit, as recorded (full id)
  std::string project;  // e.g. infra/terraform/envs/prod
  Resolution how = Resolution::kRetry;
  std::string by;       // who resolved it (required)
  std::string message;  // why, what was checked (optional)
};

const char* ResolutionName(Resolution how);  // "applied", "failed", "retry"

// Appends the resolution record to the notes of `commit` (refs/notes/datamcp, pushed like
// every record): a copy of the interrupted record with the new result, a summary naming who
// resolved it, and `resolution` {by, how, message, at, previous}. Returns the record written.
// FailedPrecondition, and nothing written, when the project's newest record at `commit` is
// not `interrupted` (never recorded, already resolved, or another result: it says which);
// InvalidArgument when `by` is empty.
Result<nlohmann::json> ResolveInterrupted(git::Repository& repo, const ResolveRequest& request,
                                          const Clock& clock);

}  // namespace datamcp::apply
