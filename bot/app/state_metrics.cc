#include "bot/app/state_metrics.h"

#include <algorithm>
#include <chrono>
#include <set>

namespace datamcp::bot {

StateMetrics::StateMetrics(Metrics& metrics, jobs::LockTable& locks, jobs::JobStore& jobs)
    : locks_(locks),
      jobs_(jobs),
      lock_family_(prometheus::BuildGauge()
                       .Name("datamcp_project_lock")
                       .Help("1 for each project locked by the open pull request that planned it.")
                       .Register(metrics.registry())),
      job_family_(prometheus::BuildGauge()
                      .Name("datamcp_apply_jobs")
                      .Help("Apply and sync jobs after merges, by state.")
                      .Register(metrics.registry())),
      wait_family_(prometheus::BuildGauge()
                       .Name("datamcp_claim_wait_seconds")
                       .Help("How long the oldest work no replica has claimed yet has waited, by "
                             "kind (0 when there is none).")
                       .Register(metrics.registry())),
      metrics_(metrics) {}

void StateMetrics::WatchWebhooks(queue::DeliveryStore& store,
                                 queue::DeliveryDispatcher& dispatcher) {
  std::lock_guard lock(mu_);
  prometheus::Registry& r = metrics_.registry();
  webhooks_.store = &store;
  webhooks_.dispatcher = &dispatcher;
  webhooks_.pending = &prometheus::BuildGauge()
                           .Name("datamcp_webhook_deliveries_pending")
                           .Help("Webhook deliveries recorded and not handled yet.")
                           .Register(r)
                           .Add({});
  webhooks_.handled = &prometheus::BuildCounter()
                           .Name("datamcp_webhook_deliveries_handled_total")
                           .Help("Webhook deliveries handled successfully.")
                           .Register(r)
                           .Add({});
  webhooks_.failed = &prometheus::BuildCounter()
                          .Name("datamcp_webhook_delivery_failures_total")
                          .Help("Failed attempts at handling a webhook delivery (each is retried).")
                          .Register(r)
                          .Add({});
}

void StateMetrics::WatchReplica(const std::string& holder, apply::Reconciler& reconciler,
                                Replica& replica, queue::DeliveryDispatcher* dispatcher,
                                const state::Database& db) {
  std::lock_guard lock(mu_);
  prometheus::Registry& r = metrics_.registry();
  auto& claims = prometheus::BuildCounter()
                     .Name("datamcp_lease_claims_total")
                     .Help("Claims this replica won on shared work, by kind.")
                     .Register(r);
  auto follow = [&](prometheus::Counter& counter, std::function<std::uint64_t()> read) {
    followers_.push_back(Follower{std::move(read), &counter, 0});
  };
  jobs::JobStore* jobs = &jobs_;
  follow(claims.Add({{"replica", holder}, {"kind", "apply_job"}}),
         [jobs] { return jobs->claims(); });
  follow(claims.Add({{"replica", holder}, {"kind", "scan"}}),
         [&reconciler] { return reconciler.scans(); });
  if (dispatcher != nullptr) {
    follow(claims.Add({{"replica", holder}, {"kind", "delivery"}}),
           [dispatcher] { return dispatcher->claimed(); });
  }
  follow(prometheus::BuildCounter()
             .Name("datamcp_lease_takeovers_total")
             .Help("Jobs of replicas whose lease passed that this replica recorded as "
                   "interrupted.")
             .Register(r)
             .Add({{"replica", holder}}),
         [&reconciler] { return reconciler.taken_over(); });
  follow(prometheus::BuildCounter()
             .Name("datamcp_lease_renewals_total")
             .Help("Heartbeats of this replica that renewed all its claims.")
             .Register(r)
             .Add({{"replica", holder}}),
         [&replica] { return replica.renewals(); });
  follow(prometheus::BuildCounter()
             .Name("datamcp_lease_renew_failures_total")
             .Help("Heartbeats of this replica the state database refused (its claims pass to "
                   "other replicas after state.lease_seconds without renewal).")
             .Register(r)
             .Add({{"replica", holder}}),
         [&replica] { return replica.renew_failures(); });
  follow(prometheus::BuildCounter()
             .Name("datamcp_state_errors_total")
             .Help("Transactions of this replica the state database could not run (unreachable "
                   "or not writable).")
             .Register(r)
             .Add({{"replica", holder}}),
         [&db] { return db.unavailable(); });
}

void StateMetrics::WatchDrift(apply::DriftDetector& drift) {
  std::lock_guard lock(mu_);
  drift_ = &drift;
  drift_family_ = &prometheus::BuildGauge()
                       .Name("datamcp_drift_resources")
                       .Help(
                           "Resources the last drift check of a project found drifted (0 when "
                           "its plan at the default branch's tip is empty).")
                       .Register(metrics_.registry());
}

void StateMetrics::Refresh() {
  std::lock_guard lock(mu_);
  for (Follower& f : followers_) {
    const std::uint64_t now = f.read();
    f.counter->Increment(static_cast<double>(now - f.seen));
    f.seen = now;
  }
  if (drift_ != nullptr) {
    for (const auto& record : drift_->Latest()) {
      drift_family_->Add({{"project", record.project}})
          .Set(record.drifted() ? static_cast<double>(record.resources.size()) : 0.0);
    }
  }
  std::set<std::pair<std::string, int>> held;
  // A database error leaves the gauges as they were; /readyz reports the database.
  Result<std::vector<jobs::Lock>> locks = locks_.List();
  Result<std::vector<jobs::Job>> jobs = jobs_.All();
  if (!locks.ok() || !jobs.ok()) return;
  for (const auto& l : *locks) {
    auto key = std::make_pair(l.project, l.pull_request);
    held.insert(key);
    if (!lock_gauges_.contains(key)) {
      lock_gauges_[key] = &lock_family_.Add(
          {{"project", l.project}, {"pull_request", std::to_string(l.pull_request)}});
      lock_gauges_[key]->Set(1);
    }
  }
  for (auto it = lock_gauges_.begin(); it != lock_gauges_.end();) {
    if (held.contains(it->first)) {
      ++it;
    } else {
      lock_family_.Remove(it->second);
      it = lock_gauges_.erase(it);
    }
  }
  std::map<std::string, int> by_state = {{"queued", 0}, {"running", 0}};
  const long long now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  long long oldest_queued = 0;
  for (const auto& job : *jobs) {
    ++by_state[job.state];
    if (job.state == "queued" && (oldest_queued == 0 || job.created_at < oldest_queued)) {
      oldest_queued = job.created_at;
    }
  }
  for (const auto& [state, count] : by_state) job_family_.Add({{"state", state}}).Set(count);
  wait_family_.Add({{"kind", "apply_job"}})
      .Set(oldest_queued == 0 ? 0.0 : static_cast<double>(std::max(0LL, now_s - oldest_queued)));
  if (webhooks_.store != nullptr) {
    if (auto stats = webhooks_.store->stats(); stats.ok()) {
      webhooks_.pending->Set(static_cast<double>(stats->pending));
      const long long oldest = stats->oldest_pending_ms;
      wait_family_.Add({{"kind", "delivery"}})
          .Set(oldest == 0 ? 0.0 : std::max(0.0, (now_s * 1000.0 - oldest) / 1000.0));
    }
    const std::uint64_t handled = webhooks_.dispatcher->handled();
    const std::uint64_t failed = webhooks_.dispatcher->failed();
    webhooks_.handled->Increment(static_cast<double>(handled - webhooks_.handled_seen));
    webhooks_.failed->Increment(static_cast<double>(failed - webhooks_.failed_seen));
    webhooks_.handled_seen = handled;
    webhooks_.failed_seen = failed;
  }
}

}  // namespace datamcp::bot
