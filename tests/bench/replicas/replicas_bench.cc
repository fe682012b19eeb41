// Throughput of the work several replicas share on one real PostgreSQL (started here, as the
// tests start it), with 1 and with 3 replicas (each its own connection pool and holder, as
// separate processes would have), printing the ratio:
//   deliveries: D webhook deliveries recorded, then handled by the replicas' dispatchers
//     (claimed a page at a time, marked done); the handler waits --handler-ms, standing for
//     the forge round trip a real one makes. Every delivery must be handled exactly once.
//   apply queue: J jobs over P projects claimed (ClaimNext) and finished by one worker per
//     replica; every job must be claimed exactly once.
// usage: replicas_bench [--deliveries N] [--handler-ms N] [--jobs N]   (build/tests/bench/...)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/jobs/job_store.h"
#include "gitops/queue/delivery_dispatcher.h"
#include "gitops/queue/delivery_store.h"
#include "gitops/state/state_database.h"
#include "tests/support/postgres_server.h"

namespace datamcp {
namespace {

using Steady = std::chrono::steady_clock;

struct Options {
  int deliveries = 2000;
  int handler_ms = 2;
  int jobs = 2000;
};

class CountingHandler final : public queue::DeliveryHandler {
 public:
  explicit CountingHandler(std::chrono::milliseconds wait) : wait_(wait) {}
  Status Handle(const queue::Delivery& d) override {
    if (wait_.count() > 0) std::this_thread::sleep_for(wait_);
    std::lock_guard lock(mu_);
    if (!seen_.insert(d.id).second) ++duplicates_;
    return Status::Ok();
  }
  std::size_t handled() {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  int duplicates() {
    std::lock_guard lock(mu_);
    return duplicates_;
  }

 private:
  std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::set<std::string> seen_;
  int duplicates_ = 0;
};

std::vector<std::unique_ptr<state::Database>> OpenReplicas(const std::string& url, int n) {
  std::vector<std::unique_ptr<state::Database>> dbs;
  for (int i = 0; i < n; ++i) {
    auto db = state::OpenStateDatabase({.postgres_url = Secret(url), .postgres_connections = 4});
    if (!db.ok()) {
      std::fprintf(stderr, "open %s: %s\n", url.c_str(), db.status().message().c_str());
      std::exit(1);
    }
    dbs.push_back(std::move(db).value());
  }
  return dbs;
}

// Deliveries per second handled by `n` replicas.
double Deliveries(const test::PostgresServer& pg, int n, const Options& o) {
  const std::string name = "deliveries_" + std::to_string(n);
  if (!pg.Admin("CREATE DATABASE " + name).empty()) std::exit(1);
  auto dbs = OpenReplicas(pg.Url(name), n);
  Clock& clock = SystemClock::Instance();
  std::vector<std::unique_ptr<queue::DeliveryStore>> stores;
  for (auto& db : dbs) stores.push_back(std::make_unique<queue::DeliveryStore>(*db, clock));
  const std::string body(4000, 'x');
  for (int i = 0; i < o.deliveries; ++i) {
    auto added = stores[i % n]->Append(
        {"d-" + std::to_string(i), "pull_request", "opened", "o/r", clock.UnixMillis(), body});
    if (!added.ok()) std::exit(1);
  }
  CountingHandler handler{std::chrono::milliseconds(o.handler_ms)};
  std::vector<std::unique_ptr<queue::DeliveryDispatcher>> dispatchers;
  auto start = Steady::now();
  for (int i = 0; i < n; ++i) {
    queue::DeliveryDispatcherOptions opts;
    opts.holder = "replica-" + std::to_string(i);
    opts.batch = 16;
    dispatchers.push_back(
        std::make_unique<queue::DeliveryDispatcher>(*stores[i], handler, clock, opts));
    dispatchers.back()->Start();
  }
  const auto deadline = start + std::chrono::seconds(120);
  while (handler.handled() < static_cast<std::size_t>(o.deliveries) && Steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  for (auto& d : dispatchers) d->Stop();
  std::printf("  deliveries, %d replica(s): %zu handled in %.2f s, %d duplicates\n", n,
              handler.handled(), seconds, handler.duplicates());
  if (handler.handled() != static_cast<std::size_t>(o.deliveries) || handler.duplicates() != 0) {
    std::fprintf(stderr, "FAIL: not every delivery handled exactly once\n");
    std::exit(1);
  }
  return o.deliveries / seconds;
}

// Jobs per second claimed and finished by one worker on each of `n` replicas.
double Claims(const test::PostgresServer& pg, int n, const Options& o) {
  const std::string name = "claims_" + std::to_string(n);
  if (!pg.Admin("CREATE DATABASE " + name).empty()) std::exit(1);
  auto dbs = OpenReplicas(pg.Url(name), n);
  Clock& clock = SystemClock::Instance();
  std::vector<std::unique_ptr<jobs::JobStore>> stores;
  for (int i = 0; i < n; ++i) {
    stores.push_back(std::make_unique<jobs::JobStore>(
        *dbs[i], clock, jobs::JobStoreOptions{.holder = "replica-" + std::to_string(i)}));
  }
  for (int i = 0; i < o.jobs; ++i) {
    jobs::Job job{.project = "envs/p" + std::to_string(i % 50),
                  .kind = "terraform",
                  .merge_sha = "m" + std::to_string(i)};
    if (!stores[0]->Enqueue(job).ok()) std::exit(1);
  }
  std::atomic<int> claimed{0}, errors{0};
  auto start = Steady::now();
  std::vector<std::thread> workers;
  for (int i = 0; i < n; ++i) {
    workers.emplace_back([&, i] {
      for (;;) {
        auto job = stores[i]->ClaimNext();
        if (!job.ok()) {
          ++errors;
          return;
        }
        if (!*job) return;
        if (!stores[i]->SetState((*job)->id, "succeeded", "").ok()) ++errors;
        ++claimed;
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  std::printf("  apply queue, %d replica(s): %d jobs claimed and finished in %.2f s\n", n,
              claimed.load(), seconds);
  if (claimed.load() != o.jobs || errors.load() != 0) {
    std::fprintf(stderr, "FAIL: %d of %d jobs claimed, %d errors\n", claimed.load(), o.jobs,
                 errors.load());
    std::exit(1);
  }
  return o.jobs / seconds;
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--deliveries")) o.deliveries = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--handler-ms")) o.handler_ms = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--jobs")) o.jobs = std::atoi(argv[i + 1]);
  }
  test::PostgresServer pg;
  if (std::string e = pg.Start(); !e.empty()) {
    std::fprintf(stderr, "PostgreSQL: %s\n", e.c_str());
    return 1;
  }
  std::printf("PostgreSQL on loopback; %d deliveries (handler %d ms), %d jobs over 50 projects\n",
              o.deliveries, o.handler_ms, o.jobs);
  const double d1 = Deliveries(pg, 1, o), d3 = Deliveries(pg, 3, o);
  const double c1 = Claims(pg, 1, o), c3 = Claims(pg, 3, o);
  std::printf("deliveries:  1 replica %8.0f/s   3 replicas %8.0f/s   ratio %.2fx\n", d1, d3,
              d3 / d1);
  std::printf("apply queue: 1 replica %8.0f/s   3 replicas %8.0f/s   ratio %.2fx\n", c1, c3,
              c3 / c1);
  return 0;
}

}  // namespace
}  // namespace datamcp

int main(int argc, char** argv) { return datamcp::Main(argc, argv); }
