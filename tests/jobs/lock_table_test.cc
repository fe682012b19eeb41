#include "gitops/jobs/lock_table.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/run.h"

namespace datamcp::jobs {
namespace {

class LockTableTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_ = test::TempDir("locks");
  std::string file_ = dir_ + "/locks.json";
  ManualClock clock_;
};

TEST_F(LockTableTest, SecondPullRequestIsTurnedAwayWithHolderNamed) {
  LockTable t(file_, clock_);
  ASSERT_TRUE(t.Acquire("envs/dev", 1, "aaa").ok());
  ASSERT_TRUE(t.Acquire("envs/dev", 1, "bbb").ok());  // the holder re-plans a new head
  Status s = t.Acquire("envs/dev", 2, "ccc");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("locked by #1"), std::string::npos);
  EXPECT_TRUE(t.Acquire("envs/prod", 2, "ccc").ok());  // other projects are independent
  ASSERT_EQ(t.List().size(), 2u);
  EXPECT_EQ(t.List()[0].head_sha, "bbb");
}

TEST_F(LockTableTest, ReleaseHandsBackWaitersForReplanning) {
  LockTable t(file_, clock_);
  ASSERT_TRUE(t.Acquire("envs/dev", 1, "a").ok());
  EXPECT_FALSE(t.Acquire("envs/dev", 2, "b").ok());
  EXPECT_FALSE(t.Acquire("envs/dev", 3, "c").ok());
  auto woken = t.ReleaseAll(1);
  ASSERT_TRUE(woken.ok());
  EXPECT_EQ(*woken, (std::vector<int>{2, 3}));
  EXPECT_TRUE(t.List().empty());
  EXPECT_TRUE(t.Acquire("envs/dev", 2, "b").ok());
}

TEST_F(LockTableTest, AdminReleaseOfUnlockedProjectIsNotFound) {
  LockTable t(file_, clock_);
  EXPECT_EQ(t.Release("envs/dev").status().code(), StatusCode::kNotFound);
}

TEST_F(LockTableTest, LocksAndWaitersSurviveRestart) {
  {
    LockTable t(file_, clock_);
    ASSERT_TRUE(t.Acquire("envs/dev", 7, "a").ok());
    EXPECT_FALSE(t.Acquire("envs/dev", 8, "b").ok());
  }
  LockTable again(file_, clock_);
  ASSERT_TRUE(again.Load().ok());
  ASSERT_EQ(again.List().size(), 1u);
  EXPECT_EQ(again.List()[0].pull_request, 7);
  auto woken = again.Release("envs/dev");
  ASSERT_TRUE(woken.ok());
  EXPECT_EQ(*woken, std::vector<int>{8});
}

}  // namespace
}  // namespace datamcp::jobs
