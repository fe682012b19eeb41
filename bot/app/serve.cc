#include "bot/app/serve.h"

#include <git2.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "bot/app/mcp_command.h"
#include "bot/http/health_routes.h"
#include "bot/http/http_front.h"
#include "bot/http/metrics.h"
#include "bot/mcp/mcp_endpoint.h"
#include "bot/mcp/server_info_tool.h"
#include "datamcp/version.h"
#include "gitops/common/log.h"
#include "gitops/git/git_ptr.h"

namespace datamcp::bot {
namespace {

int ConfigError(const Status& s) {
  std::fprintf(stderr, "datamcp: %s\n", s.message().c_str());
  return 2;
}

// The embedded default: a bare repository under work_dir that the local forge serves.
Result<std::string> EnsureEmbeddedRepository(const std::string& work_dir) {
  std::string path = (std::filesystem::path(work_dir) / "gitops.git").string();
  if (std::filesystem::exists(path)) return path;
  git_libgit2_init();
  git_repository* raw = nullptr;
  Status s = git::GitStatus(git_repository_init(&raw, path.c_str(), /*is_bare=*/1),
                            "create embedded repository " + path);
  git::RepositoryPtr repo(raw);
  if (!s.ok()) return s;
  return path;
}

// Blocks SIGINT/SIGTERM in every thread (call before starting any) and stops the front
// from a dedicated thread when one arrives.
std::thread WatchSignals(HttpFront& front) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return std::thread([set, &front] {
    int sig = 0;
    sigwait(&set, &sig);
    log::Info("shutdown", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    front.Stop();
  });
}

}  // namespace

int RunServe(const CommonOptions& options) {
  auto loaded = LoadConfig(options);
  if (!loaded.ok()) return ConfigError(loaded.status());
  config::Config config = std::move(loaded).value();
  auto work_dir = PrepareWorkDir(config);
  if (!work_dir.ok()) return ConfigError(work_dir.status());
  if (Status s = EnsureHs256Secret(config); !s.ok()) return ConfigError(s);

  std::string repo_path;
  if (config.repository.url.empty()) {
    auto repo = EnsureEmbeddedRepository(*work_dir);
    if (!repo.ok()) return ConfigError(repo.status());
    repo_path = *repo;
  } else {
    repo_path = (std::filesystem::path(*work_dir) / "mirror.git").string();
  }

  Metrics metrics;
  HttpFront front(config.server, metrics);
  RegisterHealthRoutes(front, metrics, [repo_path, dir = *work_dir] {
    return CheckRepositoryAndWorkDir(repo_path, dir);
  });

  mcp::McpEndpoint mcp_endpoint(SystemClock::Instance(), DefaultMcpServerOptions());
  (void)mcp::RegisterServerInfoTool(mcp_endpoint.registry(),
                                    ServerInfoFromConfig(config, repo_path));
  auto authenticator = MakeAuthenticator(config);
  if (!authenticator.ok()) return ConfigError(authenticator.status());

  std::thread signals = WatchSignals(front);
  if (Status s = front.Bind(); !s.ok()) {
    log::Error("listen_failed", {{"error", s.message()}});
    kill(getpid(), SIGTERM);
    signals.join();
    return 1;
  }
  mcp_endpoint.Serve(
      front.server(),
      mcp::McpHttpOptionsFromConfig(config, front.port(), mcp_endpoint.registry().StaticScopes()),
      **authenticator);
  front.AddRouteLabel("/mcp");
  if (config.auth.mode == "none") {
    log::Warn("auth_disabled", {{"message",
                                 "auth.mode none: every caller has every scope; "
                                 "local development only"}});
  }
  log::Info("listening",
            {{"version", kVersion},
             {"bind", config.server.bind},
             {"port", front.port()},
             {"repository", config.repository.url.empty() ? repo_path : config.repository.url},
             {"forge", config.forge.kind},
             {"auth", config.auth.mode}});
  front.Run();
  mcp_endpoint.Shutdown();
  signals.join();
  log::Info("stopped");
  return 0;
}

}  // namespace datamcp::bot
