#include "gitops/argocd/api/sync_and_wait.h"

#include <gtest/gtest.h>

#include <deque>

#include "gitops/argocd/sync/argocd_syncer.h"

namespace datamcp::argocd {
namespace {

using namespace std::chrono_literals;
using Reason = SyncOutcome::Reason;

constexpr char kRev[] = "9f2c1e0aa1b2c3d4e5f60718293a4b5c6d7e8f90";

// Returns the scripted statuses one per GetApplication, repeating the last one.
class ScriptedArgoCd final : public ArgoCd {
 public:
  explicit ScriptedArgoCd(std::deque<Result<AppStatus>> script) : script_(std::move(script)) {}

  Result<AppStatus> GetApplication(const std::string& name, const std::string& ns) override {
    gets_.push_back(name + "@" + ns);
    if (script_.size() > 1) {
      auto next = script_.front();
      script_.pop_front();
      return next;
    }
    return script_.front();
  }
  Status Sync(const std::string& name, const std::string& ns, const std::string& rev) override {
    syncs_.push_back(name + "@" + ns + "@" + rev);
    return sync_status_;
  }

  std::deque<Result<AppStatus>> script_;
  std::vector<std::string> gets_, syncs_;
  Status sync_status_;
};

AppStatus At(std::string rev, std::string sync, std::string health, std::string phase,
             std::string message = "") {
  return AppStatus{sync, rev, health, phase, message, phase.empty() ? "" : kRev};
}

SyncRequest Request() {
  SyncRequest r{"web", "team-a", kRev, 60s, 5s};
  return r;
}

TEST(SyncAndWaitTest, SucceedsOnceSyncedHealthyAtRevisionAndOperationDone) {
  ScriptedArgoCd argo(
      {At("old", "OutOfSync", "Healthy", "Running"), At(kRev, "Synced", "Progressing", "Running"),
       At(kRev, "Synced", "Healthy", "Running"), At(kRev, "Synced", "Healthy", "Succeeded")});
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->succeeded);
  EXPECT_EQ(out->reason, Reason::kSucceeded);
  EXPECT_EQ(out->polls, 4);
  EXPECT_EQ(out->revision, kRev);
  EXPECT_EQ(out->health, "Healthy");
  EXPECT_EQ(out->phase, "Succeeded");
  ASSERT_EQ(argo.syncs_.size(), 1u);
  EXPECT_EQ(argo.syncs_[0], std::string("web@team-a@") + kRev);
  EXPECT_EQ(clock.sleeps(), std::vector<Clock::Duration>(3, 5s));
}

TEST(SyncAndWaitTest, DegradedAtRevisionFails) {
  ScriptedArgoCd argo(
      {At(kRev, "Synced", "Degraded", "Running"), At(kRev, "Synced", "Degraded", "Succeeded")});
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->succeeded);
  EXPECT_EQ(out->reason, Reason::kDegraded);
  EXPECT_EQ(out->polls, 2) << "Degraded while the operation runs may be transient";
  EXPECT_NE(out->message.find("Degraded"), std::string::npos);
}

TEST(SyncAndWaitTest, DegradedAtOldRevisionKeepsWaiting) {
  ScriptedArgoCd argo(
      {At("old", "OutOfSync", "Degraded", ""), At(kRev, "Synced", "Healthy", "Succeeded")});
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->succeeded);
  EXPECT_EQ(out->polls, 2);
}

TEST(SyncAndWaitTest, FailedOperationReportsArgoMessage) {
  ScriptedArgoCd argo({At("old", "OutOfSync", "Healthy", "Running"),
                       At("old", "OutOfSync", "Healthy", "Failed", "one or more objects failed")});
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->reason, Reason::kOperationFailed);
  EXPECT_EQ(out->phase, "Failed");
  EXPECT_NE(out->message.find("one or more objects failed"), std::string::npos) << out->message;
}

TEST(SyncAndWaitTest, ErrorPhaseIsAFailureToo) {
  ScriptedArgoCd argo({At("old", "OutOfSync", "Healthy", "Error", "ComparisonError")});
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->reason, Reason::kOperationFailed);
}

TEST(SyncAndWaitTest, IgnoresFailedOperationOfAnotherRevision) {
  AppStatus stale = At("old", "OutOfSync", "Healthy", "Failed", "old failure");
  stale.operation_revision = "old";
  ScriptedArgoCd argo({stale, At(kRev, "Synced", "Healthy", "Succeeded")});
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->succeeded);
}

