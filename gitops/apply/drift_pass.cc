#include "gitops/apply/drift_pass.h"

#include "gitops/apply/drift_select.h"
#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"

namespace datamcp::apply {
namespace {
constexpr char kDriftLease[] = "drift-pass";
}  // namespace

DriftDetector::DriftDetector(git::Repository& repo, forge::Forge& forge,
                             proposal::ProposalService& proposals, proposal::PlanService& planner,
                             jobs::LockTable& locks, jobs::JobStore& jobs, const Clock& clock)
    : repo_(repo),
      forge_(forge),
      proposals_(proposals),
      planner_(planner),
      locks_(locks),
      jobs_(jobs),
      clock_(clock) {}

DriftDetector::~DriftDetector() { Stop(); }

void DriftDetector::ShareWith(state::LeaseTable& leases, std::string holder,
                              std::chrono::milliseconds ttl) {
  leases_ = &leases;
  holder_ = std::move(holder);
  lease_ttl_ = ttl;
}

Result<DriftPassReport> DriftDetector::RunOnce() {
  std::lock_guard pass(pass_mu_);
  std::map<std::string, DriftRecord> latest;
  {
    std::lock_guard lock(mu_);
    latest = latest_;
  }
  if (leases_ == nullptr) {
    DATAMCP_ASSIGN_OR_RETURN(DriftPassReport report, RunHolding(latest));
    std::lock_guard lock(mu_);
    latest_ = std::move(latest);
    return report;
  }
  DATAMCP_ASSIGN_OR_RETURN(std::optional<std::string> value,
                           leases_->TryAcquire(kDriftLease, holder_, lease_ttl_));
  if (!value) return DriftPassReport{.deferred = true};
  // The lease's value is the newest any replica recorded; ours may be older.
  if (!value->empty()) latest = DecodeLatest(*value);
  Result<DriftPassReport> report = RunHolding(latest);
  if (Status s = leases_->SetValue(kDriftLease, holder_, EncodeLatest(latest)); !s.ok()) {
    log::Warn("drift_lease_lost", {{"error", s.message()}});
  }
  if (Status s = leases_->Release(kDriftLease, holder_); !s.ok()) {
    log::Warn("drift_lease_release_failed", {{"error", s.message()}});
  }
  std::lock_guard lock(mu_);
  latest_ = std::move(latest);
  return report;
}

Result<DriftPassReport> DriftDetector::RunHolding(std::map<std::string, DriftRecord>& latest) {
  if (catch_up_) {
    if (Status s = catch_up_(); !s.ok())
      log::Warn("drift_catch_up_failed", {{"error", s.message()}});
  }
  std::string tip;
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, proposals_.LoadConfig(&tip));
  DATAMCP_ASSIGN_OR_RETURN(std::vector<jobs::Lock> locks, locks_.List());
  DATAMCP_ASSIGN_OR_RETURN(std::vector<jobs::Job> jobs, jobs_.All());
  DriftSelection selection = SelectDriftProjects(config, locks, jobs);
  DriftPassReport report{.records = {}, .skipped = selection.skipped, .deferred = false};
  for (const auto& skipped : selection.skipped) log::Info("drift_skipped", {{"project", skipped}});
  if (selection.to_plan.empty()) return report;
  DATAMCP_ASSIGN_OR_RETURN(proposal::PlanRun run,
                           planner_.Plan(config, tip, tip, selection.to_plan));
  for (const auto& plan : run.plans) {
    DriftRecord record = Check(plan, tip, latest);
    // A note grows with every document: the tip gets a record when the result, the
    // resources or the tip changed, not one per pass (get_drift still shows the last check).
    auto previous = latest.find(record.project);
    if (previous == latest.end() || previous->second.commit != tip ||
        previous->second.result != record.result ||
        previous->second.resources != record.resources) {
      DATAMCP_RETURN_IF_ERROR(repo_.AddNote(tip, ToJson(record).dump()));
    }
    log::Info("drift_checked", {{"project", record.project},
                                {"result", record.result},
                                {"resources", std::to_string(record.resources.size())}});
    // A failed check says nothing about drift: the drifted record stays the latest, so the
    // next clean check is still "resolved".
    auto& slot = latest[record.project];
    if (record.result != "failed" || slot.result != "drifted") slot = record;
    ReportToForge(record);
    report.records.push_back(std::move(record));
  }
  return report;
}

DriftRecord DriftDetector::Check(const proposal::ProjectPlan& plan, const std::string& tip,
                                 const std::map<std::string, DriftRecord>& latest) const {
  DriftRecord r{
      .project = plan.project.path,
      .env = plan.project.env,
      .commit = tip,
      .result = "",
      .resources = plan.ok ? DriftedResources(plan.changes) : std::vector<DriftedResource>{},
      .summary = plan.summary,
      .error = plan.ok ? "" : plan.error,
      .checked_at = clock_.UnixSeconds()};
  auto previous = latest.find(r.project);
  std::string before = previous == latest.end() ? "" : previous->second.result;
  r.result = DriftResult(plan.ok, r.resources, before);
  return r;
}

void DriftDetector::ReportToForge(const DriftRecord& record) {
  if (record.result == "failed") return;
  std::string told = "clean";
  if (record.drifted()) {
    told = "drifted " + record.commit;
    for (const auto& r : record.resources) told += " " + r.action + ":" + r.address;
  }
  auto previous = reported_.find(record.project);
  if (previous != reported_.end() && previous->second == told) return;
  Status s;
  if (record.drifted()) {
    forge::DriftReport report{.project = record.project,
                              .environment = record.env,
                              .commit = record.commit,
                              .resources = {},
                              .checked_at = record.checked_at};
    for (const auto& r : record.resources) report.resources.push_back({r.address, r.action});
    Result<std::string> where = forge_.UpsertDriftReport(report);
    s = where.status();
    if (where.ok()) {
      log::Info("drift_reported", {{"project", record.project}, {"report", *where}});
    }
  } else {
    Result<bool> closed = forge_.ResolveDriftReport(record.project, record.commit);
    s = closed.status();
    if (closed.ok() && *closed) log::Info("drift_report_resolved", {{"project", record.project}});
  }
  if (!s.ok()) {
    log::Warn("drift_report_failed", {{"project", record.project}, {"error", s.message()}});
    reported_.erase(record.project);
    return;
  }
  reported_[record.project] = told;
}

std::vector<DriftRecord> DriftDetector::Latest() const {
  std::lock_guard lock(mu_);
  std::vector<DriftRecord> out;
  for (const auto& [path, record] : latest_) out.push_back(record);
  return out;
}

void DriftDetector::Start(std::chrono::seconds interval) {
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      if (Result<DriftPassReport> r = RunOnce(); !r.ok()) {
        log::Warn("drift_pass_failed", {{"error", r.status().message()}});
      }
      lock.lock();
    }
  });
}

void DriftDetector::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string EncodeLatest(const std::map<std::string, DriftRecord>& latest) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [path, record] : latest) out.push_back(ToJson(record));
  return out.dump();
}

std::map<std::string, DriftRecord> DecodeLatest(const std::string& value) {
  std::map<std::string, DriftRecord> out;
  nlohmann::json all = ParseJsonOrDiscarded(value);
  if (!all.is_array()) return out;
  for (const auto& item : all) {
    auto record = ParseDriftRecord(item, json_fields::String(item, "commit"));
    if (record) out[record->project] = *record;
  }
  return out;
}

}  // namespace datamcp::apply
