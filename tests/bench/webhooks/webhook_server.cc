// A small server for the webhook benchmark and the crash test: POST /webhooks/github served
// by the production HTTP front (HttpFront: its keep-alive, timeouts and request metrics) and
// WebhookIntake with a DeliveryStore on the state database (SQLite in --dir, or PostgreSQL with
// --postgres-url), and (unless --no-dispatch) a dispatcher whose
// handler does nothing but succeed, so deliveries are marked done as in production.
//
// usage: webhook_server --dir DIR --secret-file FILE --repo owner/name [--port 0]
//          [--threads 8] [--sync-writes] [--postgres-url URL] [--no-dispatch]
//          [--log-level info] [--allow-replays] [--event-loops 2]
// --allow-replays: accept one signed body under many delivery ids (the benchmark sends one).
// Prints "listening <port>" on stdout once bound; stops on SIGTERM or SIGINT.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "bot/http/http_front.h"
#include "bot/http/metrics.h"
#include "bot/webhooks/webhook_intake.h"
#include "bot/webhooks/webhook_routes.h"
#include "gitops/common/log.h"
#include "gitops/queue/delivery_dispatcher.h"
#include "gitops/queue/delivery_store.h"
#include "gitops/state/state_database.h"

namespace {

using namespace datamcp;

struct Args {
  std::string dir, secret_file, repo, postgres_url, log_level = "info";
  int port = 0;
  int threads = 8;
  int event_loops = config::ServerConfig{}.event_loops;  // 0: keep-alive waits on workers
  bool sync_writes = false;
  bool dispatch = true;
  bool allow_replays = false;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (k == "--dir" && next(&a->dir)) continue;
    if (k == "--secret-file" && next(&a->secret_file)) continue;
    if (k == "--repo" && next(&a->repo)) continue;
    if (k == "--log-level" && next(&a->log_level)) continue;
    if (k == "--postgres-url" && next(&a->postgres_url)) continue;
    if (k == "--port" && next(&v)) {
      a->port = std::stoi(v);
      continue;
    }
    if (k == "--threads" && next(&v)) {
      a->threads = std::stoi(v);
      continue;
    }
    if (k == "--event-loops" && next(&v)) {
      a->event_loops = std::stoi(v);
      continue;
    }
    if (k == "--sync-writes") {
      a->sync_writes = true;
      continue;
    }
    if (k == "--allow-replays") {
      a->allow_replays = true;
      continue;
    }
    if (k == "--no-dispatch") {
      a->dispatch = false;
      continue;
    }
    std::cerr << "webhook_server: unknown or incomplete argument " << k << "\n";
    return false;
  }
  return !a->dir.empty() && !a->secret_file.empty() && !a->repo.empty();
}

class NoopHandler : public queue::DeliveryHandler {
 public:
  Status Handle(const queue::Delivery&) override { return Status::Ok(); }
};

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::cerr << "usage: webhook_server --dir DIR --secret-file FILE --repo owner/name "
                 "[--port 0] [--threads 8] [--sync-writes] [--postgres-url URL] [--no-dispatch] "
                 "[--log-level L] [--allow-replays] [--event-loops N]\n";
    return 2;
  }
  log::Level level = log::Level::kInfo;
  log::ParseLevel(args.log_level, &level);
  log::Init(level, log::Format::kJson);

  std::ifstream in(args.secret_file);
  std::stringstream secret;
  secret << in.rdbuf();
  if (secret.str().empty()) {
    std::cerr << "webhook_server: secret file " << args.secret_file << " is empty or unreadable\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread below

  Clock& clock = SystemClock::Instance();
  auto db = state::OpenStateDatabase({.work_dir = args.dir,
                                      .postgres_url = Secret(args.postgres_url),
                                      .sync_commits = args.sync_writes});
  if (!db.ok()) {
    std::cerr << "webhook_server: " << db.status().ToString() << "\n";
    return 1;
  }
  queue::DeliveryStore store(**db, clock);
  bot::WebhookIntake intake(bot::WebhookIntakeOptions{.secret = Secret(secret.str()),
                                                      .allowed_repositories = {args.repo},
                                                      .refuse_replays = !args.allow_replays},
                            store, clock);
  NoopHandler handler;
  queue::DeliveryDispatcher dispatcher(store, handler, clock);
  if (args.dispatch) dispatcher.Start();

  config::ServerConfig server_config;
  server_config.port = args.port;
  server_config.threads = args.threads;
  server_config.event_loops = args.event_loops;
  server_config.max_body_bytes = intake.max_body_bytes();
  bot::Metrics metrics;
  bot::HttpFront front(server_config, metrics);
  front.AddRouteLabel(bot::kWebhookPath);
  bot::RegisterWebhookRoutes(front, intake);
  if (Status bound = front.Bind(); !bound.ok()) {
    std::cerr << "webhook_server: " << bound.message() << "\n";
    return 1;
  }
  const int port = front.port();
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    front.Stop();
  });
  std::cout << "listening " << port << std::endl;
  front.Run();
  kill(getpid(), SIGTERM);  // wakes the stopper if listen ended on its own
  stopper.join();
  dispatcher.Stop();
  return 0;
}
