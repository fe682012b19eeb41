// propose_rollback's change set (#16): what a merged proposal is reverted to, and every
// refusal, on a real repository (git CLI writes, `git daemon` serves, the libgit2 engine reads).
#include "gitops/proposal/rollback.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "gitops/git/libgit2_repository.h"
#include "tests/git/git_servers.h"
#include "tests/support/git_fixture.h"

namespace datamcp::proposal {
namespace {

namespace fs = std::filesystem;
const std::string kRoot = "infra/terraform/envs/local";
const std::string kProposal = "Datamcp-Tool: propose_change\nDatamcp-Env: local";

class RollbackChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fx_.Write(kRoot + "/main.tf", "# main v1\n");
    fx_.Write(kRoot + "/gone.tf", "# to be deleted\n");
    fx_.Write(kRoot + "/run.sh", "#!/bin/sh\n");
    fs::permissions(fs::path(fx_.root()) / "work" / kRoot / "run.sh", fs::perms::owner_exec,
                    fs::perm_options::add);
    fx_.Git("add -A");
    fx_.Git("commit -q -m bootstrap");
    fx_.Git("push -q origin HEAD:main");
    ASSERT_TRUE(daemon_.running());
  }

  // A branch with one commit whose message ends in `trailers`, merged into main with
  // --no-ff as a forge does; returns {head, merge}.
  std::pair<std::string, std::string> Merge(const std::string& branch,
                                            const std::map<std::string, std::string>& files,
                                            const std::vector<std::string>& removed,
                                            const std::string& trailers) {
    fx_.Git("fetch -q origin");
    fx_.Git("checkout -q -B " + branch + " origin/main");
    for (const auto& [path, content] : files) fx_.Write(path, content);
    for (const auto& path : removed) fx_.Git("rm -q " + path);
    fx_.Git("add -A");
    fx_.Git("commit -q -m 'the change' -m '" + trailers + "'");
    std::string head = Out("rev-parse HEAD");
    fx_.Git("checkout -q -B main origin/main");
    fx_.Git("merge -q --no-ff " + branch + " -m 'Merge pull request #1 from octo/" + branch + "'");
    fx_.Git("push -q origin main");
    return {head, Out("rev-parse HEAD")};
  }

  // Commits `files` straight on main (another merge); returns the new tip.
  std::string OnMain(const std::map<std::string, std::string>& files, const std::string& title) {
    fx_.Git("fetch -q origin");
    fx_.Git("checkout -q -B main origin/main");
    for (const auto& [path, content] : files) fx_.Write(path, content);
    fx_.Git("add -A");
    fx_.Git("commit -q -m '" + title + "'");
    fx_.Git("push -q origin main");
    return Out("rev-parse HEAD");
  }

  std::string Out(const std::string& args) { return test::Trim(fx_.GitOut(args)); }

  Result<git::ChangeSet> Rollback(const std::string& head, const std::string& merge,
                                  const std::string& env = "local") {
    EXPECT_TRUE(repo_.Fetch().ok());
    auto base = repo_.ResolveRef("main");
    EXPECT_TRUE(base.ok());
    return RollbackChanges(repo_, base.ok() ? *base : "", "main", env, {1, merge, head});
  }

  static git::Libgit2RepositoryOptions RepoOptions(const std::string& dir, const std::string& url) {
    git::Libgit2RepositoryOptions o;
    o.mirror_path = (fs::path(dir) / "mirror.git").string();
    o.remote.url = url;
    o.committer = {"DataMCP", "datamcp@localhost"};
    return o;
  }

  test::GitFixture fx_;
  git::testing::GitDaemon daemon_{fx_.root(), fx_.root()};
  std::string dir_ = test::MakeTempDir("rollback");
  ManualClock clock_;
  git::Libgit2Repository repo_{RepoOptions(dir_, daemon_.Url("origin")), clock_};
};

