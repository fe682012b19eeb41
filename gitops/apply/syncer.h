#pragma once

#include <string>

#include "gitops/common/result.h"

namespace datamcp::apply {

// What Argo CD reported when a sync ended.
struct SyncReport {
  bool succeeded = false;
  std::string phase;     // operationState.phase
  std::string health;    // status.health.status
  std::string revision;  // status.sync.revision
  std::string message;
};

// The seam to Argo CD for apply-after-merge: sync `app` to `revision` and wait until it is
// Synced and Healthy at that revision (or report why not). A failed sync is a report, not
// an error; errors mean Argo CD could not be asked at all.
class Syncer {
 public:
  virtual ~Syncer() = default;
  virtual Result<SyncReport> SyncAndWait(const std::string& app, const std::string& app_namespace,
                                         const std::string& revision) = 0;
};

}  // namespace datamcp::apply
