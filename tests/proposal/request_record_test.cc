// The arguments a proposal records for the audit: masked, and small.
#include "gitops/proposal/request_record.h"

#include <gtest/gtest.h>

namespace datamcp::proposal {
namespace {

using nlohmann::json;

TEST(RequestRecordTest, SecretsAreMaskedAndLongStringsKeptAsSizeAndDigest) {
  auto masker = process::Masker::Create({{"DEPLOY_KEY", Secret("s3cr3t-value")}});
  ASSERT_TRUE(masker.ok()) << masker.status().ToString();
  std::string content(1000, 'a');
  json arguments = {{"environment", "dev"},
                    {"description", "token ghp_abcdefghijklmnopqrstuvwxyz0123 and s3cr3t-value"},
                    {"files", json::array({{{"path", "infra/x.tf"}, {"content", content}}})},
                    {"dry_run", false},
                    {"count", 3}};
  json recorded = RecordedArguments(arguments, *masker);
  EXPECT_EQ(recorded["environment"], "dev");
  std::string description = recorded["description"];
  EXPECT_EQ(description.find("ghp_abc"), std::string::npos) << description;
  EXPECT_EQ(description.find("s3cr3t"), std::string::npos) << description;
  EXPECT_NE(description.find("[MASKED:DEPLOY_KEY]"), std::string::npos) << description;
  EXPECT_EQ(recorded["files"][0]["path"], "infra/x.tf");
  std::string summarized = recorded["files"][0]["content"];
  EXPECT_TRUE(summarized.starts_with("[1000 bytes, sha256 ")) << summarized;
  EXPECT_EQ(recorded["dry_run"], false);
  EXPECT_EQ(recorded["count"], 3);
}

TEST(RequestRecordTest, TheNewestRecordForTheCommitIsRead) {
  process::Masker masker;
  std::string commit(40, 'c');
  std::vector<std::string> notes = {
      BuildRequestRecord(commit, "r1", {{"title", "first"}}, masker).dump(),
      BuildRequestRecord(std::string(40, 'd'), "r2", {{"title", "other commit"}}, masker).dump(),
      "not json",
      json{{"type", "request"}, {"commit", commit}, {"arguments", "not an object"}}.dump(),
  };
  json arguments = RecordedRequestArguments(notes, commit);
  EXPECT_EQ(arguments, json::object()) << "the newest record for the commit holds no object";
  notes.pop_back();
  EXPECT_EQ(RecordedRequestArguments(notes, commit), (json{{"title", "first"}}));
  EXPECT_TRUE(RecordedRequestArguments({}, commit).is_null());
}

}  // namespace
}  // namespace datamcp::proposal
