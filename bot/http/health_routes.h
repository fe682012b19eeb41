#pragma once

#include <functional>

#include "bot/http/http_front.h"
#include "gitops/common/status.h"

namespace datamcp::bot {

// Says whether the process can do its work now; a non-OK status is the reason shown by
// /readyz. Called on every probe: keep it cheap.
using ReadinessCheck = std::function<Status()>;

// /healthz (alive) and /readyz (ready, else 503 with the reason).
void RegisterProbeRoutes(HttpFront& front, ReadinessCheck readiness);
// /metrics (Prometheus text format).
void RegisterMetricsRoute(HttpFront& front, Metrics& metrics);
// Both of the above.
void RegisterHealthRoutes(HttpFront& front, Metrics& metrics, ReadinessCheck readiness);

// The admin port's front (server.admin_port): the probes and metrics alone, on a listener of
// their own, so the kubelet and Prometheus reach the process while clients of the main port
// hold every connection it allows them. GET requests only: two workers, no event loops, small
// bodies; the same address (unless server.admin_bind), head deadline and timeouts.
config::ServerConfig AdminServerConfig(const config::ServerConfig& main);

// The default readiness check: the repository path is a git repository and the work
// directory accepts new files.
Status CheckRepositoryAndWorkDir(const std::string& repository_path, const std::string& work_dir);

}  // namespace datamcp::bot
