// Claims with a lease, on every backend: workers of several replicas take each queued job once
// without waiting on each other (PostgreSQL: FOR UPDATE SKIP LOCKED), a holder that keeps
// renewing keeps its job, and a job whose holder stopped renewing is taken over (recorded as
// interrupted, never run again) once its lease has passed.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "gitops/jobs/job_store.h"
#include "gitops/state/schema.h"
#include "tests/state/state_contract.h"
#include "tests/support/state_db.h"

namespace datamcp::state::testing {
namespace {

using jobs::Job;
using jobs::JobId;
using jobs::JobStore;
using test::ValueOrFail;

class LeaseContractTest : public StateContractTest {};

TEST_P(LeaseContractTest, ClaimNextGivesEachQueuedJobToOneWorkerAcrossReplicas) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  JobStore a(*first, clock_, {.holder = "replica-a"});
  JobStore b(*second, clock_, {.holder = "replica-b"});
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(*a.Enqueue(MakeJob("sha" + std::to_string(i), "p" + std::to_string(i % 3))));
  }
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      JobStore& store = t % 2 == 0 ? a : b;
      for (;;) {
        Result<std::optional<Job>> job = store.ClaimNext();
        if (!job.ok()) {
          ++errors;
          return;
        }
        if (!*job) return;
        EXPECT_EQ((*job)->state, "running");
        EXPECT_EQ((*job)->holder, store.holder());
        std::lock_guard lock(mu);
        claimed.insert((*job)->id);
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claimed.size(), 12u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), 12u)
      << "a job was claimed twice";
  EXPECT_TRUE(ValueOrFail(a.WithState("queued")).empty());
  EXPECT_FALSE(ValueOrFail(b.ClaimNext()).has_value());
}

TEST_P(LeaseContractTest, ClaimNextTakesTheOldestQueuedJobFirst) {
  auto db = Open();
  ASSERT_TRUE(db);
  JobStore store(*db, clock_);
  for (const char* sha : {"fff", "aaa", "ccc"}) ASSERT_TRUE(*store.Enqueue(MakeJob(sha, "p")));
  std::vector<std::string> order;
  while (auto job = ValueOrFail(store.ClaimNext())) order.push_back(job->merge_sha);
  EXPECT_EQ(order, (std::vector<std::string>{"fff", "aaa", "ccc"}));
}

TEST_P(LeaseContractTest, ExpiredLeaseIsTakenOverByAnotherReplicaAsInterrupted) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  JobStore dead(*first, clock_, {.holder = "dead", .lease = std::chrono::seconds(60)});
  JobStore alive(*first, clock_, {.holder = "alive", .lease = std::chrono::seconds(60)});
  JobStore other(*second, clock_, {.holder = "other", .lease = std::chrono::seconds(60)});
  ASSERT_TRUE(*dead.Enqueue(MakeJob("abc", "envs/dev")));
  ASSERT_TRUE(*alive.Enqueue(MakeJob("abc", "envs/prod")));
  const std::string dev = JobId("abc", "envs/dev"), prod = JobId("abc", "envs/prod");
  ASSERT_TRUE(ValueOrFail(dead.Claim(dev)));
  ASSERT_TRUE(ValueOrFail(alive.Claim(prod)));
  EXPECT_TRUE(ValueOrFail(other.ExpireLeases()).empty());  // both leases still run

  clock_.Advance(std::chrono::seconds(40));
  ASSERT_TRUE(ValueOrFail(alive.Renew(prod)));  // the live holder renews; the dead one cannot
  clock_.Advance(std::chrono::seconds(40));
  auto expired = ValueOrFail(other.ExpireLeases());
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].id, dev);
  EXPECT_EQ(expired[0].state, "interrupted");
  EXPECT_EQ(expired[0].holder, "dead");
  EXPECT_NE(expired[0].detail.find("lease expired"), std::string::npos);
  EXPECT_EQ(ValueOrFail(other.Get(prod))->state, "running");
  // The holder that came back has lost the job, and nobody runs it again.
  EXPECT_FALSE(ValueOrFail(dead.Renew(dev)));
  EXPECT_FALSE(ValueOrFail(other.Claim(dev)));
  EXPECT_TRUE(ValueOrFail(other.ExpireLeases()).empty());  // taken over once
}

// A holder cut off from the database past its lease comes back with the outcome of its apply:
// it cannot write it over the interrupted state the replica that took the job over recorded,
// nor put the job back in the queue; the holder of a live lease can.
TEST_P(LeaseContractTest, OnlyTheHolderOfARunningJobFinishesIt) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  JobStore cut(*first, clock_, {.holder = "cut", .lease = std::chrono::seconds(60)});
  JobStore other(*second, clock_, {.holder = "other", .lease = std::chrono::seconds(60)});
  ASSERT_TRUE(*cut.Enqueue(MakeJob("abc", "envs/dev")));
  ASSERT_TRUE(*cut.Enqueue(MakeJob("abc", "envs/prod")));
  const std::string dev = JobId("abc", "envs/dev"), prod = JobId("abc", "envs/prod");
  ASSERT_TRUE(ValueOrFail(cut.Claim(dev)));
  ASSERT_TRUE(ValueOrFail(other.Claim(prod)));
  EXPECT_FALSE(ValueOrFail(cut.Finish(prod, "applied", "")));  // not its claim
  EXPECT_EQ(ValueOrFail(other.Get(prod))->state, "running");

  clock_.Advance(std::chrono::seconds(61));
  ASSERT_TRUE(ValueOrFail(other.Renew(prod)));
  ASSERT_EQ(ValueOrFail(other.ExpireLeases()).size(), 1u);  // dev, taken over
  EXPECT_FALSE(ValueOrFail(cut.Finish(dev, "applied", "done")));
  EXPECT_FALSE(ValueOrFail(cut.Finish(dev, "queued", "retry")));
  EXPECT_EQ(ValueOrFail(other.Get(dev))->state, "interrupted");
  EXPECT_TRUE(ValueOrFail(other.Finish(prod, "applied", "done")));
  EXPECT_EQ(ValueOrFail(other.Get(prod))->state, "applied");
  EXPECT_FALSE(ValueOrFail(other.Finish(prod, "failed", "")));  // finished once
}

// A database of the first schema (before leases and body digests) is migrated at start-up,
// keeping its rows.
TEST_P(LeaseContractTest, DatabaseOfTheFirstSchemaIsMigratedKeepingItsJobs) {
  {
    auto db = OpenAtVersion(1);
    ASSERT_TRUE(db);
    // A queued job as the first schema's JobStore wrote it.
    Status queued = db->Transact([](Tx& tx) {
      return tx
          .Exec(
              "INSERT INTO jobs (id, seq, project, kind, pull_request, merge_sha, state, "
              "detail, created_at, updated_at) VALUES ($1, 1, 'envs/dev', 'terraform', 4, "
              "'abc', 'queued', '', 1, 1)",
              {jobs::JobId("abc", "envs/dev")})
          .status();
    });
    ASSERT_TRUE(queued.ok()) << queued.ToString();
  }
  auto db = Open();
  ASSERT_TRUE(db);
  JobStore store(*db, clock_, {.holder = "after-upgrade"});
  auto job = ValueOrFail(store.ClaimNext());
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->merge_sha, "abc");
  EXPECT_EQ(job->holder, "after-upgrade");
  EXPECT_EQ(job->lease_until, clock_.UnixSeconds() + 3600);
}

DATAMCP_STATE_CONTRACT(LeaseContractTest);

}  // namespace
}  // namespace datamcp::state::testing
