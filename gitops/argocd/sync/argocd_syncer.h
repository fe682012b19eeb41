#pragma once

#include <chrono>
#include <string>

#include "gitops/argocd/api/argocd.h"
#include "gitops/argocd/api/sync_and_wait.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/config/config.h"

// ArgoCdSyncer is the applier's seam to Argo CD (apply::Syncer); ToSyncReport maps the outcome.
#include "gitops/apply/syncer.h"

namespace datamcp::argocd {

// Runs SyncAndWait with a fixed timeout and poll interval. Holds references: `argocd` and
// `clock` must outlive it. Thread-safe if `argocd` is (HttpArgoCd is).
class ArgoCdSyncer final : public apply::Syncer {
 public:
  ArgoCdSyncer(ArgoCd& argocd, Clock& clock, std::chrono::milliseconds timeout,
               std::chrono::milliseconds poll_interval);
  // Timeout and poll interval from argocd.sync_timeout_seconds / poll_interval_seconds.
  ArgoCdSyncer(ArgoCd& argocd, Clock& clock, const config::ArgoCdConfig& config);

  // The full outcome (reason, sync status, polls).
  Result<SyncOutcome> Run(const std::string& app, const std::string& app_namespace,
                          const std::string& revision);

  Result<apply::SyncReport> SyncAndWait(const std::string& app, const std::string& app_namespace,
                                        const std::string& revision) override;

 private:
  ArgoCd& argocd_;
  Clock& clock_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds poll_interval_;
};

inline apply::SyncReport ToSyncReport(const SyncOutcome& o) {
  apply::SyncReport r;
  r.succeeded = o.succeeded;
  r.phase = o.phase;
  r.health = o.health;
  r.revision = o.revision;
  r.message = o.message;
  return r;
}

}  // namespace datamcp::argocd
