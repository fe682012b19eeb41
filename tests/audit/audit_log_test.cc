// The audit log reads notes that anyone with push access may have written. A bare repository
// made with the git CLI, notes written with `git notes` as such a person would, and the
// libgit2 engine reading them back.
#include "gitops/audit/audit_log.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gitops/apply/apply_note.h"
#include "gitops/apply/resolution.h"
#include "gitops/git/libgit2_repository.h"
#include "tests/support/git_fixture.h"

namespace datamcp::audit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kProject = "infra/terraform/envs/dev";

class AuditLogTest : public ::testing::Test {
 protected:
  // A pull request #3 merged into main: its head commit (with trailers) and the merge commit.
  void MergePullRequest() {
    head_ = git_.CommitOnBranch("datamcp/dev/x", {{kProject + "/x.tf", "# x\n"}});
    git_.Git(
        "commit -q --amend -m 'Add x' --trailer 'Datamcp-Tool: propose_change' "
        "--trailer 'Datamcp-Requested-By: agent-7' --trailer 'Datamcp-Env: dev'");
    git_.Git("push -q -f origin datamcp/dev/x");
    head_ = test::Trim(git_.GitOut("rev-parse HEAD"));
    git_.Git("checkout -q -B main origin/main");
    git_.Git("merge -q --no-ff -m 'Merge pull request #3 from octo/datamcp/dev/x' datamcp/dev/x");
    git_.Git("push -q origin HEAD:main");
    merge_ = test::Trim(git_.GitOut("rev-parse HEAD"));
  }

  // Replaces the note on `commit` with `text`, with the git CLI on the bare repository.
  void WriteNote(const std::string& commit, const std::string& text) {
    std::string file = (fs::path(git_.root()) / "note.txt").string();
    { std::ofstream(file) << text; }
    git_.BareOut("-c user.name=Mallory -c user.email=m@example.com notes --ref=datamcp add -f -F " +
                 file + " " + commit);
  }

  std::vector<AuditEntry> Read(const AuditFilter& filter = {}) {
    git::Libgit2RepositoryOptions o;
    o.mirror_path = (fs::path(git_.root()) / "mirror.git").string();
    o.remote.url = "file://" + git_.bare();
    o.committer = {"DataMCP", "datamcp@localhost"};
    git::Libgit2Repository repo(o, clock_);
    Status mirrored = repo.Mirror();
    EXPECT_TRUE(mirrored.ok()) << mirrored.ToString();
    Result<std::vector<AuditEntry>> entries = InvalidArgument("not read");
    EXPECT_NO_THROW(entries = ReadAuditLog(repo, "main", filter));
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    return entries.ok() ? *entries : std::vector<AuditEntry>{};
  }

  // `datamcp resolve` through the libgit2 engine: the record is pushed to the bare repository.
  Result<json> Resolve(apply::ResolveRequest request) {
    git::Libgit2RepositoryOptions o;
    o.mirror_path = (fs::path(git_.root()) / "resolve-mirror.git").string();
    o.remote.url = "file://" + git_.bare();
    o.committer = {"DataMCP", "datamcp@localhost"};
    git::Libgit2Repository repo(o, clock_);
    if (Status s = repo.Mirror(); !s.ok()) return s;
    request.commit = merge_;
    return apply::ResolveInterrupted(repo, request, clock_);
  }

  json ApplyRecord(const std::string& result) {
    apply::ApplyNote note;
    note.project = kProject;
    note.kind = "terraform";
    note.env = "dev";
    note.pull_request = 3;
    note.merge_commit = merge_;
    note.result = result;
    note.summary = "Plan: 1 to add, 0 to change, 0 to destroy.";
    note.merged_by = "carol";
    note.approvers = {"carol"};
    note.fingerprint = std::string(64, 'f');
    return apply::ToJson(note);
  }

  ManualClock clock_;
  test::GitFixture git_;
  std::string head_;
  std::string merge_;
};

