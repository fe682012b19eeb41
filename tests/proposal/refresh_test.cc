// Refreshing a proposal (#12): its branch rebuilt on the current default branch and re-planned,
// through the real parts: a bare repository served by `git daemon` on 127.0.0.1, the libgit2
// engine, the local forge on that repository, real terraform (terraform_data, local backend)
// and the lock table on the SQLite state database.
#include <gtest/gtest.h>

#include <filesystem>

#include "gitops/git/libgit2_repository.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/localforge/local_forge.h"
#include "gitops/process/posix_process_runner.h"
#include "gitops/proposal/proposal_service.h"
#include "tests/git/git_servers.h"
#include "tests/support/git_fixture.h"
#include "tests/support/state_db.h"
#include "tests/support/test_sandbox.h"

namespace datamcp::proposal {
namespace {

namespace fs = std::filesystem;
const std::string kRoot = "infra/terraform/envs/local";

std::string Resource(const std::string& name) {
  return "resource \"terraform_data\" \"" + name + "\" {\n  input = \"" + name + "\"\n}\n";
}

class RefreshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fx_.Write(
        "datamcp.yaml",
        "version: 1\nallowed_roots: [infra/terraform/envs, helm/values, helm/charts, argocd/apps]\n"
        "environments:\n"
        "  - name: local\n    terraform_root: " +
            kRoot + "\n");
    fx_.Write(kRoot + "/main.tf", "terraform {\n  backend \"local\" {}\n}\n" + Resource("base"));
    fx_.Git("add -A");
    fx_.Git("commit -q -m bootstrap");
    fx_.Git("push -q origin HEAD:main");
    ASSERT_TRUE(daemon_.running());
    ASSERT_TRUE(repo_.Mirror().ok());
  }

  // A proposal's branch as DataMCP writes it (one commit with trailers), opened on the forge.
  int Propose(const std::string& branch, const std::map<std::string, std::string>& files) {
    fx_.Git("fetch -q origin");
    fx_.Git("checkout -q -B " + branch + " origin/main");
    for (const auto& [path, content] : files) fx_.Write(path, content);
    fx_.Git("add -A");
    fx_.Git(
        "-c user.name=agent-7 -c user.email=agent-7@datamcp.invalid commit -q -m 'Add notes' "
        "-m 'Datamcp-Tool: propose_change\nDatamcp-Env: local'");
    fx_.Git("push -q -f origin " + branch);
    auto pr = store_.Open(branch, "main", "Add notes", "", "agent-7");
    EXPECT_TRUE(pr.ok()) << pr.status().ToString();
    return pr.ok() ? pr->number : 0;
  }

  // Moves main as a merge elsewhere would; returns the new tip.
  std::string MoveMain(const std::map<std::string, std::string>& files) {
    fx_.Git("fetch -q origin");
    fx_.Git("checkout -q -B main origin/main");
    for (const auto& [path, content] : files) fx_.Write(path, content);
    fx_.Git("add -A");
    fx_.Git("commit -q -m 'merged elsewhere'");
    fx_.Git("push -q origin main");
    return test::Trim(fx_.GitOut("rev-parse HEAD"));
  }

  std::string Bare(const std::string& args) { return test::Trim(fx_.BareOut(args)); }

  std::string PlanStatus(int number, const std::string& sha) {
    auto pr = store_.Get(number);
    EXPECT_TRUE(pr.ok());
    for (const auto& s : pr.ok() ? pr->statuses : std::vector<localforge::CommitStatus>{}) {
      if (s.sha == sha && s.context == "datamcp/plan") return s.state + ": " + s.description;
    }
    return "none";
  }

  static git::Libgit2RepositoryOptions RepoOptions(const std::string& dir, const std::string& url) {
    git::Libgit2RepositoryOptions o;
    o.mirror_path = (fs::path(dir) / "mirror.git").string();
    o.remote.url = url;
    o.committer = {"DataMCP", "datamcp@localhost"};
    return o;
  }
  static PlanServiceOptions PlanOptions(const std::string& dir) {
    PlanServiceOptions o;
    o.scratch_root = (fs::path(dir) / "scratch").string();
    o.state_root = (fs::path(dir) / "tfstate").string();
    o.terraform.plugin_cache_dir = (fs::path(dir) / "plugin-cache").string();
    o.terraform.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", dir}};
    o.terraform.timeout = std::chrono::seconds(120);
    return o;
  }

  test::GitFixture fx_;
  git::testing::GitDaemon daemon_{fx_.root(), fx_.root()};
  std::string dir_ = test::MakeTempDir("refresh");
  ManualClock clock_;
  git::Libgit2Repository repo_{RepoOptions(dir_, daemon_.Url("origin")), clock_};
  process::PosixProcessRunner runner_{&test_support::TestSandbox()};
  process::Masker masker_;
  PlanService planner_{repo_, runner_, masker_, PlanOptions(dir_)};
  std::unique_ptr<state::Database> db_ = test::OpenSqliteState(dir_);
  jobs::LockTable locks_{*db_, clock_};
  localforge::LocalPrStore store_{fx_.bare(), clock_, {}};
  localforge::LocalForge forge_{store_};
  ProposalService proposals_{repo_, forge_, planner_, locks_, clock_, ProposalServiceOptions{}};
};

