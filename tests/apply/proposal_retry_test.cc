// Finding 6 of issue #11: a crash between pushing a proposal's branch and opening its pull
// request left an orphan branch, and every retry with the same idempotency key failed with
// "remote ... is at ..., expected nothing". Real parts: git CLI remote, libgit2 engine, real
// terraform, GithubForge on the fake GitHub.
#include "gitops/common/digest.h"
#include "tests/apply/unreviewed_push_fixture.h"

namespace datamcp::apply::testing {
namespace {

using ProposalRetryTest = UnreviewedPushTest;

proposal::ProposalRequest Request() {
  proposal::ProposalRequest r;
  r.tool = "propose_change";
  r.env = "local";
  r.title = "orphan";
  r.description = "retried after a crash";
  r.requester = "alice";
  r.request_id = "req-1";
  r.idempotency_key = "key-1";
  r.build = [](git::Repository&, const std::string&, const repo::RepoConfig&) {
    return Result<git::ChangeSet>(
        git::ChangeSet{{kProject + "/extra.tf", Resource("extra"), git::FileMode::kRegular}});
  };
  return r;
}

TEST_F(ProposalRetryTest, RetryWithTheSameKeyCompletesAnOrphanBranch) {
  Bootstrap("alert");
  // What the crashed attempt left: the branch, pushed with the request's trailers, no PR.
  const std::string branch = "datamcp/local/orphan-" + Sha256Hex("alice\nkey-1").substr(0, 8);
  git_.Git("checkout -q -b " + branch);
  git_.Write(kProject + "/extra.tf", Resource("extra"));
  git_.Git("add -A");
  git_.Git(
      "commit -q -m orphan -m 'Datamcp-Tool: propose_change\nDatamcp-Requested-By: alice\n"
      "Datamcp-Request-Id: req-1\nDatamcp-Env: local\nDatamcp-Idempotency-Key: key-1'");
  git_.Git("push -q origin HEAD:refs/heads/" + branch);
  const std::string orphan = test::Trim(git_.GitOut("rev-parse HEAD"));
  git_.Git("checkout -q main");

  auto stack = NewStack();
  auto retried = stack->proposals.Propose(Request());
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->branch, branch);
  EXPECT_EQ(retried->commit, orphan);
  EXPECT_TRUE(retried->reused);
  auto pr = forge_->GetPullRequest(retried->number);
  ASSERT_TRUE(pr.ok()) << pr.status().ToString();
  EXPECT_EQ(pr->head_ref, branch);
  // A third call finds the now open pull request.
  auto again = stack->proposals.Propose(Request());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->number, retried->number);
}

TEST_F(ProposalRetryTest, SomeoneElsesBranchUnderTheSameNameIsNotTakenOver) {
  Bootstrap("alert");
  const std::string branch = "datamcp/local/orphan-" + Sha256Hex("alice\nkey-1").substr(0, 8);
  git_.Git("checkout -q -b " + branch);
  git_.Write(kProject + "/extra.tf", Resource("other"));
  git_.Git("add -A");
  git_.Git("commit -q -m 'not from the bot'");
  git_.Git("push -q origin HEAD:refs/heads/" + branch);
  git_.Git("checkout -q main");
  auto stack = NewStack();
  auto r = stack->proposals.Propose(Request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
}

// Fault injection (issue 11): the git server refuses the push in the middle of a proposal
// (a pre-receive hook, run by the real `git receive-pack`). The agent is told, nothing is left
// behind (no branch, no pull request), and the retry with the same key completes it once.
TEST_F(ProposalRetryTest, PushRefusedMidProposalLeavesNothingAndTheRetryCompletes) {
  Bootstrap("alert");
  const fs::path hook = fs::path(git_.bare()) / "hooks" / "pre-receive";
  {
    std::ofstream out(hook);
    out << "#!/bin/sh\necho 'refusing pushes for maintenance' >&2\nexit 1\n";
  }
  fs::permissions(hook, fs::perms::owner_all);
  auto stack = NewStack();
  auto refused = stack->proposals.Propose(Request());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("refused branch"), std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(test::Trim(git_.BareOut("for-each-ref refs/heads/datamcp")), "")
      << "no branch is left on the server";
  EXPECT_TRUE(test::ValueOrFail(forge_->ListOpenPullRequests()).empty());

  fs::remove(hook);
  auto retried = stack->proposals.Propose(Request());
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  auto open = test::ValueOrFail(forge_->ListOpenPullRequests());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].number, retried->number);
  EXPECT_EQ(test::Trim(git_.BareOut("rev-parse refs/heads/" + retried->branch)), retried->commit);
}

}  // namespace
}  // namespace datamcp::apply::testing
