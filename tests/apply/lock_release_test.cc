// Releasing a project's lock re-plans the pull requests that waited for it, whichever door
// the release came through (reconciler, `/datamcp unlock`, `datamcp unlock`). Real parts:
// git CLI remote, libgit2 engine, real terraform, GithubForge on the fake GitHub.
#include "gitops/proposal/lock_release.h"

#include "tests/apply/unreviewed_push_fixture.h"

namespace datamcp::apply::testing {
namespace {

proposal::ProposalRequest Request(const std::string& name) {
  proposal::ProposalRequest r;
  r.tool = "propose_change";
  r.env = "local";
  r.title = name;
  r.description = "adds " + name;
  r.requester = "alice";
  r.request_id = "req-" + name;
  r.idempotency_key = "key-" + name;
  r.build = [name](git::Repository&, const std::string&, const repo::RepoConfig&) {
    return Result<git::ChangeSet>(
        git::ChangeSet{{kProject + "/" + name + ".tf", Resource(name), git::FileMode::kRegular}});
  };
  return r;
}

int HolderOf(Stack& stack, const std::string& project) {
  auto locks = stack.locks.List();
  EXPECT_TRUE(locks.ok()) << locks.status().ToString();
  if (!locks.ok()) return 0;
  for (const auto& lock : *locks) {
    if (lock.project == project) return lock.pull_request;
  }
  return 0;
}

}  // namespace

class LockReleaseTest : public UnreviewedPushTest {
 protected:
  // Two proposals on one project: the first holds the lock, the second waits for it. The
  // fake GitHub learns each pull request's real head, so re-planning reads it from git.
  std::pair<int, int> HolderAndWaiter(Stack& stack) {
    auto holder = stack.proposals.Propose(Request("first"));
    auto waiter = stack.proposals.Propose(Request("second"));
    EXPECT_TRUE(holder.ok()) << holder.status().ToString();
    EXPECT_TRUE(waiter.ok()) << waiter.status().ToString();
    if (!holder.ok() || !waiter.ok()) return {0, 0};
    for (const auto* r : {&*holder, &*waiter}) {
      EXPECT_TRUE(
          fake_->Control("pulls/" + std::to_string(r->number), {{"head_sha", r->commit}}).ok());
    }
    EXPECT_NE(
        waiter->plan.projects.at(0).blocked.find("locked by #" + std::to_string(holder->number)),
        std::string::npos)
        << waiter->plan.projects.at(0).blocked;
    return {holder->number, waiter->number};
  }
};

namespace {

TEST_F(LockReleaseTest, ReleasingAProjectReplansItsWaiterWhichTakesTheLock) {
  Bootstrap("alert");
  auto stack = NewStack();
  auto [holder, waiter] = HolderAndWaiter(*stack);
  ASSERT_GT(waiter, 0);
  auto replanned = proposal::ReleaseProject(stack->locks, stack->proposals, kProject);
  ASSERT_TRUE(replanned.ok()) << replanned.status().ToString();
  ASSERT_EQ(replanned->size(), 1u);
  EXPECT_EQ((*replanned)[0].pull_request, waiter);
  ASSERT_TRUE((*replanned)[0].outcome.ok()) << (*replanned)[0].outcome.status().ToString();
  EXPECT_EQ((*replanned)[0].outcome->projects.at(0).blocked, "");
  EXPECT_EQ(HolderOf(*stack, kProject), waiter);
  EXPECT_NE(HolderOf(*stack, kProject), holder);
}

TEST_F(LockReleaseTest, UnlockByTheHolderReleasesWhatItHolds) {
  Bootstrap("alert");
  auto stack = NewStack();
  auto [holder, waiter] = HolderAndWaiter(*stack);
  ASSERT_GT(waiter, 0);
  auto none = proposal::ReleaseHeldBy(stack->locks, stack->proposals, waiter);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "the waiter holds nothing";
  EXPECT_EQ(HolderOf(*stack, kProject), holder);
  auto replanned = proposal::ReleaseHeldBy(stack->locks, stack->proposals, holder);
  ASSERT_TRUE(replanned.ok()) << replanned.status().ToString();
  ASSERT_EQ(replanned->size(), 1u);
  EXPECT_EQ((*replanned)[0].pull_request, waiter);
  EXPECT_EQ(HolderOf(*stack, kProject), waiter);
}

TEST_F(LockReleaseTest, AFinishedPullRequestIsForgottenAsAWaiterToo) {
  Bootstrap("alert");
  auto stack = NewStack();
  auto [holder, waiter] = HolderAndWaiter(*stack);
  ASSERT_GT(waiter, 0);
  // The waiter is closed first: releasing the holder then has nobody to re-plan.
  auto closed = proposal::ReleaseFinished(stack->locks, stack->proposals, waiter);
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_TRUE(closed->empty());
  auto released = proposal::ReleaseFinished(stack->locks, stack->proposals, holder);
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_TRUE(released->empty());
  EXPECT_EQ(HolderOf(*stack, kProject), 0);
}

TEST_F(LockReleaseTest, ReleasingAnUnlockedProjectIsNotFound) {
  Bootstrap("alert");
  auto stack = NewStack();
  auto r = proposal::ReleaseProject(stack->locks, stack->proposals, kProject);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
}

}  // namespace
}  // namespace datamcp::apply::testing
