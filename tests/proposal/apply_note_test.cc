#include "gitops/apply/apply_note.h"

#include <gtest/gtest.h>

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

TEST(ApplyNoteTest, FindsTheApplyNoteOfAProject) {
  ApplyNote note;
  note.project = "infra/terraform/envs/dev";
  note.result = "applied";
  std::vector<std::string> notes = {R"({"type":"plan","projects":[]})", ToJson(note).dump(),
                                    "garbage"};
  auto found = FindApplyNote(notes, "infra/terraform/envs/dev");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ((*found)["result"], "applied");
  EXPECT_FALSE(FindApplyNote(notes, "infra/terraform/envs/prod").has_value());
}

}  // namespace
}  // namespace datamcp::apply
