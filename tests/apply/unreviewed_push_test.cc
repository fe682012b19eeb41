// Pushes to the default branch that bypassed review, end to end through the real parts: a
// bare repository made with the git CLI, the libgit2 engine, real terraform (terraform_data,
// local backend), the durable job store, and GithubForge on the fake GitHub (statuses and
// comments are read back from it). The CI requirement is in unreviewed_push_ci_test.cc.
#include "tests/apply/unreviewed_push_fixture.h"

namespace datamcp::apply::testing {
namespace {

TEST_F(UnreviewedPushTest, AlertPlansRecordsAndSetsAFailingStatusButAppliesNothing) {
  Bootstrap("alert");
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  auto stack = NewStack();
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());

  auto notes = Notes(*stack, sha, "unreviewed-push");
  ASSERT_EQ(notes.size(), 1u);
  const json& note = notes[0];
  EXPECT_EQ(note["commit"], sha);
  EXPECT_EQ(note["author"], "Mallory");
  EXPECT_EQ(note["committer"], "Mallory");
  EXPECT_EQ(note["projects"], json::array({kProject}));
  EXPECT_EQ(note["policy"], "alert");
  EXPECT_EQ(note["action"], "recorded, not applied");
  EXPECT_EQ(note["reviewed"], false);
  ASSERT_EQ(note["plans"].size(), 1u) << note.dump(2);
  const json& plan = note["plans"][0];
  EXPECT_EQ(plan["project"], kProject);
  EXPECT_EQ(plan["ok"], true) << plan.dump(2);
  EXPECT_TRUE(std::regex_match(plan["fingerprint"].get<std::string>(), std::regex("[0-9a-f]{64}")));
  EXPECT_EQ(plan["summary"], "Plan: 2 to add, 0 to change, 0 to destroy.");
  EXPECT_EQ(plan["action"], "recorded, not applied");

  auto statuses = Statuses(sha);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0]["state"], "failure");
  EXPECT_EQ(statuses[0]["description"], "unreviewed push: not applied");

  EXPECT_TRUE(Notes(*stack, sha, "apply").empty());
  EXPECT_TRUE(AllJobs(*stack).empty());
  EXPECT_FALSE(fs::exists(StateFile())) << "nothing may be applied";

  // The next pass finds the record and neither plans, notes nor alerts again.
  auto added = stack->reconciler.Scan();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 0);
  EXPECT_EQ(Notes(*stack, sha, "unreviewed-push").size(), 1u);
  EXPECT_EQ(Statuses(sha).size(), 1u);

  audit::AuditEntry entry = AuditOf(*stack, sha);
  EXPECT_TRUE(entry.unreviewed);
  EXPECT_EQ(entry.pull_request, 0);
  EXPECT_EQ(entry.env, "local");
  ASSERT_EQ(entry.projects.size(), 1u);
  EXPECT_EQ(entry.projects[0].result, "not applied");
  EXPECT_EQ(entry.projects[0].planned_fingerprint, plan["fingerprint"]);
  EXPECT_EQ(audit::ToJson(entry)["unreviewed_push"]["applied"], false);
  EXPECT_NE(audit::FormatText({entry}).find("policy alert: recorded, not applied"),
            std::string::npos)
      << audit::FormatText({entry});
}

TEST_F(UnreviewedPushTest, ApplyPolicyAppliesOnceAcrossScansAndARestart) {
  Bootstrap("apply");
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  {
    auto stack = NewStack();
    auto added = stack->reconciler.Scan();
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    EXPECT_EQ(*added, 1);
    auto notes = Notes(*stack, sha, "unreviewed-push");
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0]["action"], "queued for apply");
    EXPECT_EQ(notes[0]["plans"][0]["action"], "queued for apply");
    auto statuses = Statuses(sha);
    ASSERT_EQ(statuses.size(), 1u);
    EXPECT_EQ(statuses[0]["state"], "pending");
    EXPECT_FALSE(fs::exists(StateFile()));
  }  // the bot stops before the queue ran

  auto restarted = NewStack();
  ASSERT_TRUE(restarted->reconciler.RunOnce().ok());
  ASSERT_TRUE(restarted->reconciler.RunOnce().ok());
  auto applies = Notes(*restarted, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  const json& note = applies[0];
  EXPECT_EQ(note["result"], "applied") << note.dump(2);
  EXPECT_EQ(note["project"], kProject);
  EXPECT_EQ(note["pull_request"], 0);
  EXPECT_EQ(note["reviewed"], false);
  EXPECT_EQ(note["approvers"], json::array());
  EXPECT_EQ(note["requester"], "Mallory");
  EXPECT_EQ(note["fingerprint"],
            Notes(*restarted, sha, "unreviewed-push")[0]["plans"][0]["fingerprint"]);
  EXPECT_TRUE(Applied("direct"));
  EXPECT_TRUE(Applied("base"));

  // The status now says what happened; there is no pull request to comment on.
  auto statuses = Statuses(sha);
  ASSERT_FALSE(statuses.empty());
  EXPECT_EQ(statuses.back()["state"], "success");
  EXPECT_EQ(statuses.back()["description"], "unreviewed push, " + kProject + ": applied");
  EXPECT_EQ(Comments(), json::array());

  // Another restart, and one with the job queue lost: the apply note keeps it at one.
  restarted.reset();
  auto again = NewStack();
  ASSERT_TRUE(again->reconciler.RunOnce().ok());
  ASSERT_EQ(AllJobs(*again).size(), 1u);
  EXPECT_EQ(AllJobs(*again)[0].state, "applied");
  again.reset();
  test::RemoveSqliteState(dir_);
  auto fresh = NewStack();
  auto added = fresh->reconciler.Scan();
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, 0);
  fresh->reconciler.Drain();
  EXPECT_EQ(Notes(*fresh, sha, "apply").size(), 1u);

  audit::AuditEntry entry = AuditOf(*fresh, sha);
  ASSERT_EQ(entry.projects.size(), 1u);
  EXPECT_EQ(entry.projects[0].result, "applied");
  EXPECT_EQ(audit::ToJson(entry)["unreviewed_push"]["applied"], true);
  EXPECT_NE(audit::FormatText({entry}).find("policy apply: applied"), std::string::npos)
      << audit::FormatText({entry});
}

