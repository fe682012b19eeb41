#include "gitops/jobs/job_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/run.h"

namespace datamcp::jobs {
namespace {

class JobStoreTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Job MakeJob(const std::string& sha, const std::string& project) {
    return Job{.project = project, .kind = "terraform", .pull_request = 4, .merge_sha = sha};
  }
  std::string dir_ = test::TempDir("jobs");
  ManualClock clock_;
};

TEST_F(JobStoreTest, SameMergeAndProjectIsOneJob) {
  JobStore store(dir_, clock_);
  ASSERT_TRUE(store.Load().ok());
  EXPECT_TRUE(*store.Enqueue(MakeJob("abc", "envs/dev")));
  EXPECT_FALSE(*store.Enqueue(MakeJob("abc", "envs/dev")));
  EXPECT_TRUE(*store.Enqueue(MakeJob("abc", "envs/prod")));
  EXPECT_EQ(store.WithState("queued").size(), 2u);
}

// Jobs enqueued in the same second keep their order, also after a restart (the order of
// commits on the default branch, which a project's applies must follow).
TEST_F(JobStoreTest, JobsOfOneSecondRunInEnqueueOrderAcrossARestart) {
  std::vector<std::string> shas = {"fff", "aaa", "ccc", "bbb"};  // not in id order
  {
    JobStore store(dir_, clock_);
    ASSERT_TRUE(store.Load().ok());
    for (const auto& sha : shas) ASSERT_TRUE(*store.Enqueue(MakeJob(sha, "envs/dev")));
  }
  JobStore again(dir_, clock_);
  ASSERT_TRUE(again.Load().ok());
  ASSERT_TRUE(*again.Enqueue(MakeJob("000", "envs/dev")));
  std::vector<std::string> order;
  for (const auto& job : again.WithState("queued")) order.push_back(job.merge_sha);
  EXPECT_EQ(order, (std::vector<std::string>{"fff", "aaa", "ccc", "bbb", "000"}));
}

TEST_F(JobStoreTest, StateChangesArePersisted) {
  std::string id = JobId("abc", "envs/dev");
  {
    JobStore store(dir_, clock_);
    ASSERT_TRUE(store.Load().ok());
    ASSERT_TRUE(store.Enqueue(MakeJob("abc", "envs/dev")).ok());
    ASSERT_TRUE(store.SetState(id, "succeeded", "1 added").ok());
  }
  JobStore again(dir_, clock_);
  ASSERT_TRUE(again.Load().ok());
  ASSERT_TRUE(again.Get(id).has_value());
  EXPECT_EQ(again.Get(id)->state, "succeeded");
  EXPECT_EQ(again.Get(id)->detail, "1 added");
  EXPECT_EQ(again.SetState("nope", "x", "").code(), StatusCode::kNotFound);
}

// A child process marks a job running and is killed with SIGKILL, as a crash mid-apply.
TEST_F(JobStoreTest, RunningJobCutOffByKillBecomesInterrupted) {
  std::string id = JobId("abc", "envs/dev");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ManualClock clock;
    JobStore store(dir_, clock);
    (void)store.Load();
    (void)store.Enqueue(MakeJob("abc", "envs/dev"));
    (void)store.Enqueue(MakeJob("def", "envs/dev"));
    (void)store.SetState(id, "running", "");
    kill(getpid(), SIGKILL);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  JobStore store(dir_, clock_);
  auto interrupted = store.Load();
  ASSERT_TRUE(interrupted.ok());
  ASSERT_EQ(interrupted->size(), 1u);
  EXPECT_EQ((*interrupted)[0].id, id);
  EXPECT_EQ(store.Get(id)->state, "interrupted");
  EXPECT_EQ(store.WithState("queued").size(), 1u);  // the other job is still queued
}

}  // namespace
}  // namespace datamcp::jobs
