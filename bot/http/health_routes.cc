#include "bot/http/health_routes.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <utility>

namespace datamcp::bot {

void RegisterProbeRoutes(HttpFront& front, ReadinessCheck readiness) {
  for (const char* route : {"/healthz", "/readyz"}) front.AddRouteLabel(route);
  front.server().Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  front.server().Get("/readyz", [readiness](const httplib::Request&, httplib::Response& res) {
    Status s = readiness();
    if (s.ok()) {
      res.set_content("ready\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content("not ready: " + s.message() + "\n", "text/plain");
    }
  });
}

void RegisterMetricsRoute(HttpFront& front, Metrics& metrics) {
  front.AddRouteLabel("/metrics");
  front.server().Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.Serialize(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

void RegisterHealthRoutes(HttpFront& front, Metrics& metrics, ReadinessCheck readiness) {
  RegisterProbeRoutes(front, std::move(readiness));
  RegisterMetricsRoute(front, metrics);
}

config::ServerConfig AdminServerConfig(const config::ServerConfig& main) {
  config::ServerConfig admin = main;
  if (!main.admin_bind.empty()) admin.bind = main.admin_bind;
  admin.port = main.admin_port;
  admin.threads = 2;
  admin.max_connections = 16;
  admin.max_connections_per_peer = 0;  // half: the kubelet and Prometheus come from two
  admin.event_loops = 0;
  admin.max_body_bytes = 1024;
  admin.admin_port = 0;
  return admin;
}

Status CheckRepositoryAndWorkDir(const std::string& repository_path, const std::string& work_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(repository_path, ec)) {
    return Unavailable("repository " + repository_path + " does not exist");
  }
  if (!fs::exists(fs::path(repository_path) / "HEAD", ec) &&
      !fs::exists(fs::path(repository_path) / ".git", ec)) {
    return Unavailable("repository " + repository_path + " is not a git repository");
  }
  std::string probe = (fs::path(work_dir) / ".readyz-probe-XXXXXX").string();
  int fd = mkstemp(probe.data());
  if (fd < 0) return Unavailable("work directory " + work_dir + " is not writable");
  close(fd);
  unlink(probe.c_str());
  return Status::Ok();
}

}  // namespace datamcp::bot
