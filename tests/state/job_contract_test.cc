// The apply job store's contract on every backend: one job per (merge commit, project), kept
// in enqueue order, state changes durable, a job cut off mid-run found interrupted, and a
// claim the database grants to exactly one worker across replicas.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "gitops/jobs/job_store.h"
#include "tests/state/state_contract.h"
#include "tests/support/state_db.h"

namespace datamcp::state::testing {
namespace {

using jobs::Job;
using jobs::JobId;
using jobs::JobStore;
using test::ValueOrFail;

class JobContractTest : public StateContractTest {};

TEST_P(JobContractTest, SameMergeAndProjectIsOneJob) {
  auto db = Open();
  ASSERT_TRUE(db);
  JobStore store(*db, clock_);
  ASSERT_TRUE(store.Load().ok());
  EXPECT_TRUE(*store.Enqueue(MakeJob("abc", "envs/dev")));
  EXPECT_FALSE(*store.Enqueue(MakeJob("abc", "envs/dev")));
  EXPECT_TRUE(*store.Enqueue(MakeJob("abc", "envs/prod")));
  EXPECT_EQ(ValueOrFail(store.WithState("queued")).size(), 2u);
}

// Jobs enqueued in the same second keep their order, also after a restart (the order of
// commits on the default branch, which a project's applies must follow).
TEST_P(JobContractTest, JobsOfOneSecondRunInEnqueueOrderAcrossARestart) {
  std::vector<std::string> shas = {"fff", "aaa", "ccc", "bbb"};  // not in id order
  {
    auto db = Open();
    ASSERT_TRUE(db);
    JobStore store(*db, clock_);
    ASSERT_TRUE(store.Load().ok());
    for (const auto& sha : shas) ASSERT_TRUE(*store.Enqueue(MakeJob(sha, "envs/dev")));
  }
  auto db = Open();
  ASSERT_TRUE(db);
  JobStore again(*db, clock_);
  ASSERT_TRUE(again.Load().ok());
  ASSERT_TRUE(*again.Enqueue(MakeJob("000", "envs/dev")));
  std::vector<std::string> order;
  for (const auto& job : ValueOrFail(again.WithState("queued"))) order.push_back(job.merge_sha);
  EXPECT_EQ(order, (std::vector<std::string>{"fff", "aaa", "ccc", "bbb", "000"}));
}

// created_at is what the wall clock said, and an NTP step can move it back: the order of a
// project's jobs, and which one may run, follow the enqueue order whatever the times say.
TEST_P(JobContractTest, WallClockSteppingBackKeepsEnqueueOrder) {
  auto db = Open();
  ASSERT_TRUE(db);
  JobStore store(*db, clock_);
  ASSERT_TRUE(store.Load().ok());
  ASSERT_TRUE(*store.Enqueue(MakeJob("aaa", "envs/dev")));
  clock_.Advance(-std::chrono::hours(5));  // the store reads only the wall clock
  ASSERT_TRUE(*store.Enqueue(MakeJob("bbb", "envs/dev")));
  std::vector<std::string> order;
  for (const auto& job : ValueOrFail(store.WithState("queued"))) order.push_back(job.merge_sha);
  EXPECT_EQ(order, (std::vector<std::string>{"aaa", "bbb"}));
  EXPECT_FALSE(ValueOrFail(store.Claim(JobId("bbb", "envs/dev")))) << "aaa is still queued";
  std::optional<Job> next = ValueOrFail(store.ClaimNext());
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->merge_sha, "aaa");
  EXPECT_FALSE(ValueOrFail(store.Claim(JobId("bbb", "envs/dev")))) << "aaa is running";
  ASSERT_TRUE(store.SetState(next->id, "succeeded", "").ok());
  EXPECT_TRUE(ValueOrFail(store.Claim(JobId("bbb", "envs/dev"))));
}

TEST_P(JobContractTest, StateChangesArePersisted) {
  std::string id = JobId("abc", "envs/dev");
  {
    auto db = Open();
    ASSERT_TRUE(db);
    JobStore store(*db, clock_);
    ASSERT_TRUE(store.Load().ok());
    ASSERT_TRUE(store.Enqueue(MakeJob("abc", "envs/dev")).ok());
    ASSERT_TRUE(store.SetState(id, "succeeded", "1 added").ok());
  }
  auto db = Open();
  ASSERT_TRUE(db);
  JobStore again(*db, clock_);
  ASSERT_TRUE(again.Load().ok());
  std::optional<Job> job = ValueOrFail(again.Get(id));
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->state, "succeeded");
  EXPECT_EQ(job->detail, "1 added");
  EXPECT_EQ(job->merge_sha, "abc");
  EXPECT_EQ(job->pull_request, 4);
  EXPECT_EQ(again.SetState("nope", "x", "").code(), StatusCode::kNotFound);
  EXPECT_FALSE(ValueOrFail(again.Get("nope")).has_value());
}

