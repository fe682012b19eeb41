#include "gitops/argocd/sync/argocd_syncer.h"

namespace datamcp::argocd {

ArgoCdSyncer::ArgoCdSyncer(ArgoCd& argocd, Clock& clock, std::chrono::milliseconds timeout,
                           std::chrono::milliseconds poll_interval)
    : argocd_(argocd), clock_(clock), timeout_(timeout), poll_interval_(poll_interval) {}

ArgoCdSyncer::ArgoCdSyncer(ArgoCd& argocd, Clock& clock, const config::ArgoCdConfig& config)
    : ArgoCdSyncer(argocd, clock, std::chrono::seconds(config.sync_timeout_seconds),
                   std::chrono::seconds(config.poll_interval_seconds)) {}

Result<SyncOutcome> ArgoCdSyncer::Run(const std::string& app, const std::string& app_namespace,
                                      const std::string& revision) {
  SyncRequest request;
  request.name = app;
  request.app_namespace = app_namespace;
  request.revision = revision;
  request.timeout = timeout_;
  request.poll_interval = poll_interval_;
  return argocd::SyncAndWait(argocd_, clock_, request);
}

Result<apply::SyncReport> ArgoCdSyncer::SyncAndWait(const std::string& app,
                                                    const std::string& app_namespace,
                                                    const std::string& revision) {
  DATAMCP_ASSIGN_OR_RETURN(SyncOutcome outcome, Run(app, app_namespace, revision));
  return ToSyncReport(outcome);
}

}  // namespace datamcp::argocd
