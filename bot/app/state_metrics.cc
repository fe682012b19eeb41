#include "bot/app/state_metrics.h"

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

void StateMetrics::Refresh() {
  std::lock_guard lock(mu_);
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
  for (const auto& job : *jobs) ++by_state[job.state];
  for (const auto& [state, count] : by_state) job_family_.Add({{"state", state}}).Set(count);
  if (webhooks_.store != nullptr) {
    if (auto stats = webhooks_.store->stats(); stats.ok()) {
      webhooks_.pending->Set(static_cast<double>(stats->pending));
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
