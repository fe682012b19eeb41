#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "bot/app/replica.h"
#include "bot/http/metrics.h"
#include "gitops/apply/drift_pass.h"
#include "gitops/apply/reconciler.h"
#include "gitops/jobs/job_store.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/queue/delivery_dispatcher.h"
#include "gitops/queue/delivery_store.h"
#include "gitops/state/database.h"

namespace datamcp::bot {

// Gauges mirroring durable state, refreshed on every scrape:
//   datamcp_project_lock{project, pull_request} 1   per lock held
//   datamcp_apply_jobs{state}                       jobs of the apply queue by state
//   datamcp_claim_wait_seconds{kind}                how long the oldest unclaimed work has
//                                                   waited (apply_job; delivery with webhooks)
// and, once WatchWebhooks is called (forge.kind github):
//   datamcp_webhook_deliveries_pending              recorded, not yet handled
//   datamcp_webhook_deliveries_handled_total        handled successfully
//   datamcp_webhook_delivery_failures_total         failed attempts (each is retried)
// and, once WatchReplica is called, this replica's share of the work (label replica):
//   datamcp_lease_claims_total{replica, kind}       claims won: apply_job, delivery, scan
//   datamcp_lease_takeovers_total{replica}          jobs of dead replicas recorded interrupted
//   datamcp_lease_renewals_total{replica}           heartbeats that renewed every claim
//   datamcp_lease_renew_failures_total{replica}     heartbeats the database refused
//   datamcp_state_errors_total{replica}             transactions the database could not run
class StateMetrics {
 public:
  StateMetrics(Metrics& metrics, jobs::LockTable& locks, jobs::JobStore& jobs);
  void WatchWebhooks(queue::DeliveryStore& store, queue::DeliveryDispatcher& dispatcher);
  void WatchReplica(const std::string& holder, apply::Reconciler& reconciler, Replica& replica,
                    queue::DeliveryDispatcher* dispatcher, const state::Database& db);
  // datamcp_drift_resources{project}: resources the last drift check found drifted (0 once
  // clean or resolved), for every project checked.
  void WatchDrift(apply::DriftDetector& drift);
  void Refresh();

 private:
  jobs::LockTable& locks_;
  jobs::JobStore& jobs_;
  prometheus::Family<prometheus::Gauge>& lock_family_;
  prometheus::Family<prometheus::Gauge>& job_family_;
  prometheus::Family<prometheus::Gauge>& wait_family_;
  Metrics& metrics_;
  std::mutex mu_;
  std::map<std::pair<std::string, int>, prometheus::Gauge*> lock_gauges_;

  struct WebhookGauges {
    queue::DeliveryStore* store = nullptr;
    queue::DeliveryDispatcher* dispatcher = nullptr;
    prometheus::Gauge* pending = nullptr;
    prometheus::Counter* handled = nullptr;
    prometheus::Counter* failed = nullptr;
    std::uint64_t handled_seen = 0, failed_seen = 0;  // the dispatcher's counts last scrape
  };
  WebhookGauges webhooks_;
  apply::DriftDetector* drift_ = nullptr;
  prometheus::Family<prometheus::Gauge>* drift_family_ = nullptr;

  // Counters that follow a count kept elsewhere: each scrape adds what it grew by.
  struct Follower {
    std::function<std::uint64_t()> read;
    prometheus::Counter* counter = nullptr;
    std::uint64_t seen = 0;
  };
  std::vector<Follower> followers_;
};

}  // namespace datamcp::bot
