#pragma once

#include <chrono>
#include <string>

#include "gitops/argocd/api/argocd.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/config/config.h"

namespace datamcp::argocd {

struct SyncRequest {
  std::string name;           // the Application
  std::string app_namespace;  // empty: Argo CD's own namespace
  std::string revision;       // the merge commit to sync to
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(5)};
};

// How a sync ended. Every field is filled from the last Application status seen.
struct SyncOutcome {
  enum class Reason {
    kSucceeded,        // Synced at `revision`, Healthy, no operation running
    kDegraded,         // at `revision`, operation finished, health Degraded
    kOperationFailed,  // operationState.phase Failed or Error for this revision
    kTimedOut,         // none of the above before the timeout
  };
  bool succeeded = false;
  Reason reason = Reason::kTimedOut;
  std::string phase;        // operationState.phase
  std::string health;       // health.status
  std::string revision;     // sync.revision (what Argo CD reports, maybe not the requested one)
  std::string sync_status;  // sync.status
  std::string message;      // one line for a PR comment or audit note
  int polls = 0;            // GET requests made
};

std::string_view ReasonName(SyncOutcome::Reason reason);

// Asks Argo CD to sync `request.name` to `request.revision`, then polls the Application every
// `poll_interval` (slept through `clock`) until it succeeds or fails as SyncOutcome says, or
// `timeout` passes (an outcome, kTimedOut, naming the last revision/status seen).
// If Argo CD is already running an operation for the same revision, it is waited for; one for
// another revision is a Conflict error.
// A non-OK Result means Argo CD could not be asked or read (auth, not found, unavailable) or
// the request is invalid; outcomes are results Argo CD reported.
Result<SyncOutcome> SyncAndWait(ArgoCd& argocd, Clock& clock, const SyncRequest& request);

// A SyncRequest using argocd.sync_timeout_seconds and argocd.poll_interval_seconds.
SyncRequest SyncRequestFromConfig(const config::ArgoCdConfig& config, std::string name,
                                  std::string app_namespace, std::string revision);

}  // namespace datamcp::argocd
