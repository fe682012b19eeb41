#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gitops/apply/drift_record.h"
#include "gitops/common/clock.h"
#include "gitops/forge/forge.h"
#include "gitops/git/repository.h"
#include "gitops/jobs/job_store.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/proposal/plan_service.h"
#include "gitops/proposal/proposal_service.h"
#include "gitops/state/lease_table.h"

namespace datamcp::apply {

// What one pass did: the records it wrote and the roots it skipped (busy, see
// SelectDriftProjects). `deferred`: another replica holds the pass's lease.
struct DriftPassReport {
  std::vector<DriftRecord> records;
  std::vector<std::string> skipped;
  bool deferred = false;
};

// Drift detection: each pass fetches, reads datamcp.yaml at the default branch's tip and
// plans every environment's Terraform root there (not those a lock or an apply holds). A
// non-empty plan is drift; a result that differs from the project's last one (or is the first
// at this tip) is a `drift` record in the note on the tip (drift_record.h), and the latest per
// project is kept for get_drift and /metrics. The plan
// text is masked by the planner; records carry addresses and actions, never values.
// The forge keeps one drift report per drifted project (Forge::UpsertDriftReport: a GitHub
// issue, a local forge record), edited when the drift changes and closed by the first check
// that finds none.
// With several replicas one pass runs at a time, on the replica holding lease "drift-pass"
// (the lease's value carries the latest records, so "resolved" is judged across replicas).
// Thread-safe.
class DriftDetector {
 public:
  DriftDetector(git::Repository& repo, forge::Forge& forge, proposal::ProposalService& proposals,
                proposal::PlanService& planner, jobs::LockTable& locks, jobs::JobStore& jobs,
                const Clock& clock);
  ~DriftDetector();  // Stop()

  void ShareWith(state::LeaseTable& leases, std::string holder, std::chrono::milliseconds ttl);

  // Runs before each pass: the server brings the reconciler up to date (Reconciler::RunOnce),
  // so a merge not applied yet is applied (or held by its job) rather than reported as
  // drift. Its error is logged and the pass goes on. Call before Start.
  void SetCatchUp(std::function<Status()> catch_up) { catch_up_ = std::move(catch_up); }

  // One pass now. Errors: git, the configuration or the state database unreachable.
  Result<DriftPassReport> RunOnce();

  // The latest record of every project checked, by project path.
  std::vector<DriftRecord> Latest() const;

  // A pass every `interval` on a background thread, until Stop.
  void Start(std::chrono::seconds interval);
  void Stop();

 private:
  Result<DriftPassReport> RunHolding(std::map<std::string, DriftRecord>& latest);
  DriftRecord Check(const proposal::ProjectPlan& plan, const std::string& tip,
                    const std::map<std::string, DriftRecord>& latest) const;
  // Brings the forge's drift report of record.project in step with the record: drifted
  // opens or edits it, clean or resolved closes it, failed leaves it. Skipped when the forge
  // was already told the same in this process; a forge error is logged and tried again on
  // the next pass (the note and the metric never wait for the forge).
  void ReportToForge(const DriftRecord& record);

  git::Repository& repo_;
  forge::Forge& forge_;
  proposal::ProposalService& proposals_;
  proposal::PlanService& planner_;
  jobs::LockTable& locks_;
  jobs::JobStore& jobs_;
  const Clock& clock_;

  state::LeaseTable* leases_ = nullptr;
  std::string holder_;
  std::chrono::milliseconds lease_ttl_{0};
  std::function<Status()> catch_up_;

  std::mutex pass_mu_;  // one pass at a time in this process
  // project -> what the forge was last told ("clean", or "drifted" with the tip and
  // resources); guarded by pass_mu_.
  std::map<std::string, std::string> reported_;
  mutable std::mutex mu_;
  std::map<std::string, DriftRecord> latest_;  // guarded by mu_
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// The latest records as the lease value carries them (a JSON array of ToJson documents), and
// back; records that do not parse are dropped.
std::string EncodeLatest(const std::map<std::string, DriftRecord>& latest);
std::map<std::string, DriftRecord> DecodeLatest(const std::string& value);

}  // namespace datamcp::apply
