#pragma once

// The fixture for tests of pushes to the default branch that bypassed review, end to end through
// the real parts: a bare repository made with the git CLI, the libgit2 engine, real terraform
// (terraform_data, local backend), the job store on the SQLite state database, and GithubForge on
// the fake GitHub (statuses and comments are read back from it).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>

#include "gitops/apply/applier.h"
#include "gitops/apply/reconciler.h"
#include "gitops/audit/audit_log.h"
#include "gitops/common/json_fields.h"
#include "gitops/forge/github_forge.h"
#include "gitops/git/libgit2_repository.h"
#include "gitops/process/posix_process_runner.h"
#include "tests/forge/fake_github.h"
#include "tests/support/git_fixture.h"
#include "tests/support/state_db.h"
#include "tests/support/stepped_wall_clock.h"
#include "tests/support/test_sandbox.h"

namespace datamcp::apply::testing {

namespace fs = std::filesystem;
using nlohmann::json;

inline const std::string kProject = "infra/terraform/envs/local";

inline std::string RepoConfigYaml(const std::string& policy, bool require_ci) {
  return "version: 1\n"
         "allowed_roots: [infra/terraform/envs, helm/values, helm/charts, argocd/apps]\n"
         "apply:\n  min_approvals: 1\n  require_ci_green: " +
         std::string(require_ci ? "true" : "false") + "\nunreviewed_push: " + policy +
         "\nenvironments:\n  - name: local\n    terraform_root: " + kProject + "\n";
}

inline std::string Resource(const std::string& name) {
  return "resource \"terraform_data\" \"" + name + "\" {\n  input = \"" + name + "\"\n}\n";
}

// Everything the reconciler needs, built on `dir` (mirror, state database, Terraform state)
// the way bot/app wires it. A second Stack on the same dir is the bot after a restart.
struct Stack {
  Stack(const std::string& dir, const std::string& origin, forge::Forge& forge, Clock& clock)
      : repo(RepoOptions(dir, origin), clock),
        planner(repo, runner, masker, PlanOptions(dir)),
        db(test::OpenSqliteState(dir)),
        locks(*db, clock),
        jobs(*db, clock),
        proposals(repo, forge, planner, locks, clock, proposal::ProposalServiceOptions{}),
        applier(repo, forge, proposals, planner, nullptr, clock,
                ApplierOptions{.ci_available = true}),
        reconciler(repo, forge, proposals, planner, jobs, locks, applier,
                   ReconcilerOptions{.workers = 1}) {
    Status mirrored = repo.Mirror();
    EXPECT_TRUE(mirrored.ok()) << mirrored.ToString();
    Status recovered = reconciler.Recover();
    EXPECT_TRUE(recovered.ok()) << recovered.ToString();
  }

  static git::Libgit2RepositoryOptions RepoOptions(const std::string& dir,
                                                   const std::string& origin) {
    git::Libgit2RepositoryOptions o;
    o.mirror_path = (fs::path(dir) / "mirror.git").string();
    o.remote.url = "file://" + origin;
    o.committer = {"DataMCP", "datamcp@localhost"};
    return o;
  }

  static proposal::PlanServiceOptions PlanOptions(const std::string& dir) {
    proposal::PlanServiceOptions o;
    o.scratch_root = (fs::path(dir) / "scratch").string();
    o.state_root = (fs::path(dir) / "tfstate").string();
    o.terraform.plugin_cache_dir = (fs::path(dir) / "plugin-cache").string();
    o.terraform.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", dir}};
    o.terraform.timeout = std::chrono::seconds(120);
    return o;
  }

