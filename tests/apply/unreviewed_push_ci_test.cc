// Unreviewed pushes under `require_ci_green`: CI runs after a push, so an apply waits for
// its result (fixture: unreviewed_push_fixture.h).
#include "tests/apply/unreviewed_push_fixture.h"

namespace datamcp::apply::testing {
namespace {

TEST_F(UnreviewedPushTest, ApplyPolicyWaitsForCiAndAppliesWhenItIsGreen) {
  Bootstrap("apply", /*require_ci=*/true);
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  auto stack = NewStack();
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  EXPECT_TRUE(Notes(*stack, sha, "apply").empty()) << "no CI result yet: nothing is decided";
  ASSERT_EQ(QueuedJobs(*stack).size(), 1u);
  EXPECT_NE(AllJobs(*stack)[0].detail.find("waiting for CI"), std::string::npos);

  ASSERT_TRUE(stack->repo.AddNote(sha, R"({"type":"ci","conclusion":"success"})").ok());
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  auto applies = Notes(*stack, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["result"], "applied") << applies[0].dump(2);
  EXPECT_TRUE(Applied("direct"));
}

// Applying the later push first and the earlier one after it would undo the later one.
TEST_F(UnreviewedPushTest, LaterPushWaitsBehindAnEarlierOneStillWaitingForCi) {
  Bootstrap("apply", /*require_ci=*/true);
  std::string first = Push(kProject + "/one.tf", Resource("one"), "first");
  auto stack = NewStack();
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());  // queued, waiting for CI
  std::string second = Push(kProject + "/two.tf", Resource("two"), "second");
  ASSERT_TRUE(stack->repo.Fetch().ok());  // as the workflow_run handler does
  ASSERT_TRUE(stack->repo.AddNote(second, R"({"type":"ci","conclusion":"success"})").ok());
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  EXPECT_TRUE(Notes(*stack, second, "apply").empty()) << "applied before the earlier push";
  EXPECT_EQ(QueuedJobs(*stack).size(), 2u);

  ASSERT_TRUE(stack->repo.AddNote(first, R"({"type":"ci","conclusion":"success"})").ok());
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  ASSERT_EQ(Notes(*stack, first, "apply").size(), 1u);
  ASSERT_EQ(Notes(*stack, second, "apply").size(), 1u);
  EXPECT_EQ(Notes(*stack, second, "apply")[0]["result"], "applied");
  EXPECT_TRUE(Applied("one"));
  EXPECT_TRUE(Applied("two")) << "the earlier push was applied last";
}

TEST_F(UnreviewedPushTest, ApplyPolicyRefusesAPushWhoseCiFailed) {
  Bootstrap("apply", /*require_ci=*/true);
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  auto stack = NewStack();
  ASSERT_TRUE(stack->repo.AddNote(sha, R"({"type":"ci","conclusion":"failure"})").ok());
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  auto applies = Notes(*stack, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["result"], "refused");
  EXPECT_NE(applies[0]["summary"].get<std::string>().find("'failure'"), std::string::npos);
  EXPECT_FALSE(fs::exists(StateFile()));
}

TEST_F(UnreviewedPushTest, ApplyPolicyGivesUpWaitingForCiAfterTheWait) {
  Bootstrap("apply", /*require_ci=*/true);
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  auto stack = NewStack();
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  EXPECT_TRUE(Notes(*stack, sha, "apply").empty());
  clock_.Advance(std::chrono::hours(2));
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  auto applies = Notes(*stack, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["result"], "refused");
  EXPECT_NE(applies[0]["summary"].get<std::string>().find("'none'"), std::string::npos);
}

// The wait is measured on the monotonic clock: a wall clock stepped 3 hours forward does not
// end it (the push was refused at once when it counted from the job's created_at), and one
// stepped 5 hours back does not stretch it.
TEST_F(UnreviewedPushTest, WallClockStepsNeitherEndNorStretchTheWaitForCi) {
  Bootstrap("apply", /*require_ci=*/true);
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  auto stack = NewStack();
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  wall_.Step(std::chrono::hours(3));
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  EXPECT_TRUE(Notes(*stack, sha, "apply").empty()) << "still waiting for CI";
  ASSERT_EQ(QueuedJobs(*stack).size(), 1u);

  wall_.Step(-std::chrono::hours(5));
  clock_.Advance(std::chrono::minutes(61));
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  auto applies = Notes(*stack, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["result"], "refused");
  EXPECT_NE(applies[0]["summary"].get<std::string>().find("'none'"), std::string::npos);
}

TEST_F(UnreviewedPushTest, MalformedCiNotesNeitherGreenNorBlockCi) {
  Bootstrap("apply", /*require_ci=*/true);
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  auto stack = NewStack();
  ASSERT_TRUE(stack->repo.AddNote(sha, R"({"type":"ci","conclusion":true})").ok());
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  EXPECT_TRUE(Notes(*stack, sha, "apply").empty()) << "a malformed ci note is not a success";
  ASSERT_TRUE(stack->repo.AddNote(sha, R"({"type":"ci","conclusion":"success"})").ok());
  ASSERT_TRUE(stack->repo.AddNote(sha, R"({"type":"ci"})").ok());
  ASSERT_TRUE(stack->repo.AddNote(sha, R"({"type":"ci","conclusion":["failure"]})").ok());
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  auto applies = Notes(*stack, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["result"], "applied") << applies[0].dump(2);
}

}  // namespace
}  // namespace datamcp::apply::testing
