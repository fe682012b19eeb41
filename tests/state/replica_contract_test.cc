// What several replicas on one database rely on, on every backend: named leases (one holder at a
// time, taken over once expired, a value handed to the next holder), delivery claims (each
// pending delivery to one replica, a dead replica's claims pass on, a leaving one gives them
// back), MCP sessions found from another replica, a project's jobs claimed in order, and a
// replica starting beside a live one leaving its running jobs alone.
#include <set>

#include "gitops/jobs/job_store.h"
#include "gitops/queue/delivery_store.h"
#include "gitops/state/lease_table.h"
#include "gitops/state/session_store.h"
#include "tests/state/state_contract.h"
#include "tests/support/state_db.h"

namespace datamcp::state::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::ValueOrFail;

class ReplicaContractTest : public StateContractTest {};

TEST_P(ReplicaContractTest, LeaseHasOneHolderAndPassesOnOnceExpired) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  LeaseTable a(*first, clock_), b(*second, clock_);
  auto got = ValueOrFail(a.TryAcquire("scan", "a", milliseconds(3000)));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "");
  EXPECT_FALSE(ValueOrFail(b.TryAcquire("scan", "b", milliseconds(3000))).has_value());
  ASSERT_TRUE(a.SetValue("scan", "a", "tip1").ok());
  EXPECT_EQ(ValueOrFail(b.Holder("scan")), "a");

  clock_.Advance(seconds(2));
  EXPECT_EQ(ValueOrFail(a.RenewAll("a", milliseconds(3000))), 1);
  clock_.Advance(seconds(2));
  EXPECT_FALSE(ValueOrFail(b.TryAcquire("scan", "b", milliseconds(3000))).has_value())
      << "renewed: still a's";
  clock_.Advance(seconds(4));  // a died: its lease passed
  auto taken = ValueOrFail(b.TryAcquire("scan", "b", milliseconds(3000)));
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(*taken, "tip1") << "the value travels with the lease";
  EXPECT_EQ(a.SetValue("scan", "a", "tip2").code(), StatusCode::kFailedPrecondition);

  ASSERT_TRUE(b.Release("scan", "b").ok());
  EXPECT_EQ(ValueOrFail(a.Holder("scan")), "");
  EXPECT_TRUE(ValueOrFail(a.TryAcquire("scan", "a", milliseconds(3000))).has_value());
  ASSERT_TRUE(a.ReleaseAll("a").ok());
  EXPECT_EQ(ValueOrFail(b.Holder("scan")), "");
}

queue::Delivery MakeDelivery(int i) {
  return queue::Delivery{"d" + std::to_string(i), "pull_request", "closed", "o/r", 1, "{}"};
}

std::set<std::string> Ids(const queue::DeliveryStore::Page& page) {
  std::set<std::string> ids;
  for (const auto& d : page.deliveries) ids.insert(d.id);
  return ids;
}

TEST_P(ReplicaContractTest, DeliveriesAreClaimedByOneReplicaAndPassOnWhenItDies) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  queue::DeliveryStore a(*first, clock_), b(*second, clock_);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(a.Append(MakeDelivery(i)).ok());
  auto mine = ValueOrFail(a.ClaimPage("a", 0, 4, milliseconds(3000)));
  auto theirs = ValueOrFail(b.ClaimPage("b", 0, 4, milliseconds(3000)));
  EXPECT_EQ(Ids(mine), (std::set<std::string>{"d0", "d1", "d2", "d3"}));
  EXPECT_EQ(Ids(theirs), (std::set<std::string>{"d4", "d5"}));
  EXPECT_EQ(mine.deliveries.front().id, "d0") << "oldest first";
  // Claiming again returns what this holder holds (it was not handled yet).
  EXPECT_EQ(Ids(ValueOrFail(a.ClaimPage("a", 0, 10, milliseconds(3000)))), Ids(mine));
  ASSERT_TRUE(a.MarkAllDone({"d0", "d1"}).ok());

  clock_.Advance(seconds(2));
  EXPECT_EQ(ValueOrFail(b.RenewClaims("b", milliseconds(3000))), 2);
  clock_.Advance(seconds(2));  // a stopped renewing: its unhandled claims pass to b
  auto taken = ValueOrFail(b.ClaimPage("b", 0, 10, milliseconds(3000)));
  EXPECT_EQ(Ids(taken), (std::set<std::string>{"d2", "d3", "d4", "d5"}));

  // A replica leaving gives its claims back at once.
  ASSERT_TRUE(b.ReleaseClaims("b").ok());
  EXPECT_EQ(ValueOrFail(a.ClaimPage("a", 0, 10, milliseconds(3000))).deliveries.size(), 4u);
}