  git::Libgit2Repository repo;
  process::PosixProcessRunner runner{&test_support::TestSandbox()};
  process::Masker masker;
  proposal::PlanService planner;
  std::unique_ptr<state::Database> db;  // work_dir/state.db, as `datamcp serve` opens it
  jobs::LockTable locks;
  jobs::JobStore jobs;
  proposal::ProposalService proposals;
  Applier applier;
  Reconciler reconciler;
};

// The stack's jobs (all, or only the queued ones), failing the test when the read fails.
inline std::vector<jobs::Job> AllJobs(Stack& stack) { return test::ValueOrFail(stack.jobs.All()); }
inline std::vector<jobs::Job> QueuedJobs(Stack& stack) {
  return test::ValueOrFail(stack.jobs.WithState("queued"));
}

class UnreviewedPushTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fake_ = new forge::testing::FakeGithub;
    Status s = fake_->Start();
    start_error_ = s.ok() ? "" : s.ToString();
  }
  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(start_error_.empty()) << start_error_;
    ASSERT_TRUE(fake_->Control("reset").ok());
    forge::GithubForgeOptions options;
    options.http.api_url = fake_->url();
    options.repository = "octo/gitops";
    forge::GithubAuth auth;
    auth.token = Secret("test-token");
    auto made = forge::GithubForge::Create(options, auth, clock_);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    forge_ = std::move(made).value();
  }

  void TearDown() override {
    if (!start_error_.empty()) return;
    auto state = fake_->State();
    ASSERT_TRUE(state.ok());
    EXPECT_EQ((*state)["violations"], json::array()) << (*state)["violations"].dump(2);
    fs::remove_all(dir_);
  }

  // The repository's first commit (which is never planned): its rules and one resource.
  void Bootstrap(const std::string& policy, bool require_ci = false) {
    git_.Write("datamcp.yaml", RepoConfigYaml(policy, require_ci));
    git_.Write(kProject + "/main.tf",
               "terraform {\n  backend \"local\" {}\n}\n" + Resource("base"));
    git_.Git("add -A");
    git_.Git("commit -q --amend -m bootstrap");
    git_.Git("push -q -f origin HEAD:main");
  }

  // A direct push to main by Mallory, as someone with write access would do; its commit id.
  std::string Push(const std::string& path, const std::string& content,
                   const std::string& message = "sneak in") {
    git_.Write(path, content);
    git_.Git("add -A");
    git_.Git("-c user.name=Mallory -c user.email=m@example.com commit -q -m '" + message + "'");
    git_.Git("push -q origin HEAD:main");
    return test::Trim(git_.GitOut("rev-parse HEAD"));
  }

  std::unique_ptr<Stack> NewStack() {
    return std::make_unique<Stack>(dir_, git_.bare(), *forge_, wall_);
  }

  // The JSON notes on `commit` of `type`, as the remote has them.
  std::vector<json> Notes(Stack& stack, const std::string& commit, const std::string& type) {
    EXPECT_TRUE(stack.repo.Fetch().ok());
    auto notes = stack.repo.ReadNotes(commit);
    EXPECT_TRUE(notes.ok()) << notes.status().ToString();
    std::vector<json> out;
    for (const auto& text : notes.ok() ? *notes : std::vector<std::string>{}) {
      json j = json::parse(text, nullptr, false);
      if (json_fields::String(j, "type") == type) out.push_back(j);
    }
    return out;
  }

  std::vector<json> Statuses(const std::string& commit) {
    auto state = fake_->State();
    EXPECT_TRUE(state.ok());
    std::vector<json> out;
    for (const auto& s : (*state)["statuses"]) {
      if (s["sha"] == commit && s["context"] == "datamcp/apply") out.push_back(s);
    }
    return out;
  }

  json Comments() { return (*fake_->State())["comments"]; }

  // The Terraform state the applies of the project write (PlanService's local backend).
  std::string StateFile() const {
    return (fs::path(dir_) / "tfstate" / "infra_terraform_envs_local" / "terraform.tfstate")
        .string();
  }
  bool Applied(const std::string& resource) const {
    std::ifstream in(StateFile());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    return text.find("\"name\": \"" + resource + "\"") != std::string::npos;
  }

  audit::AuditEntry AuditOf(Stack& stack, const std::string& commit) {
    auto entries = audit::ReadAuditLog(stack.repo, "main", {});
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    for (const auto& e : entries.ok() ? *entries : std::vector<audit::AuditEntry>{}) {
      if (e.commit == commit) return e;
    }
    ADD_FAILURE() << "no audit entry for " << commit;
    return {};
  }

  inline static forge::testing::FakeGithub* fake_ = nullptr;
  inline static std::string start_error_;
  ManualClock clock_;
  test::SteppedWallClock wall_{clock_};  // the stack's clock: clock_, with wall steps
  std::unique_ptr<forge::GithubForge> forge_;
  test::GitFixture git_;
  std::string dir_ = test::MakeTempDir("unreviewed");
};

}  // namespace datamcp::apply::testing