TEST_F(RefreshTest, RebuildsTheBranchOnTheMovedDefaultBranchAndPlansTheResult) {
  int n = Propose("datamcp/local/notes", {{kRoot + "/notes.tf", Resource("notes")}});
  std::string old_head = Bare("rev-parse datamcp/local/notes");
  std::string main = MoveMain({{kRoot + "/orders.tf", Resource("orders")}});

  auto r = proposals_.Refresh(n, "local", "alice");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->rebuilt);
  EXPECT_TRUE(r->conflicts.empty());
  EXPECT_EQ(r->old_head, old_head);
  EXPECT_EQ(r->base, main);
  // The branch on the server is one commit on main holding both files, the proposal's
  // message and author kept, the refresh recorded.
  EXPECT_EQ(Bare("rev-parse datamcp/local/notes"), r->head);
  EXPECT_EQ(Bare("rev-parse datamcp/local/notes^"), main);
  EXPECT_EQ(Bare("ls-tree --name-only datamcp/local/notes " + kRoot + "/"),
            kRoot + "/main.tf\n" + kRoot + "/notes.tf\n" + kRoot + "/orders.tf");
  std::string message = fx_.BareOut("log -1 --format=%an%n%B datamcp/local/notes");
  EXPECT_NE(message.find("agent-7\nAdd notes"), std::string::npos) << message;
  EXPECT_NE(message.find("Datamcp-Env: local\nDatamcp-Refreshed-From: " + old_head +
                         "\nDatamcp-Refreshed-By: alice\n"),
            std::string::npos)
      << message;
  // The local forge follows the branch: the pull request's head is the rebuilt commit, and
  // the plan status is on it.
  EXPECT_EQ(store_.Get(n)->head_sha, r->head);
  ASSERT_TRUE(r->plan.has_value());
  EXPECT_EQ(r->plan->head, r->head);
  EXPECT_EQ(r->plan->status, "success") << r->plan->status_description;
  ASSERT_EQ(r->plan->projects.size(), 1u);
  // base, orders (from main) and notes: the merge's result, nothing destroyed.
  EXPECT_EQ(r->plan->projects[0].summary, "Plan: 3 to add, 0 to change, 0 to destroy.");
  EXPECT_EQ(PlanStatus(n, r->head).substr(0, 8), "success:");
  EXPECT_NE(RefreshSummary(*r).find("rebuilt on " + main.substr(0, 12)), std::string::npos);
}

TEST_F(RefreshTest, ConflictsNamePathsAndWhatToDoAndPushNothing) {
  int n = Propose(
      "datamcp/local/edit",
      {{kRoot + "/main.tf", "terraform {\n  backend \"local\" {}\n}\n" + Resource("from_branch")}});
  std::string old_head = Bare("rev-parse datamcp/local/edit");
  MoveMain({{kRoot + "/main.tf", "terraform {\n  backend \"local\" {}\n}\n" + Resource("mine")}});

  auto r = proposals_.Refresh(n, "local", "alice");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->rebuilt);
  EXPECT_EQ(r->conflicts, std::vector<std::string>{kRoot + "/main.tf"});
  EXPECT_NE(r->advice.find("Propose the change again"), std::string::npos) << r->advice;
  EXPECT_FALSE(r->plan.has_value());
  EXPECT_EQ(Bare("rev-parse datamcp/local/edit"), old_head);  // nothing pushed
  EXPECT_TRUE(
      PlanStatus(n, old_head).starts_with("failure: conflicts with main in " + kRoot + "/main.tf"))
      << PlanStatus(n, old_head);
  EXPECT_NE(RefreshSummary(*r).find("  " + kRoot + "/main.tf\n"), std::string::npos);
}

TEST_F(RefreshTest, AnUpToDateBranchIsOnlyPlannedAgain) {
  int n = Propose("datamcp/local/fresh", {{kRoot + "/notes.tf", Resource("notes")}});
  std::string head = Bare("rev-parse datamcp/local/fresh");
  auto r = proposals_.Refresh(n, "", "alice");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->rebuilt);
  EXPECT_EQ(r->head, head);
  EXPECT_EQ(Bare("rev-parse datamcp/local/fresh"), head);
  ASSERT_TRUE(r->plan.has_value());
  EXPECT_EQ(r->plan->projects.at(0).summary, "Plan: 2 to add, 0 to change, 0 to destroy.");
}

TEST_F(RefreshTest, RefusesAnotherEnvironmentABranchItDoesNotOwnAndAClosedProposal) {
  int n = Propose("datamcp/local/notes", {{kRoot + "/notes.tf", Resource("notes")}});
  auto wrong_env = proposals_.Refresh(n, "prod", "alice");
  ASSERT_FALSE(wrong_env.ok());
  EXPECT_EQ(wrong_env.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_env.status().message().find("environment 'local', not 'prod'"), std::string::npos)
      << wrong_env.status().message();

  int human = Propose("feature/by-hand", {{kRoot + "/x.tf", Resource("x")}});
  auto not_ours = proposals_.Refresh(human, "", "alice");
  ASSERT_FALSE(not_ours.ok());
  EXPECT_NE(not_ours.status().message().find("not a DataMCP branch"), std::string::npos)
      << not_ours.status().message();

  ASSERT_TRUE(store_
                  .Update(n, "close",
                          [](localforge::PullRecord& r) {
                            r.state = "closed";
                            return Status::Ok();
                          })
                  .ok());
  auto closed = proposals_.Refresh(n, "local", "alice");
  ASSERT_FALSE(closed.ok());
  EXPECT_NE(closed.status().message().find("is not open"), std::string::npos);
  auto bad_subject = proposals_.Refresh(human, "", "alice\nDatamcp-Env: prod");
  EXPECT_EQ(bad_subject.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace datamcp::proposal