TEST_P(ReplicaContractTest, SessionMadeOnOneReplicaIsFoundOnAnotherUntilRemovedOrIdle) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  SessionStore a(*first, clock_), b(*second, clock_);
  ASSERT_TRUE(a.Put("s3cr3t-id", {"agent-1", "2025-06-18", 2}).ok());
  auto found = ValueOrFail(b.Get("s3cr3t-id", 3600));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->subject, "agent-1");
  EXPECT_EQ(found->protocol_version, "2025-06-18");
  EXPECT_EQ(found->log_level, 2);
  EXPECT_FALSE(ValueOrFail(b.Get("other-id", 3600)).has_value());
  // The table never holds the id itself.
  Status scanned = first->Read([](Tx& tx) -> Status {
    DATAMCP_ASSIGN_OR_RETURN(std::vector<Row> rows,
                             tx.Query("SELECT id_hash FROM mcp_sessions WHERE id_hash = $1",
                                      {std::string("s3cr3t-id")}));
    EXPECT_TRUE(rows.empty());
    return Status::Ok();
  });
  ASSERT_TRUE(scanned.ok()) << scanned.ToString();

  clock_.Advance(seconds(3000));
  EXPECT_TRUE(ValueOrFail(b.Get("s3cr3t-id", 3600)).has_value()) << "used: idle timer reset";
  clock_.Advance(seconds(3000));
  EXPECT_TRUE(ValueOrFail(a.Get("s3cr3t-id", 3600)).has_value());
  ASSERT_TRUE(a.Remove("s3cr3t-id").ok());
  EXPECT_FALSE(ValueOrFail(b.Get("s3cr3t-id", 3600)).has_value());

  ASSERT_TRUE(a.Put("idle", {"agent-2", "2025-06-18", 0}).ok());
  clock_.Advance(seconds(3601));
  EXPECT_FALSE(ValueOrFail(b.Get("idle", 3600)).has_value());
  EXPECT_EQ(ValueOrFail(b.Prune(3600)), 1);
}

jobs::Job MakeJob(const std::string& sha, const std::string& project) {
  return jobs::Job{.project = project, .kind = "terraform", .pull_request = 4, .merge_sha = sha};
}

TEST_P(ReplicaContractTest, ProjectJobsAreClaimedInOrderAcrossReplicas) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  jobs::JobStore a(*first, clock_, {.holder = "a"}), b(*second, clock_, {.holder = "b"});
  ASSERT_TRUE(*a.Enqueue(MakeJob("m1", "envs/dev")));
  ASSERT_TRUE(*a.Enqueue(MakeJob("m2", "envs/dev")));
  ASSERT_TRUE(*a.Enqueue(MakeJob("m2", "envs/prod")));
  const std::string dev1 = jobs::JobId("m1", "envs/dev"), dev2 = jobs::JobId("m2", "envs/dev");
  EXPECT_FALSE(ValueOrFail(b.Claim(dev2))) << "m1 of envs/dev is still queued";
  EXPECT_TRUE(ValueOrFail(b.Claim(jobs::JobId("m2", "envs/prod")))) << "another project";
  ASSERT_TRUE(ValueOrFail(a.Claim(dev1)));
  EXPECT_FALSE(ValueOrFail(b.Claim(dev2))) << "m1 of envs/dev is running";
  ASSERT_TRUE(a.SetState(dev1, "succeeded", "").ok());
  EXPECT_TRUE(ValueOrFail(b.Claim(dev2)));
  EXPECT_EQ(a.claims(), 1u);
  EXPECT_EQ(b.claims(), 2u);
  EXPECT_EQ(ValueOrFail(b.RenewAll()), 2);
}

TEST_P(ReplicaContractTest, StartingBesideALiveReplicaLeavesItsRunningJobsAlone) {
  auto first = Open();
  ASSERT_TRUE(first);
  jobs::JobStore live(*first, clock_, {.holder = "live", .lease = seconds(30)});
  ASSERT_TRUE(*live.Enqueue(MakeJob("m1", "envs/dev")));
  ASSERT_TRUE(ValueOrFail(live.Claim(jobs::JobId("m1", "envs/dev"))));
  auto second = Open();
  ASSERT_TRUE(second);
  jobs::JobStore starting(*second, clock_, {.holder = "new", .lease = seconds(30)});
  auto interrupted = ValueOrFail(starting.Load());
  if (GetParam() == Backend::kSqlite) {
    // One server per work directory: what was running belonged to the process that stopped.
    EXPECT_EQ(interrupted.size(), 1u);
  } else {
    EXPECT_TRUE(interrupted.empty()) << "a live replica's job was marked interrupted";
    EXPECT_EQ(ValueOrFail(live.Get(jobs::JobId("m1", "envs/dev")))->state, "running");
    clock_.Advance(seconds(31));  // the holder died: the next start-up records it
    EXPECT_EQ(ValueOrFail(starting.Load()).size(), 1u);
  }
}

DATAMCP_STATE_CONTRACT(ReplicaContractTest);

}  // namespace
}  // namespace datamcp::state::testing
