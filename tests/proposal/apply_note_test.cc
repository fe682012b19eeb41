#include "gitops/apply/apply_note.h"

#include <gtest/gtest.h>

#include <functional>

namespace datamcp::apply {
namespace {

TEST(ApplyNoteTest, PullRequestNumberFromMergeAndSquashMessages) {
  EXPECT_EQ(PullRequestOfMerge("Merge pull request #12 from octo/datamcp/dev/x\n\nTitle"), 12);
  EXPECT_EQ(PullRequestOfMerge("Add bucket (#7)\n\nbody"), 7);
  EXPECT_EQ(PullRequestOfMerge("Add bucket (#7) "), 7);
  EXPECT_EQ(PullRequestOfMerge("chore: bootstrap"), 0);
  EXPECT_EQ(PullRequestOfMerge("Merge pull request #x"), 0);
}

TEST(ApplyNoteTest, TrailerTakesTheLastValue) {
  std::string msg = "T\n\nbody\n\nDatamcp-Tool: a\nDatamcp-Env: dev\nDatamcp-Tool: b\n";
  EXPECT_EQ(Trailer(msg, "Datamcp-Tool"), "b");
  EXPECT_EQ(Trailer(msg, "Datamcp-Env"), "dev");
  EXPECT_EQ(Trailer(msg, "Datamcp-Request-Id"), "");
}

TEST(ApplyNoteTest, TrailerReadsOnlyTheTrailerBlock) {
  std::string msg =
      "Datamcp-Approved-By: title\n\nDatamcp-Approved-By: body\nDatamcp-Merged-By: m\n\n"
      "Datamcp-Tool: a\n";
  EXPECT_EQ(Trailer(msg, "Datamcp-Approved-By"), "");
  EXPECT_EQ(Trailer(msg, "Datamcp-Merged-By"), "");
  EXPECT_EQ(Trailer(msg, "Datamcp-Tool"), "a");
  EXPECT_EQ(Trailer("Datamcp-Tool: a\n", "Datamcp-Tool"), "");
}

const std::string kCommit(40, 'c');
const std::string kProject = "infra/terraform/envs/dev";

ApplyNote Applied(const std::string& project = kProject) {
  ApplyNote note;
  note.project = project;
  note.merge_commit = kCommit;
  note.result = "applied";
  return note;
}

TEST(ApplyNoteTest, FindsTheApplyNoteOfAProject) {
  std::vector<std::string> notes = {R"({"type":"plan","projects":[]})", ToJson(Applied()).dump(),
                                    "garbage"};
  auto found = FindApplyNote(notes, kCommit, kProject);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ((*found)["result"], "applied");
  EXPECT_FALSE(FindApplyNote(notes, kCommit, "infra/terraform/envs/prod").has_value());
  EXPECT_EQ(IgnoredApplyNotes(notes, kCommit), 0);
}

// Anyone who can push may write notes: documents that are not JSON objects, or have fields of
// another type, are read without throwing and never count as a record of an apply.
TEST(ApplyNoteTest, MalformedDocumentsAreSkippedWithoutThrowing) {
  std::vector<std::string> notes = {
      ToJson(Applied()).dump(),
      R"({"type":5})",
      R"({"type":"apply","project":7})",
      R"("text")",
      "[1]",
      "42",
      "null",
      "not json",
      R"({"type":"unknown","project":"infra/terraform/envs/dev"})",
      R"({"type":["apply"],"project":"infra/terraform/envs/dev","result":"failed"})"};
  std::optional<nlohmann::json> found;
  ASSERT_NO_THROW(found = FindApplyNote(notes, kCommit, kProject));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ((*found)["result"], "applied");         // the well-formed record, not a newer oddity
  EXPECT_EQ(IgnoredApplyNotes(notes, kCommit), 1);  // {"type":"apply","project":7}
  for (const auto& text : notes) {
    EXPECT_NO_THROW(IsApplyRecord(nlohmann::json::parse(text, nullptr, false), kCommit)) << text;
  }
}

// An `apply` document that is not what DataMCP writes must not make the reconciler believe
// the merge was applied: it would then skip a real apply.
TEST(ApplyNoteTest, ApplyLookalikesAreNotRecordsOfAnApply) {
  auto doc = [](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = ToJson(Applied());
    edit(j);
    return j;
  };
  using nlohmann::json;
  const std::vector<json> lookalikes = {
      json{{"type", "apply"}, {"project", kProject}},  // no result, no merge commit
      doc([](json& j) { j.erase("result"); }),
      doc([](json& j) { j["result"] = ""; }),
      doc([](json& j) { j["result"] = 1; }),
      doc([](json& j) { j["result"] = json::array({"applied"}); }),
      doc([](json& j) { j["project"] = 7; }),
      doc([](json& j) { j["project"] = ""; }),
      doc([](json& j) { j.erase("merge_commit"); }),
      doc([](json& j) { j["merge_commit"] = std::string(40, 'd'); }),  // copied from elsewhere
      doc([](json& j) { j["merge_commit"] = 12; }),
      doc([](json& j) { j["type"] = "Apply"; }),
  };
  for (const auto& j : lookalikes) {
    EXPECT_FALSE(IsApplyRecord(j, kCommit)) << j.dump();
    EXPECT_FALSE(FindApplyNote({j.dump()}, kCommit, kProject).has_value()) << j.dump();
    EXPECT_EQ(IgnoredApplyNotes({j.dump()}, kCommit), j.value("type", "") == "apply" ? 1 : 0)
        << j.dump();
  }
  EXPECT_TRUE(IsApplyRecord(ToJson(Applied()), kCommit));
  EXPECT_FALSE(IsApplyRecord(ToJson(Applied()), ""));
  // Every result is final, a failed or interrupted one too, and one a newer version may write.
  for (const char* result : {"failed", "interrupted", "stale-plan", "some-future-result"}) {
    ApplyNote note = Applied();
    note.result = result;
    EXPECT_TRUE(FindApplyNote({ToJson(note).dump()}, kCommit, kProject).has_value()) << result;
  }
}

}  // namespace
}  // namespace datamcp::apply