TEST_F(UnreviewedPushTest, ApplyCutOffByACrashIsRecordedAsInterruptedAndNotRetried) {
  Bootstrap("apply");
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  {
    auto stack = NewStack();
    ASSERT_EQ(*stack->reconciler.Scan(), 1);
    ASSERT_TRUE(stack->jobs.SetState(AllJobs(*stack)[0].id, "running", "").ok());
  }                             // killed mid-apply
  auto restarted = NewStack();  // Recover records the interruption
  ASSERT_TRUE(restarted->reconciler.RunOnce().ok());
  auto applies = Notes(*restarted, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["result"], "interrupted");
  EXPECT_EQ(applies[0]["reviewed"], false);
  EXPECT_FALSE(fs::exists(StateFile())) << "an interrupted apply is left to a human";
}

TEST_F(UnreviewedPushTest, QueuedPushIsNotAppliedWhenThePolicyTurnedToAlert) {
  Bootstrap("apply");
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  auto stack = NewStack();
  ASSERT_EQ(*stack->reconciler.Scan(), 1);
  Push("datamcp.yaml", RepoConfigYaml("alert", false), "back to alert");  // touches no project
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  auto applies = Notes(*stack, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["result"], "refused");
  EXPECT_NE(applies[0]["summary"].get<std::string>().find("unreviewed_push: alert"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(StateFile()));
}

TEST_F(UnreviewedPushTest, PlanFailureIsRecordedAndNeitherQueuedNorRetried) {
  Bootstrap("apply");
  std::string sha = Push(kProject + "/broken.tf", "resource \"terraform_data\" {\n");
  auto stack = NewStack();
  auto added = stack->reconciler.Scan();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 0);
  auto notes = Notes(*stack, sha, "unreviewed-push");
  ASSERT_EQ(notes.size(), 1u);
  const json& plan = notes[0]["plans"][0];
  EXPECT_EQ(plan["ok"], false);
  EXPECT_FALSE(plan["error"].get<std::string>().empty());
  EXPECT_EQ(plan["action"], "plan failed, not applied");
  EXPECT_EQ(notes[0]["action"], "recorded, not applied");
  EXPECT_EQ(Statuses(sha).at(0)["state"], "failure");
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  EXPECT_EQ(Notes(*stack, sha, "unreviewed-push").size(), 1u);
  EXPECT_TRUE(AllJobs(*stack).empty());
}

TEST_F(UnreviewedPushTest, OnlyTheNewestOfTwoPushesToAProjectIsApplied) {
  Bootstrap("apply");
  std::string first = Push(kProject + "/one.tf", Resource("one"), "first");
  std::string second = Push(kProject + "/two.tf", Resource("two"), "second");
  auto stack = NewStack();
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  auto older = Notes(*stack, first, "unreviewed-push");
  ASSERT_EQ(older.size(), 1u);
  EXPECT_EQ(older[0]["plans"][0]["action"],
            "superseded by " + second.substr(0, 12) + ", not planned or applied");
  EXPECT_TRUE(Notes(*stack, first, "apply").empty());
  auto applies = Notes(*stack, second, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["result"], "applied");
  EXPECT_TRUE(Applied("one"));  // the newer tree holds both
  EXPECT_TRUE(Applied("two"));
}

TEST_F(UnreviewedPushTest, PushThatTouchesNoProjectRecordsNothing) {
  Bootstrap("apply");
  std::string sha = Push("README.md", "changed\n", "docs");
  auto stack = NewStack();
  auto added = stack->reconciler.Scan();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 0);
  ASSERT_TRUE(stack->repo.Fetch().ok());
  auto notes = stack->repo.ReadNotes(sha);
  ASSERT_TRUE(notes.ok());
  EXPECT_TRUE(notes->empty());
  EXPECT_TRUE(Statuses(sha).empty());
  EXPECT_TRUE(AllJobs(*stack).empty());
  EXPECT_FALSE(AuditOf(*stack, sha).unreviewed);
}

