#include "gitops/argocd/api/sync_and_wait.h"

#include <algorithm>
#include <optional>

#include "gitops/common/log.h"

namespace datamcp::argocd {
namespace {

using Reason = SyncOutcome::Reason;

std::string OrNone(const std::string& s) { return s.empty() ? "(none)" : s; }

// The verdict for one status, or nullopt to keep polling.
std::optional<Reason> Judge(const AppStatus& s, const std::string& revision) {
  bool at_revision = s.sync_revision == revision;
  // An operationState left by an earlier sync of another revision is not ours.
  bool op_is_ours = s.operation_revision.empty() || s.operation_revision == revision;
  bool running = s.operation_phase == "Running" || s.operation_phase == "Terminating";
  if (op_is_ours && (s.operation_phase == "Failed" || s.operation_phase == "Error")) {
    return Reason::kOperationFailed;
  }
  if (!at_revision || running) return std::nullopt;
  if (s.health_status == "Degraded") return Reason::kDegraded;
  if (s.sync_status == "Synced" && s.health_status == "Healthy") return Reason::kSucceeded;
  return std::nullopt;
}

void Record(const AppStatus& s, SyncOutcome* out) {
  out->phase = s.operation_phase;
  out->health = s.health_status;
  out->revision = s.sync_revision;
  out->sync_status = s.sync_status;
}

std::string Describe(const SyncRequest& r, const AppStatus& s, Reason reason) {
  std::string app = "Argo CD application '" + r.name + "'";
  switch (reason) {
    case Reason::kSucceeded:
      return app + " is Synced at " + r.revision + " and Healthy";
    case Reason::kDegraded:
      return app + " synced to " + r.revision + " but its health is Degraded";
    case Reason::kOperationFailed:
      return app + ": sync to " + r.revision + " ended in phase " + s.operation_phase + ": " +
             OrNone(s.operation_message);
    case Reason::kTimedOut:
      break;
  }
  return app + " did not become Synced and Healthy at " + r.revision + " within " +
         std::to_string(r.timeout.count() / 1000) + "s; last seen: revision " +
         OrNone(s.sync_revision) + ", sync " + OrNone(s.sync_status) + ", health " +
         OrNone(s.health_status) + ", operation " + OrNone(s.operation_phase);
}

Status ValidateRequest(const SyncRequest& r) {
  if (r.name.empty()) return InvalidArgument("Argo CD sync: the application name is empty");
  if (r.revision.empty()) return InvalidArgument("Argo CD sync: the revision is empty");
  if (r.timeout.count() <= 0 || r.poll_interval.count() <= 0) {
    return InvalidArgument(
        "Argo CD sync: timeout and poll interval must be positive "
        "(argocd.sync_timeout_seconds, argocd.poll_interval_seconds)");
  }
  return Status::Ok();
}

// Asks for the sync. An operation already running for the same revision (a retried POST that
// Argo CD had accepted, or a second caller) is joined rather than reported as an error.
Status StartSync(ArgoCd& argocd, const SyncRequest& r) {
  Status started = argocd.Sync(r.name, r.app_namespace, r.revision);
  if (started.code() != StatusCode::kConflict) return started;
  auto now = argocd.GetApplication(r.name, r.app_namespace);
  if (now.ok() && now->operation_revision == r.revision) {
    log::Info("argocd.sync_joined", {{"application", r.name}, {"revision", r.revision}});
    return Status::Ok();
  }
  std::string running = now.ok() ? OrNone(now->operation_revision) : "(unknown)";
  return started.WithContext("Argo CD is already syncing '" + r.name + "' to revision " + running +
                             ", not " + r.revision);
}

}  // namespace

std::string_view ReasonName(SyncOutcome::Reason reason) {
  switch (reason) {
    case Reason::kSucceeded:
      return "succeeded";
    case Reason::kDegraded:
      return "degraded";
    case Reason::kOperationFailed:
      return "operation_failed";
    case Reason::kTimedOut:
      return "timed_out";
  }
  return "unknown";
}

Result<SyncOutcome> SyncAndWait(ArgoCd& argocd, Clock& clock, const SyncRequest& request) {
  DATAMCP_RETURN_IF_ERROR(ValidateRequest(request));
  DATAMCP_RETURN_IF_ERROR(StartSync(argocd, request));
  const auto deadline = clock.SteadyNow() + request.timeout;
  SyncOutcome out;
  AppStatus last;
  while (true) {
    auto got = argocd.GetApplication(request.name, request.app_namespace);
    ++out.polls;
    if (got.ok()) {
      last = *got;
      Record(last, &out);
      if (auto reason = Judge(last, request.revision)) {
        out.reason = *reason;
        out.succeeded = *reason == Reason::kSucceeded;
        out.message = Describe(request, last, *reason);
        break;
      }
    } else if (got.status().code() != StatusCode::kUnavailable) {
      return got.status();  // auth, not found, garbage: polling again will not help
    }
    auto now = clock.SteadyNow();
    if (now >= deadline) {
      out.reason = Reason::kTimedOut;
      out.message = Describe(request, last, Reason::kTimedOut);
      if (!got.ok()) out.message += "; last error: " + got.status().message();
      break;
    }
    auto left = std::chrono::duration_cast<Clock::Duration>(deadline - now);
    clock.SleepFor(std::min<Clock::Duration>(request.poll_interval, left));
  }
  log::Info("argocd.sync_finished", {{"application", request.name},
                                     {"revision", request.revision},
                                     {"reason", ReasonName(out.reason)},
                                     {"polls", out.polls}});
  return out;
}

SyncRequest SyncRequestFromConfig(const config::ArgoCdConfig& config, std::string name,
                                  std::string app_namespace, std::string revision) {
  SyncRequest r;
  r.name = std::move(name);
  r.app_namespace = std::move(app_namespace);
  r.revision = std::move(revision);
  r.timeout = std::chrono::seconds(config.sync_timeout_seconds);
  r.poll_interval = std::chrono::seconds(config.poll_interval_seconds);
  return r;
}

}  // namespace datamcp::argocd
