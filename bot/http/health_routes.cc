#include "bot/http/health_routes.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

namespace datamcp::bot {

void RegisterHealthRoutes(HttpFront& front, Metrics& metrics, ReadinessCheck readiness) {
  for (const char* route : {"/healthz", "/readyz", "/metrics"}) front.AddRouteLabel(route);
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
  front.server().Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.Serialize(), "text/plain; version=0.0.4; charset=utf-8");
  });
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
