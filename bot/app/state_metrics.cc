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
                      .Register(metrics.registry())) {}

void StateMetrics::Refresh() {
  std::lock_guard lock(mu_);
  std::set<std::pair<std::string, int>> held;
  for (const auto& l : locks_.List()) {
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
  for (const auto& job : jobs_.All()) ++by_state[job.state];
  for (const auto& [state, count] : by_state) job_family_.Add({{"state", state}}).Set(count);
}

}  // namespace datamcp::bot