// A push changing only a module of the library reaches the roots calling it: the local
// root is planned and applied with the module's new resource (and nothing else is queued).
TEST_F(UnreviewedPushTest, ModuleChangeIsAppliedToTheRootsUsingIt) {
  const std::string module = "infra/terraform/modules/lib/main.tf";
  git_.Write(module, Resource("lib_one"));
  git_.Write(kProject + "/lib.tf", "module \"lib\" {\n  source = \"../../modules/lib\"\n}\n");
  git_.Write("infra/terraform/modules/unused/main.tf", Resource("unused"));
  Bootstrap("apply");
  std::string sha = Push(module, Resource("lib_one") + Resource("lib_two"), "module change");
  auto stack = NewStack();
  auto added = stack->reconciler.Scan();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 1);
  ASSERT_TRUE(stack->reconciler.RunOnce().ok());
  auto applies = Notes(*stack, sha, "apply");
  ASSERT_EQ(applies.size(), 1u);
  EXPECT_EQ(applies[0]["project"], kProject);
  EXPECT_EQ(applies[0]["result"], "applied") << applies[0].dump(2);
  EXPECT_TRUE(Applied("lib_two"));
  EXPECT_FALSE(Applied("unused"));

  // A change to a module no root calls plans nothing.
  std::string other = Push("infra/terraform/modules/unused/main.tf", Resource("unused2"));
  added = stack->reconciler.Scan();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 0);
  ASSERT_TRUE(stack->repo.Fetch().ok());
  auto notes = stack->repo.ReadNotes(other);
  ASSERT_TRUE(notes.ok());
  EXPECT_TRUE(notes->empty());
}

// Notes are written by whoever can push. Documents that are not what DataMCP writes, even of
// its own types, neither fail the pass nor stand in for its records: the push is recorded
// and applied as if they were not there.
TEST_F(UnreviewedPushTest, MalformedNotesNeitherStopThePassNorCountAsRecords) {
  Bootstrap("apply");
  std::string sha = Push(kProject + "/direct.tf", Resource("direct"));
  auto stack = NewStack();
  const std::vector<std::string> notes = {
      R"({"type":5})",
      R"({"type":"apply","project":7})",
      R"("text")",
      R"([1])",
      json{{"type", "apply"}, {"project", kProject}}.dump(),  // no result
      json{{"type", "apply"},
           {"project", kProject},
           {"result", "applied"},
           {"merge_commit", std::string(40, 'a')}}  // copied from another commit
          .dump(),
      R"({"type":"unreviewed-push"})",
      json{{"type", "unreviewed-push"}, {"commit", sha}, {"projects", 5}, {"action", "x"}}.dump(),
      json{{"type", "unreviewed-push"},
           {"commit", std::string(40, 'b')},  // copied from another commit
           {"projects", json::array()},
           {"action", "recorded, not applied"}}
          .dump(),
      R"({"type":"ci","conclusion":5})",
      R"({"type":"something-new","project":7})"};
  for (const auto& doc : notes) ASSERT_TRUE(stack->repo.AddNote(sha, doc).ok()) << doc;

  Status pass;
  ASSERT_NO_THROW(pass = stack->reconciler.RunOnce());
  ASSERT_TRUE(pass.ok()) << pass.ToString();
  EXPECT_TRUE(Applied("direct"));
  ASSERT_TRUE(stack->repo.Fetch().ok());
  auto read = stack->repo.ReadNotes(sha);
  ASSERT_TRUE(read.ok());
  auto recorded = FindUnreviewedPushNote(*read, sha);
  ASSERT_TRUE(recorded.has_value()) << "the push was recorded anew";
  EXPECT_EQ((*recorded)["action"], "queued for apply");
  auto applied = FindApplyNote(*read, sha, kProject);
  ASSERT_TRUE(applied.has_value());
  EXPECT_EQ((*applied)["result"], "applied") << applied->dump(2);

  // Recorded once: the next pass queues, records and applies nothing more.
  auto added = stack->reconciler.Scan();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 0);
  EXPECT_EQ(Notes(*stack, sha, "apply").size(), 4u);  // 3 lookalikes + the record

  audit::AuditEntry entry = AuditOf(*stack, sha);
  EXPECT_TRUE(entry.unreviewed);
  EXPECT_EQ(entry.unreviewed_action, "queued for apply");
  ASSERT_EQ(entry.projects.size(), 1u) << audit::ToJson(entry).dump(2);
  EXPECT_EQ(entry.projects[0].project, kProject);
  EXPECT_EQ(entry.projects[0].result, "applied");
}

}  // namespace
}  // namespace datamcp::apply::testing
