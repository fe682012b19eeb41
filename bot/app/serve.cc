#include "bot/app/serve.h"

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>
#include <utility>

#include "bot/app/ci_wiring.h"
#include "bot/app/gitops_stack.h"
#include "bot/app/mcp_wiring.h"
#include "bot/app/ref_watcher.h"
#include "bot/app/replica.h"
#include "bot/app/state_metrics.h"
#include "bot/events/github_events.h"
#include "bot/http/health_routes.h"
#include "bot/http/http_front.h"
#include "bot/http/metrics.h"
#include "bot/mcp/http_transport.h"
#include "bot/mcp/mcp_endpoint.h"
#include "bot/mcp/session_manager.h"
#include "bot/webhooks/webhook_intake.h"
#include "bot/webhooks/webhook_routes.h"
#include "datamcp/version.h"
#include "gitops/common/log.h"
#include "gitops/process/posix_process_runner.h"
#include "gitops/queue/delivery_dispatcher.h"
#include "gitops/state/session_store.h"

namespace datamcp::bot {
namespace {

int ConfigError(const Status& s) {
  std::fprintf(stderr, "datamcp: %s\n", s.message().c_str());
  return 2;
}

// Opens the mirror (retrying while the remote is unreachable), then starts reconciliation.
// /readyz reports why it is not ready until the mirror is open.
class MirrorKeeper {
 public:
  MirrorKeeper(GitopsStack& stack, std::chrono::seconds interval, std::chrono::seconds drift)
      : stack_(stack), interval_(interval), drift_interval_(drift) {}
  ~MirrorKeeper() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    stack_.drift->Stop();
    stack_.reconciler->Stop();
  }
  Status Readiness() const {
    std::lock_guard lock(mu_);
    return ready_ ? Status::Ok() : Unavailable(reason_);
  }

 private:
  void Loop() {
    for (auto backoff = std::chrono::seconds(1);; backoff = std::min(backoff * 2, interval_)) {
      Status s = stack_.repo->Mirror();
      if (s.ok()) s = stack_.proposals->LoadConfig().status();
      if (s.ok()) s = stack_.reconciler->Recover();
      std::unique_lock lock(mu_);
      if (s.ok()) {
        ready_ = true;
        break;
      }
      reason_ = "GitOps repository not ready: " + s.message();
      log::Warn("mirror_not_ready", {{"error", s.message()}});
      if (cv_.wait_for(lock, backoff, [this] { return stopping_; })) return;
    }
    log::Info("mirror_ready", {{"remote", stack_.remote_url}});
    stack_.reconciler->Start(interval_);
    if (drift_interval_.count() > 0) {
      stack_.drift->SetCatchUp([r = stack_.reconciler.get()] { return r->RunOnce(); });
      stack_.drift->Start(drift_interval_);
    }
  }

  GitopsStack& stack_;
  std::chrono::seconds interval_;
  std::chrono::seconds drift_interval_;  // 0: drift detection off
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool ready_ = false;
  std::string reason_ = "GitOps repository not opened yet";
  std::thread thread_;
};

// Webhook intake, its durable store and the dispatcher that turns deliveries into work.
struct Webhooks {
  std::unique_ptr<queue::DeliveryStore> store;
  std::unique_ptr<WebhookIntake> intake;
  std::unique_ptr<GithubEventHandler> handler;
  std::unique_ptr<queue::DeliveryDispatcher> dispatcher;
};

Result<std::unique_ptr<Webhooks>> BuildWebhooks(const config::Config& config, GitopsStack& stack,
                                                Clock& clock) {
  auto w = std::make_unique<Webhooks>();
  DATAMCP_ASSIGN_OR_RETURN(WebhookIntakeOptions options,
                           WebhookIntakeOptionsFromConfig(config, config.BindsLoopback()));
  w->store = std::make_unique<queue::DeliveryStore>(*stack.state, clock);
  w->intake = std::make_unique<WebhookIntake>(options, *w->store, clock);
  w->handler = std::make_unique<GithubEventHandler>(*stack.proposals, *stack.forge, *stack.repo,
                                                    *stack.locks, *stack.reconciler,
                                                    config.repository.default_branch, clock);
  queue::DeliveryDispatcherOptions dispatch;
  dispatch.holder = stack.holder;
  dispatch.lease = std::chrono::seconds(config.state.lease_seconds);
  w->dispatcher =
      std::make_unique<queue::DeliveryDispatcher>(*w->store, *w->handler, clock, dispatch);
  return w;
}

// SIGINT/SIGTERM are blocked before the first thread starts (the state database's checkpointer
// is one): a thread with them unblocked would take the default action and kill the process.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return set;
}

