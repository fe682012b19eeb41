#pragma once

#include <string>

#include "gitops/argocd/api/argocd.h"
#include "gitops/common/result.h"

namespace datamcp::argocd {

// Reads the status fields of an Application JSON object (the body of
// GET /api/v1/applications/{name}). Internal when the body is not a JSON object or a status
// field has the wrong type; missing fields are left empty.
Result<AppStatus> ParseApplication(const std::string& body);

// The ApplicationSyncRequest body (server/application/application.proto) DataMCP sends:
// {"name", "revision", "appNamespace" (when not empty), "prune": false, "dryRun": false}.
std::string SyncRequestBody(const std::string& name, const std::string& app_namespace,
                            const std::string& revision);

// The human message of an Argo CD (grpc-gateway) error body {"error","code","message"}, or
// the first 200 bytes of the body when it is not one.
std::string ErrorMessageOf(const std::string& body);

}  // namespace datamcp::argocd