TEST_F(RollbackChangesTest, RevertsExactlyTheMergedFilesWithTheirModes) {
  ASSERT_TRUE(repo_.Mirror().ok());
  auto [head, merge] = Merge("datamcp/local/x",
                             {{kRoot + "/main.tf", "# main v2\n"}, {kRoot + "/new.tf", "# new\n"}},
                             {kRoot + "/gone.tf", kRoot + "/run.sh"}, kProposal);
  auto changes = Rollback(head, merge);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  std::map<std::string, git::FileChange> by_path;
  for (const auto& c : *changes) by_path[c.path] = c;
  ASSERT_EQ(by_path.size(), 4u);
  EXPECT_EQ(by_path[kRoot + "/main.tf"].content, "# main v1\n");
  EXPECT_EQ(by_path[kRoot + "/main.tf"].mode, git::FileMode::kRegular);
  EXPECT_EQ(by_path[kRoot + "/new.tf"].mode, git::FileMode::kDelete);
  EXPECT_EQ(by_path[kRoot + "/gone.tf"].content, "# to be deleted\n");
  EXPECT_EQ(by_path[kRoot + "/run.sh"].content, "#!/bin/sh\n");
  EXPECT_EQ(by_path[kRoot + "/run.sh"].mode, git::FileMode::kExecutable);

  auto trailers = RollbackTrailers({7, merge, head});
  ASSERT_EQ(trailers.size(), 2u);
  EXPECT_EQ(trailers[0], (std::pair<std::string, std::string>{"Datamcp-Rollback-Of", merge}));
  EXPECT_EQ(trailers[1].second, "7");
}

TEST_F(RollbackChangesTest, FindsTheProposalThroughTheMergeWhenTheForgeHeadIsUnknown) {
  ASSERT_TRUE(repo_.Mirror().ok());
  auto [head, merge] = Merge("datamcp/local/x", {{kRoot + "/new.tf", "# new\n"}}, {}, kProposal);
  auto changes = Rollback(std::string(40, 'a'), merge);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->front().mode, git::FileMode::kDelete);
}

TEST_F(RollbackChangesTest, RefusesWhatDataMcpDidNotPropose) {
  ASSERT_TRUE(repo_.Mirror().ok());
  // "Datamcp-Tool" in the body, not in the trailer block, does not make it a proposal.
  auto [head, merge] = Merge("human/x", {{kRoot + "/new.tf", "# new\n"}}, {},
                             "Datamcp-Tool: propose_change\n\nSigned-off-by: a human");
  auto changes = Rollback(head, merge);
  EXPECT_EQ(changes.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(changes.status().message().find("pull request #1 was not proposed through DataMCP"),
            std::string::npos)
      << changes.status().message();
}

TEST_F(RollbackChangesTest, RefusesAnotherEnvironment) {
  ASSERT_TRUE(repo_.Mirror().ok());
  auto [head, merge] = Merge("datamcp/local/x", {{kRoot + "/new.tf", "# new\n"}}, {}, kProposal);
  auto changes = Rollback(head, merge, "prod");
  EXPECT_EQ(changes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(changes.status().message(),
            "environment: pull request #1 was proposed for 'local', not 'prod'; roll it back in "
            "'local'");
}

TEST_F(RollbackChangesTest, RefusesAnUnknownCommitAndOneNotOnTheDefaultBranch) {
  ASSERT_TRUE(repo_.Mirror().ok());
  auto unknown = Rollback("", std::string(40, 'f'));
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("ffffffffffff is not in the GitOps repository"),
            std::string::npos)
      << unknown.status().message();

  std::string elsewhere = fx_.CommitOnBranch("side", {{kRoot + "/side.tf", "# side\n"}});
  auto off = Rollback(elsewhere, elsewhere);
  EXPECT_EQ(off.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(off.status().message().find("which is not on main"), std::string::npos)
      << off.status().message();
}

TEST_F(RollbackChangesTest, AlreadyRolledBackNamesTheCommitThatDidIt) {
  ASSERT_TRUE(repo_.Mirror().ok());
  auto [head, merge] =
      Merge("datamcp/local/x", {{kRoot + "/main.tf", "# main v2\n"}}, {}, kProposal);
  std::string undo = OnMain({{kRoot + "/main.tf", "# main v1\n"}}, "Put main back");
  auto changes = Rollback(head, merge);
  EXPECT_EQ(changes.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(changes.status().message().find("pull request #1 is already rolled back on main"),
            std::string::npos)
      << changes.status().message();
  EXPECT_NE(changes.status().message().find(undo.substr(0, 12) + " \"Put main back\""),
            std::string::npos)
      << changes.status().message();
}

TEST_F(RollbackChangesTest, AFileChangedSinceTheMergeIsLeftToAHuman) {
  ASSERT_TRUE(repo_.Mirror().ok());
  auto [head, merge] =
      Merge("datamcp/local/x",
            {{kRoot + "/main.tf", "# main v2\n"}, {kRoot + "/new.tf", "# new\n"}}, {}, kProposal);
  OnMain({{kRoot + "/new.tf", "# new, edited\n"}}, "Edit new");
  auto changes = Rollback(head, merge);
  EXPECT_EQ(changes.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(changes.status().message().find(kRoot + "/new.tf changed after pull request #1"),
            std::string::npos)
      << changes.status().message();
}

}  // namespace
}  // namespace datamcp::proposal
