#pragma once

#include <functional>

#include "bot/http/http_front.h"
#include "gitops/common/status.h"

namespace datamcp::bot {

// Says whether the process can do its work now; a non-OK status is the reason shown by
// /readyz. Called on every probe: keep it cheap.
using ReadinessCheck = std::function<Status()>;

// /healthz (alive), /readyz (ready, else 503 with the reason), /metrics (Prometheus).
void RegisterHealthRoutes(HttpFront& front, Metrics& metrics, ReadinessCheck readiness);

// The default readiness check: the repository path is a git repository and the work
// directory accepts new files.
Status CheckRepositoryAndWorkDir(const std::string& repository_path, const std::string& work_dir);

}  // namespace datamcp::bot