TEST_F(AuditLogTest, MalformedDocumentsAreSkippedAndRecordsStillShow) {
  MergePullRequest();
  json plan = {
      {"type", "plan"},
      {"commit", head_},
      {"projects", json::array({{{"project", kProject}, {"ok", true}, {"fingerprint", "f1"}},
                                7,
                                {{"project", 7}, {"fingerprint", "f2"}},
                                {{"project", kProject}, {"fingerprint", 9}}})}};
  WriteNote(head_, json::array({plan, {{"type", "plan"}, {"projects", "all"}}}).dump());
  json odd = ApplyRecord("applied");
  odd["approvers"] = json::array({"dave", 5, nullptr, json::array({"x"})});
  odd["merged_by"] = 12;
  odd["env"] = false;
  WriteNote(merge_,
            json::array({json{{"type", 5}}, json{{"type", "apply"}, {"project", 7}}, "text",
                         json::array({1}), json{{"type", "apply"}, {"project", "rogue/project"}},
                         json{{"type", "unreviewed-push"}, {"projects", 3}},
                         json{{"type", "something-new"}, {"project", kProject}},
                         ApplyRecord("applied"), odd})
                .dump());

  auto entries = Read();
  ASSERT_GE(entries.size(), 1u);
  const AuditEntry& e = entries[0];
  EXPECT_EQ(e.commit, merge_);
  EXPECT_EQ(e.pull_request, 3);
  EXPECT_EQ(e.requester, "agent-7");
  EXPECT_EQ(e.tool, "propose_change");
  EXPECT_EQ(e.env, "dev");
  EXPECT_EQ(e.merged_by, "carol");
  EXPECT_EQ(e.approvers, (std::vector<std::string>{"carol", "dave"}));
  EXPECT_FALSE(e.unreviewed) << "a malformed unreviewed-push document records nothing";
  ASSERT_EQ(e.projects.size(), 1u) << ToJson(e).dump(2);
  EXPECT_EQ(e.projects[0].project, kProject);
  EXPECT_EQ(e.projects[0].planned_fingerprint, "f1");  // not the entries of other types
  EXPECT_EQ(e.projects[0].result, "applied");
  EXPECT_TRUE(e.Applied());
  std::string text;
  ASSERT_NO_THROW(text = FormatText(entries));
  EXPECT_NE(text.find(kProject + ": planned f1 -> applied"), std::string::npos) << text;
  EXPECT_EQ(text.find("rogue"), std::string::npos) << text;
}

// "Who changed this": the request note's arguments and the plan's resources, as
// proposal::ProposalService and the applier write them, filtered by an address.
TEST_F(AuditLogTest, ResourceFilterNamesTheRequesterToolAndArguments) {
  MergePullRequest();
  json plan = {{"type", "plan"},
               {"commit", head_},
               {"projects",
                json::array({{{"project", kProject},
                              {"ok", true},
                              {"fingerprint", "f1"},
                              {"changes",
                               {{"creates", 1},
                                {"created", json::array({"module.net.google_compute_network.x"})},
                                {"updated", json::array({"terraform_data.x"})}}}}})}};
  json request = {{"type", "request"},
                  {"commit", head_},
                  {"request_id", "req-1"},
                  {"arguments", {{"environment", "dev"}, {"title", "Add x"}}}};
  // A request record for another commit is not this proposal's.
  json other = request;
  other["commit"] = merge_;
  other["arguments"] = {{"title", "forged"}};
  WriteNote(head_, json::array({request, plan, other}).dump());
  json applied = ApplyRecord("applied");
  applied["changes"] = {{"deleted", json::array({"terraform_data.old[\"a\"]"})}, {"deletes", 1}};
  WriteNote(merge_, json::array({applied}).dump());

  // A resource type ("terraform_data") is a prefix too: every change to one of its resources.
  for (std::string address :
       {"terraform_data.x", "module.net", "terraform_data.old", "terraform_data"}) {
    AuditFilter filter;
    filter.resource = address;
    auto entries = Read(filter);
    ASSERT_EQ(entries.size(), 1u) << address;
    EXPECT_EQ(entries[0].requester, "agent-7");
    EXPECT_EQ(entries[0].tool, "propose_change");
    EXPECT_EQ(entries[0].arguments, request["arguments"]) << ToJson(entries[0]).dump(2);
    std::string text = FormatText(entries);
    EXPECT_NE(text.find("arguments: {\"environment\":\"dev\",\"title\":\"Add x\"}"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("changes: module.net.google_compute_network.x, terraform_data.old[\"a\"], "
                        "terraform_data.x"),
              std::string::npos)
        << text;
  }
  for (std::string address : {"terraform", "module.ne", "terraform_data.xy", "x"}) {
    AuditFilter filter;
    filter.resource = address;
    EXPECT_TRUE(Read(filter).empty()) << address << " is not an address the plan touched";
  }
}

// What the reconciler would apply again must not look applied in the log.
TEST_F(AuditLogTest, ApplyLookalikesDoNotShowAsApplied) {
  MergePullRequest();
  json copied = ApplyRecord("applied");
  copied["merge_commit"] = head_;  // a record of another commit, copied here
  json no_result = ApplyRecord("applied");
  no_result.erase("result");
  WriteNote(
      merge_,
      json::array(
          {copied, no_result,
           json{{"type", "apply"}, {"project", kProject}, {"result", json::array({"applied"})}}})
          .dump());
  auto entries = Read();
  ASSERT_GE(entries.size(), 1u);
  EXPECT_FALSE(entries[0].Applied());
  EXPECT_EQ(ToJson(entries[0])["projects"], json::array()) << ToJson(entries[0]).dump(2);
}

// The merge on top was committed by a clock stepped 5 hours back: `since` keeps every commit
// made since, wherever history puts it, and the log stays in history's order.
TEST_F(AuditLogTest, SinceKeepsNewerCommitsUnderACommitWhoseClockSteppedBack) {
  const long long now = 4'000'000'000;  // after the fixture's first commit, whenever this runs
  setenv("GIT_COMMITTER_DATE", ("@" + std::to_string(now) + " +0000").c_str(), 1);
  MergePullRequest();
  const std::string newer = merge_;
  setenv("GIT_COMMITTER_DATE", ("@" + std::to_string(now - 5 * 3600) + " +0000").c_str(), 1);
  git_.Git("commit -q --allow-empty -m 'after the step'");
  git_.Git("push -q origin HEAD:main");
  unsetenv("GIT_COMMITTER_DATE");
  AuditFilter filter;
  filter.since = now - 3600;
  auto entries = Read(filter);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].commit, newer);
  auto all = Read();
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[0].title, "after the step");
  EXPECT_EQ(all[1].commit, newer);
}

