// The lock table's contract on every backend: one holder per project (also when replicas race
// for it), pull requests turned away remembered as waiters and handed back on release, and
// both surviving a restart.
#include <atomic>
#include <thread>

#include "gitops/jobs/lock_table.h"
#include "tests/state/state_contract.h"
#include "tests/support/state_db.h"

namespace datamcp::state::testing {
namespace {

using jobs::LockTable;
using test::ValueOrFail;

class LockContractTest : public StateContractTest {};

TEST_P(LockContractTest, SecondPullRequestIsTurnedAwayWithHolderNamed) {
  auto db = Open();
  ASSERT_TRUE(db);
  LockTable t(*db, clock_);
  ASSERT_TRUE(t.Acquire("envs/dev", 1, "aaa").ok());
  ASSERT_TRUE(t.Acquire("envs/dev", 1, "bbb").ok());  // the holder re-plans a new head
  Status s = t.Acquire("envs/dev", 2, "ccc");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("locked by #1"), std::string::npos);
  EXPECT_TRUE(t.Acquire("envs/prod", 2, "ccc").ok());  // other projects are independent
  auto locks = ValueOrFail(t.List());
  ASSERT_EQ(locks.size(), 2u);
  EXPECT_EQ(locks[0].head_sha, "bbb");
  EXPECT_EQ(locks[0].since, clock_.UnixSeconds());
}

TEST_P(LockContractTest, ReleaseHandsBackWaitersForReplanning) {
  auto db = Open();
  ASSERT_TRUE(db);
  LockTable t(*db, clock_);
  ASSERT_TRUE(t.Acquire("envs/dev", 1, "a").ok());
  EXPECT_FALSE(t.Acquire("envs/dev", 2, "b").ok());
  EXPECT_FALSE(t.Acquire("envs/dev", 3, "c").ok());
  auto woken = t.ReleaseAll(1);
  ASSERT_TRUE(woken.ok());
  EXPECT_EQ(*woken, (std::vector<int>{2, 3}));
  EXPECT_TRUE(ValueOrFail(t.List()).empty());
  EXPECT_TRUE(t.Acquire("envs/dev", 2, "b").ok());
}

TEST_P(LockContractTest, AdminReleaseOfUnlockedProjectIsNotFound) {
  auto db = Open();
  ASSERT_TRUE(db);
  LockTable t(*db, clock_);
  EXPECT_EQ(t.Release("envs/dev").status().code(), StatusCode::kNotFound);
}

TEST_P(LockContractTest, LocksAndWaitersSurviveRestart) {
  {
    auto db = Open();
    ASSERT_TRUE(db);
    LockTable t(*db, clock_);
    ASSERT_TRUE(t.Acquire("envs/dev", 7, "a").ok());
    EXPECT_FALSE(t.Acquire("envs/dev", 8, "b").ok());
  }
  auto db = Open();
  ASSERT_TRUE(db);
  LockTable again(*db, clock_);
  auto locks = ValueOrFail(again.List());
  ASSERT_EQ(locks.size(), 1u);
  EXPECT_EQ(locks[0].pull_request, 7);
  auto woken = again.Release("envs/dev");
  ASSERT_TRUE(woken.ok());
  EXPECT_EQ(*woken, std::vector<int>{8});
}

// Pull requests planned on two replicas at once race for one project: one holds it, every
// other one is a waiter handed back when it is released.
TEST_P(LockContractTest, ReplicasRacingForOneProjectGetOneHolder) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  LockTable a(*first, clock_);
  LockTable b(*second, clock_);
  std::atomic<int> holders{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int pr = 1; pr <= 6; ++pr) {
    threads.emplace_back([&, pr] {
      Status s = (pr % 2 == 0 ? a : b).Acquire("envs/dev", pr, "head" + std::to_string(pr));
      if (s.ok()) ++holders;
      if (!s.ok() && s.code() != StatusCode::kFailedPrecondition) ++errors;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  ASSERT_EQ(holders.load(), 1);
  auto locks = ValueOrFail(a.List());
  ASSERT_EQ(locks.size(), 1u);
  const int holder = locks[0].pull_request;
  EXPECT_EQ(locks[0].head_sha, "head" + std::to_string(holder));
  auto woken = ValueOrFail(b.ReleaseAll(holder));
  std::vector<int> others;
  for (int pr = 1; pr <= 6; ++pr)
    if (pr != holder) others.push_back(pr);
  EXPECT_EQ(woken, others);
}

DATAMCP_STATE_CONTRACT(LockContractTest);

}  // namespace
}  // namespace datamcp::state::testing