// Drains from a dedicated thread when a shutdown signal arrives: /readyz turns 503 at once,
// the server keeps serving for server.shutdown_delay_seconds (so a load balancer stops routing
// here), then stops accepting; requests in flight finish before Run() returns.
// `before_stop` runs just before the server stops accepting (ends long-lived streams).
std::thread WatchSignals(sigset_t set, HttpFront& front, std::atomic<bool>& draining,
                         std::chrono::seconds delay, std::function<void()> before_stop) {
  return std::thread([set, &front, &draining, delay, before_stop] {
    int sig = 0;
    sigwait(&set, &sig);
    draining = true;
    log::Info("shutdown", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"},
                           {"delay_seconds", static_cast<long long>(delay.count())}});
    if (delay.count() > 0) {
      // A second signal cuts the delay short.
      struct timespec ts = {static_cast<time_t>(delay.count()), 0};
      sigtimedwait(&set, nullptr, &ts);
    }
    before_stop();
    front.Stop();
  });
}

// Not ready while the terraform binary is missing: every Terraform plan would fail. (helm
// is only needed by Helm releases and is reported when one is planned.)
Status CheckTerraform(const config::PlanConfig& plan) {
  const char* path = std::getenv("PATH");
  auto found = process::ResolveProgram(plan.terraform_bin, path ? path : "");
  if (!found.ok()) {
    return Unavailable("plan.terraform_bin: " + found.status().message() +
                       "; install terraform or set plan.terraform_bin");
  }
  return Status::Ok();
}

}  // namespace

