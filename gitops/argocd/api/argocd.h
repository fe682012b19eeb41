#pragma once

#include <string>

#include "gitops/common/result.h"

namespace datamcp::argocd {

// What DataMCP reads from an Argo CD Application (argoproj.io/v1alpha1) to decide whether a
// sync has landed. Empty strings mean the field was absent.
struct AppStatus {
  std::string sync_status;         // status.sync.status: Synced | OutOfSync | Unknown
  std::string sync_revision;       // status.sync.revision
  std::string health_status;       // status.health.status: Healthy | Progressing | Degraded ...
  std::string operation_phase;     // status.operationState.phase: Running | Succeeded | Failed
                                   // | Error | Terminating
  std::string operation_message;   // status.operationState.message
  std::string operation_revision;  // status.operationState.operation.sync.revision
};

// The seam for the Argo CD API. HttpArgoCd is the real one; tests use fakes.
// `app_namespace` is the Application's namespace (Argo CD's `appNamespace`); empty means the
// Argo CD control-plane namespace. Errors: Unauthenticated (token rejected),
// PermissionDenied, NotFound (no such Application), InvalidArgument (bad name/revision),
// Unavailable (Argo CD unreachable or failing after retries), Internal (unparseable answer).
class ArgoCd {
 public:
  virtual ~ArgoCd() = default;

  // GET /api/v1/applications/{name}?appNamespace=...
  virtual Result<AppStatus> GetApplication(const std::string& name,
                                           const std::string& app_namespace) = 0;

  // POST /api/v1/applications/{name}/sync with an ApplicationSyncRequest whose `revision` is
  // `revision`. Returns once Argo CD accepted the operation, not when it finished.
  // Conflict when an operation is already running on the Application.
  virtual Status Sync(const std::string& name, const std::string& app_namespace,
                      const std::string& revision) = 0;
};

// Kubernetes object-name rule (RFC 1123 subdomain, at most 253 characters) that Argo CD
// applies to Application names and namespaces. `what` names the input in the error.
Status ValidateObjectName(const std::string& value, const std::string& what);

}  // namespace datamcp::argocd