TEST_F(AuditLogTest, NotesThatAreNotArraysOrNotJsonAreRead) {
  MergePullRequest();
  WriteNote(head_, "not json at all\n");
  WriteNote(merge_, R"({"type":"apply","project":7})");  // a single document, not an array
  std::string first = test::Trim(git_.BareOut("rev-list --max-parents=0 main"));
  WriteNote(first, "[1]");
  auto entries = Read();
  ASSERT_EQ(entries.size(), 2u);  // first-parent history: the merge and the first commit
  EXPECT_EQ(entries[0].pull_request, 3);
  EXPECT_TRUE(entries[0].projects.empty());
  EXPECT_EQ(entries.back().commit, first);
  EXPECT_NO_THROW(FormatText(entries));
  for (const auto& e : entries) EXPECT_NO_THROW(ToJson(e).dump());
}

// The runbook for an interrupted apply: only an interrupted one can be resolved, who did it and
// how is recorded, the audit log shows it, and a refused resolution writes nothing.
TEST_F(AuditLogTest, ResolvedInterruptedApplyShowsWhoAndHow) {
  MergePullRequest();
  WriteNote(merge_, json::array({ApplyRecord("interrupted")}).dump());

  auto anonymous = Resolve({.project = kProject, .how = apply::Resolution::kApplied, .by = ""});
  EXPECT_EQ(anonymous.status().code(), StatusCode::kInvalidArgument);
  auto other = Resolve({.project = "infra/terraform/envs/prod", .by = "alice"});
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("no apply of infra/terraform/envs/prod"),
            std::string::npos);

  auto resolved = Resolve({.project = kProject,
                           .how = apply::Resolution::kApplied,
                           .by = "alice",
                           .message = "plan shows no changes"});
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ((*resolved)["result"], "applied");
  EXPECT_EQ((*resolved)["resolution"]["previous"], "interrupted");
  EXPECT_EQ((*resolved)["merged_by"], "carol");  // the rest of the record is kept

  auto again = Resolve({.project = kProject, .how = apply::Resolution::kFailed, .by = "bob"});
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("recorded as 'applied'"), std::string::npos);

  auto entries = Read();
  ASSERT_GE(entries.size(), 1u);
  ASSERT_EQ(entries[0].projects.size(), 1u);
  const ProjectRecord& r = entries[0].projects[0];
  EXPECT_EQ(r.result, "applied");
  EXPECT_EQ(r.resolved_by, "alice");
  EXPECT_EQ(r.resolution, "applied");
  EXPECT_EQ(ToJson(entries[0])["projects"][0]["resolution"]["message"], "plan shows no changes");
  std::string text = FormatText(entries);
  EXPECT_NE(text.find("interrupted, resolved by alice: applied (plan shows no changes)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace datamcp::audit
