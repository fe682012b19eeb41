// A small server for the webhook benchmark and the crash test: POST /webhooks/github served
// by WebhookIntake with a durable DeliveryStore, and (unless --no-dispatch) a dispatcher
// whose handler does nothing but succeed, so deliveries are marked done as in production.
//
// usage: webhook_server --dir DIR --secret-file FILE --repo owner/name [--port 0]
//          [--threads 8] [--sync-writes | --sync-interval-ms 1000] [--no-dispatch]
//          [--compact-min-mb 64] [--log-level info]
// Prints "listening <port>" on stdout once bound; stops on SIGTERM or SIGINT.
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "bot/webhooks/webhook_intake.h"
#include "bot/webhooks/webhook_routes.h"
#include "gitops/common/log.h"
#include "gitops/queue/delivery_dispatcher.h"
#include "gitops/queue/delivery_store.h"

namespace {

using namespace datamcp;

struct Args {
  std::string dir, secret_file, repo, log_level = "info";
  int port = 0;
  int threads = 8;
  int sync_interval_ms = 1000;
  int compact_min_mb = 64;
  bool sync_writes = false;
  bool dispatch = true;
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
    if (k == "--port" && next(&v)) {
      a->port = std::stoi(v);
      continue;
    }
    if (k == "--threads" && next(&v)) {
      a->threads = std::stoi(v);
      continue;
    }
    if (k == "--sync-interval-ms" && next(&v)) {
      a->sync_interval_ms = std::stoi(v);
      continue;
    }
    if (k == "--compact-min-mb" && next(&v)) {
      a->compact_min_mb = std::stoi(v);
      continue;
    }
    if (k == "--sync-writes") {
      a->sync_writes = true;
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
                 "[--port 0] [--threads 8] [--sync-writes] [--no-dispatch] [--log-level L]\n";
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
  queue::DeliveryStoreOptions store_options{
      .dir = args.dir,
      .sync_writes = args.sync_writes,
      .background_sync_interval = std::chrono::milliseconds(args.sync_interval_ms),
      .compact_min_bytes = static_cast<std::uint64_t>(args.compact_min_mb) << 20};
  auto store = queue::DeliveryStore::Open(store_options, clock);
  if (!store.ok()) {
    std::cerr << "webhook_server: " << store.status().ToString() << "\n";
    return 1;
  }
  bot::WebhookIntake intake(bot::WebhookIntakeOptions{.secret = Secret(secret.str()),
                                                      .allowed_repositories = {args.repo}},
                            **store, clock);
  NoopHandler handler;
  queue::DeliveryDispatcher dispatcher(**store, handler, clock);
  if (args.dispatch) dispatcher.Start();

  httplib::Server server;
  server.new_task_queue = [n = args.threads] { return new httplib::ThreadPool(n); };
  server.set_tcp_nodelay(true);  // headers and body go out in two writes: no Nagle delay
  bot::RegisterWebhookRoutes(server, intake);
  int port = args.port == 0 ? server.bind_to_any_port("127.0.0.1")
                            : (server.bind_to_port("127.0.0.1", args.port) ? args.port : -1);
  if (port <= 0) {
    std::cerr << "webhook_server: cannot bind 127.0.0.1:" << args.port << "\n";
    return 1;
  }
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
  });
  std::cout << "listening " << port << std::endl;
  server.listen_after_bind();
  kill(getpid(), SIGTERM);  // wakes the stopper if listen ended on its own
  stopper.join();
  dispatcher.Stop();
  return 0;
}