// A child process marks a job running and is killed with SIGKILL, as a crash mid-apply.
TEST_P(JobContractTest, RunningJobCutOffByKillBecomesInterrupted) {
  std::string id = JobId("abc", "envs/dev");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ManualClock clock;
    auto db = OpenStateDatabase({.work_dir = dir_, .postgres_url = Secret(url_)});
    if (!db.ok()) _exit(3);
    JobStore store(**db, clock);
    (void)store.Load();
    (void)store.Enqueue(MakeJob("abc", "envs/dev"));
    (void)store.Enqueue(MakeJob("def", "envs/dev"));
    (void)store.Claim(id);
    kill(getpid(), SIGKILL);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with " << WEXITSTATUS(status);
  auto db = Open();
  ASSERT_TRUE(db);
  JobStore store(*db, clock_);
  if (GetParam() == Backend::kPostgres) {
    // Replicas share PostgreSQL: a process starting cannot tell a dead holder from a live
    // replica until the holder's lease has passed (default 3600 s without renewal).
    ASSERT_TRUE(ValueOrFail(store.Load()).empty());
    clock_.Advance(std::chrono::seconds(3601));
  }
  auto interrupted = store.Load();
  ASSERT_TRUE(interrupted.ok());
  ASSERT_EQ(interrupted->size(), 1u);
  EXPECT_EQ((*interrupted)[0].id, id);
  EXPECT_EQ(ValueOrFail(store.Get(id))->state, "interrupted");
  EXPECT_EQ(ValueOrFail(store.WithState("queued")).size(), 1u);  // the other job is still queued
}

// Workers on two replicas all try to claim the same job: the database grants it once.
TEST_P(JobContractTest, ClaimIsGrantedOncePerMergeAndProjectAcrossReplicas) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  JobStore a(*first, clock_);
  JobStore b(*second, clock_);
  ASSERT_TRUE(*a.Enqueue(MakeJob("abc", "envs/dev")));
  ASSERT_TRUE(*b.Enqueue(MakeJob("abc", "envs/prod")));
  const std::string dev = JobId("abc", "envs/dev");
  std::atomic<int> granted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 6; ++t) {
    workers.emplace_back([&, t] {
      Result<bool> claimed = (t % 2 == 0 ? a : b).Claim(dev);
      if (!claimed.ok()) ++errors;
      if (claimed.ok() && *claimed) ++granted;
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(granted.load(), 1);
  EXPECT_EQ(ValueOrFail(b.Get(dev))->state, "running");
  // The other project of the same merge is its own job; a finished job is never claimed.
  EXPECT_TRUE(ValueOrFail(b.Claim(JobId("abc", "envs/prod"))));
  ASSERT_TRUE(a.SetState(dev, "applied", "").ok());
  EXPECT_FALSE(ValueOrFail(b.Claim(dev)));
  EXPECT_EQ(b.Claim("nope").status().code(), StatusCode::kNotFound);
}

// Replicas scanning the same merge at once enqueue it once.
TEST_P(JobContractTest, ConcurrentEnqueueOnTwoReplicasMakesOneJob) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  JobStore a(*first, clock_);
  JobStore b(*second, clock_);
  std::atomic<int> added{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        Result<bool> r = (t % 2 == 0 ? a : b).Enqueue(MakeJob("sha" + std::to_string(i), "p"));
        if (!r.ok()) ++errors;
        if (r.ok() && *r) ++added;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(added.load(), 10);
  EXPECT_EQ(ValueOrFail(a.All()).size(), 10u);
}

DATAMCP_STATE_CONTRACT(JobContractTest);

}  // namespace
}  // namespace datamcp::state::testing
