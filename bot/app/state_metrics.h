#pragma once

#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <map>
#include <mutex>
#include <string>

#include "bot/http/metrics.h"
#include "gitops/jobs/job_store.h"
#include "gitops/jobs/lock_table.h"

namespace datamcp::bot {

// Gauges mirroring durable state, refreshed on every scrape:
//   datamcp_project_lock{project, pull_request} 1   per lock held
//   datamcp_apply_jobs{state}                       jobs of the apply queue by state
class StateMetrics {
 public:
  StateMetrics(Metrics& metrics, jobs::LockTable& locks, jobs::JobStore& jobs);
  void Refresh();

 private:
  jobs::LockTable& locks_;
  jobs::JobStore& jobs_;
  prometheus::Family<prometheus::Gauge>& lock_family_;
  prometheus::Family<prometheus::Gauge>& job_family_;
  std::mutex mu_;
  std::map<std::pair<std::string, int>, prometheus::Gauge*> lock_gauges_;
};

}  // namespace datamcp::bot