TEST(SyncAndWaitTest, TimesOutNamingLastSeenRevisionAndStatus) {
  ScriptedArgoCd argo({At("2222", "Synced", "Healthy", "Succeeded")});
  ManualClock clock;
  auto start = clock.SteadyNow();
  SyncRequest r = Request();
  r.timeout = 12s;
  auto out = SyncAndWait(argo, clock, r);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->succeeded);
  EXPECT_EQ(out->reason, Reason::kTimedOut);
  EXPECT_EQ(clock.SteadyNow() - start, 12s) << "sleeps are clamped to the deadline";
  EXPECT_EQ(out->polls, 4);  // at 0, 5, 10, 12 s
  EXPECT_NE(out->message.find("revision 2222"), std::string::npos) << out->message;
  EXPECT_NE(out->message.find("within 12s"), std::string::npos) << out->message;
}

TEST(SyncAndWaitTest, SyncErrorIsReturnedWithoutPolling) {
  ScriptedArgoCd argo({At(kRev, "Synced", "Healthy", "Succeeded")});
  argo.sync_status_ = Unauthenticated("token rejected: check argocd.token");
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(argo.gets_.empty());
}

TEST(SyncAndWaitTest, JoinsARunningOperationForTheSameRevision) {
  ScriptedArgoCd argo(
      {At("old", "OutOfSync", "Healthy", "Running"), At(kRev, "Synced", "Healthy", "Succeeded")});
  argo.sync_status_ = Conflict("another operation is already in progress");
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->succeeded);
}

TEST(SyncAndWaitTest, RunningOperationForAnotherRevisionIsAConflict) {
  AppStatus other = At("old", "OutOfSync", "Healthy", "Running");
  other.operation_revision = "0ther";
  ScriptedArgoCd argo({other});
  argo.sync_status_ = Conflict("another operation is already in progress");
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kConflict);
  EXPECT_NE(out.status().message().find("0ther"), std::string::npos) << out.status().message();
}

TEST(SyncAndWaitTest, UnavailableWhilePollingIsToleratedUntilDeadline) {
  ScriptedArgoCd argo({Unavailable("connection refused"), At(kRev, "Synced", "Healthy", "")});
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->succeeded);
}

TEST(SyncAndWaitTest, NotFoundWhilePollingIsAnError) {
  ScriptedArgoCd argo({NotFound("no application web")});
  ManualClock clock;
  auto out = SyncAndWait(argo, clock, Request());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound);
}

TEST(SyncAndWaitTest, RejectsEmptyRevisionAndZeroInterval) {
  ScriptedArgoCd argo({At(kRev, "Synced", "Healthy", "")});
  ManualClock clock;
  SyncRequest r = Request();
  r.revision = "";
  EXPECT_EQ(SyncAndWait(argo, clock, r).status().code(), StatusCode::kInvalidArgument);
  r = Request();
  r.poll_interval = 0s;
  EXPECT_EQ(SyncAndWait(argo, clock, r).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(argo.syncs_.empty());
}

TEST(SyncAndWaitTest, RequestFromConfigUsesConfiguredTimes) {
  config::ArgoCdConfig c;
  c.sync_timeout_seconds = 42;
  c.poll_interval_seconds = 3;
  SyncRequest r = SyncRequestFromConfig(c, "web", "ns", kRev);
  EXPECT_EQ(r.timeout, 42s);
  EXPECT_EQ(r.poll_interval, 3s);
  EXPECT_EQ(r.name, "web");
  EXPECT_EQ(r.app_namespace, "ns");
}

TEST(ArgoCdSyncerTest, RunUsesItsTimeoutAndPollInterval) {
  ScriptedArgoCd argo({At("old", "OutOfSync", "Healthy", "Running")});
  ManualClock clock;
  ArgoCdSyncer syncer(argo, clock, 9s, 4s);
  auto out = syncer.Run("web", "", kRev);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->reason, Reason::kTimedOut);
  EXPECT_EQ(clock.sleeps(), (std::vector<Clock::Duration>{4s, 4s, 1s}));
}

// Compiled once the applier's Syncer interface is in the tree.
TEST(ArgoCdSyncerTest, ImplementsApplySyncer) {
  ScriptedArgoCd argo({At(kRev, "Synced", "Degraded", "Succeeded")});
  ManualClock clock;
  ArgoCdSyncer syncer(argo, clock, 9s, 4s);
  apply::Syncer& as_syncer = syncer;
  auto report = as_syncer.SyncAndWait("web", "team-a", kRev);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->succeeded);
  EXPECT_EQ(report->health, "Degraded");
  EXPECT_EQ(report->revision, kRev);
  EXPECT_EQ(report->phase, "Succeeded");
  EXPECT_NE(report->message.find("Degraded"), std::string::npos);
}

}  // namespace
}  // namespace datamcp::argocd