int RunServe(const CommonOptions& options) {
  const sigset_t shutdown_signals = BlockShutdownSignals();
  auto loaded = LoadConfig(options);
  if (!loaded.ok()) return ConfigError(loaded.status());
  config::Config config = std::move(loaded).value();
  auto work_dir = PrepareWorkDir(config);
  if (!work_dir.ok()) return ConfigError(work_dir.status());
  // The state database before anything else is written: a bad one stops here, one line.
  auto opened_state = OpenState(config, *work_dir);
  if (!opened_state.ok()) return ConfigError(opened_state.status());
  if (Status s = EnsureHs256Secret(config); !s.ok()) return ConfigError(s);
  Clock& clock = SystemClock::Instance();

  auto stack = BuildGitopsStack(config, *work_dir, clock, "mirror.git", std::move(*opened_state));
  if (!stack.ok()) return ConfigError(stack.status());
  Metrics metrics;
  auto mcp_parts = BuildMcp(config, **stack, clock, &metrics);
  if (!mcp_parts.ok()) return ConfigError(mcp_parts.status());
  std::unique_ptr<Webhooks> webhooks;
  if (config.forge.kind == "github") {
    auto built = BuildWebhooks(config, **stack, clock);
    if (!built.ok()) return ConfigError(built.status());
    webhooks = std::move(built).value();
  }

  Replica replica(*(*stack)->jobs, *(*stack)->leases,
                  std::chrono::seconds(config.state.lease_seconds));
  if (webhooks) replica.WatchDeliveries(*webhooks->store, webhooks->dispatcher->holder());
  replica.Start();
  StateMetrics state_metrics(metrics, *(*stack)->locks, *(*stack)->jobs);
  state_metrics.WatchReplica((*stack)->holder, *(*stack)->reconciler, replica,
                             webhooks ? webhooks->dispatcher.get() : nullptr, *(*stack)->state);
  state_metrics.WatchDrift(*(*stack)->drift);
  if (webhooks) state_metrics.WatchWebhooks(*webhooks->store, *webhooks->dispatcher);
  metrics.SetBeforeScrape([&state_metrics] { state_metrics.Refresh(); });
  HttpFront front(config.server, metrics);
  MirrorKeeper keeper(**stack, std::chrono::seconds(config.repository.fetch_interval_seconds),
                      std::chrono::seconds(config.drift.interval_seconds));
  std::string mirror_path = (std::filesystem::path(*work_dir) / "mirror.git").string();
  const process::Sandbox& sandbox = (*stack)->sandbox;
  state::Database& state_db = *(*stack)->state;
  std::atomic<bool> draining{false};
  const ReadinessCheck readiness = [&keeper, &sandbox, &state_db, &draining, mirror_path,
                                    dir = *work_dir, &config]() -> Status {
    // First thing on SIGTERM: no new requests routed here.
    if (draining) return Unavailable("shutting down");
    DATAMCP_RETURN_IF_ERROR(sandbox.Readiness());
    // Work cannot be recorded or claimed without the state database
    // (PostgreSQL down).
    DATAMCP_RETURN_IF_ERROR(state_db.Ping());
    DATAMCP_RETURN_IF_ERROR(keeper.Readiness());
    DATAMCP_RETURN_IF_ERROR(CheckTerraform(config.plan));
    return CheckRepositoryAndWorkDir(mirror_path, dir);
  };
  // With an admin port, the probes are served on both and /metrics only there.
  std::unique_ptr<HttpFront> admin;
  if (config.server.admin_port != 0) {
    admin = std::make_unique<HttpFront>(AdminServerConfig(config.server), metrics);
    RegisterHealthRoutes(*admin, metrics, readiness);
    RegisterProbeRoutes(front, readiness);
  } else {
    RegisterHealthRoutes(front, metrics, readiness);
  }
  // Bind before watching signals: a port in use ends here, with no shutdown to report.
  const std::pair<HttpFront*, const char*> listeners[] = {
      {&front, "set server.bind / server.port"},
      {admin.get(), "set server.admin_bind / server.admin_port"}};
  for (const auto& [f, keys] : listeners) {
    if (f == nullptr) continue;
    if (Status s = f->Bind(); !s.ok()) {
      log::Error("listen_failed", {{"error", s.message() + "; " + keys}});
      return 1;
    }
  }
  auto ci = BuildCi(config, front.port(), **stack, clock);
  if (!ci.ok()) return ConfigError(ci.status());
  // Several replicas: sessions are rows of the shared database, so a call can land on any
  // replica (and a rolling restart keeps them). One process alone keeps them in memory.
  std::unique_ptr<state::SessionStore> session_store;
  if (!config.state.postgres_url.empty()) {
    session_store = std::make_unique<state::SessionStore>(state_db, clock);
  }
  mcp::SessionManager sessions(clock, {}, session_store.get());
  std::thread signals = WatchSignals(shutdown_signals, front, draining,
                                     std::chrono::seconds(config.server.shutdown_delay_seconds),
                                     [&sessions] { sessions.EndStreams(); });
  front.AddRouteLabel("/mcp");
  mcp::RegisterMcpRoutes(
      front.server(),
      mcp::McpHttpOptionsFromConfig(config, front.port(), (*mcp_parts)->registry.StaticScopes()),
      sessions, *(*mcp_parts)->server, *(*mcp_parts)->authenticator);
  if (*ci) {
    front.AddRouteLabel("/ci/promote");
    RegisterPromoteRoute(front.server(), *(*ci)->deps);
  }
  if (webhooks) {
    // GitHub sends payloads up to 25 MB; the intake checks its own limit before reading.
    if (config.webhooks.max_body_bytes > config.server.max_body_bytes) {
      front.SetPayloadLimit(config.webhooks.max_body_bytes, "webhooks.max_body_bytes");
    }
    front.AddRouteLabel("/webhooks/github");
    RegisterWebhookRoutes(front, *webhooks->intake);
    webhooks->dispatcher->Start();
  }
  keeper.Start();
  // The local forge merges in another process (`datamcp merge`): wake the reconciler as
  // soon as the embedded repository's refs move instead of waiting for the next pass.
  RefWatcher ref_watcher;
  if (!(*stack)->embedded_origin.empty()) {
    apply::Reconciler* reconciler = (*stack)->reconciler.get();
    if (Status s =
            ref_watcher.Start((*stack)->embedded_origin, [reconciler] { reconciler->Poke(); });
        !s.ok()) {
      log::Warn("ref_watch_unavailable", {{"error", s.message()}});
    }
  }
  if (config.auth.mode == "none") {
    log::Warn("auth_disabled", {{"message",
                                 "auth.mode none: every caller has every scope; "
                                 "local development only"}});
  }
  // The admin port answers until the process ends: /readyz there says "shutting down".
  if (admin) admin->Start();
  log::Info("listening", {{"version", kVersion},
                          {"bind", config.server.bind},
                          {"port", front.port()},
                          {"repository", (*stack)->remote_url},
                          {"forge", config.forge.kind},
                          {"auth", config.auth.mode},
                          {"admin_port", admin ? admin->port() : 0}});
  front.Run();
  // Requests in flight have finished. Sessions end here only (they live on in the database
  // for the other replicas).
  sessions.CloseAll();
  signals.join();
  log::Info("shutdown_http_drained");
  // No new work: the delivery being handled and the apply running finish; deliveries claimed
  // but not handled go back to the other replicas, and so does the scan lease.
  if (webhooks) webhooks->dispatcher->Stop();
  ref_watcher.Stop();
  keeper.Stop();
  log::Info("shutdown_work_finished");
  replica.Stop();
  if (admin) admin->Stop();
  log::Info("stopped");
  return 0;
}

}  // namespace datamcp::bot
