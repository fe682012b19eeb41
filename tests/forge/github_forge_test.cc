#include "gitops/forge/github_forge.h"

#include <gtest/gtest.h>

#include "gitops/forge/comment_split.h"
#include "tests/forge/github_test_util.h"

namespace datamcp::forge::testing {
namespace {

using nlohmann::json;

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";

class GithubForgeTest : public GithubFakeTest {
 protected:
  int OpenPr(GithubForge& forge, const std::string& head) {
    auto opened = forge.OpenOrReusePullRequest({head, "main", "Change " + head, "body"});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? opened->pull_request.number : 0;
  }
  std::vector<json> Comments() { return State()["comments"].get<std::vector<json>>(); }
};

TEST_F(GithubForgeTest, OpensPullRequestThenReusesIt) {
  auto forge = TokenForge();
  auto first = forge->OpenOrReusePullRequest({"datamcp/p-1", "main", "Add bucket", "why"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->pull_request.head_ref, "datamcp/p-1");
  EXPECT_EQ(first->pull_request.base_ref, "main");
  EXPECT_EQ(first->pull_request.state, PullRequestState::kOpen);
  EXPECT_EQ(first->pull_request.author, "datamcp-bot");
  EXPECT_FALSE(first->pull_request.from_fork);
  EXPECT_FALSE(first->pull_request.merged);

  auto again = forge->OpenOrReusePullRequest({"datamcp/p-1", "main", "Add bucket", "why"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->pull_request.number, first->pull_request.number);
  EXPECT_EQ(Requests("PATCH", "/pulls/").size(), 0u) << "unchanged: no edit";

  auto retitled = forge->OpenOrReusePullRequest({"datamcp/p-1", "main", "Add 2 buckets", "why"});
  ASSERT_TRUE(retitled.ok());
  EXPECT_FALSE(retitled->created);
  EXPECT_EQ(retitled->pull_request.title, "Add 2 buckets");
  EXPECT_EQ(State()["pulls"].size(), 1u);
}

TEST_F(GithubForgeTest, OpenRejectsIncompleteDraftWithoutRequests) {
  auto forge = TokenForge();
  auto r = forge->OpenOrReusePullRequest({"", "main", "t", ""});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(State()["requests"].empty());
}

TEST_F(GithubForgeTest, ReadsMergeStateAuthorAndForkOrigin) {
  auto forge = TokenForge();
  int n = OpenPr(*forge, "feature");
  Control("pulls/" + std::to_string(n), {{"state", "closed"},
                                         {"merged", true},
                                         {"merge_commit_sha", kSha},
                                         {"merged_by", "carol"},
                                         {"mergeable", true},
                                         {"author", "mallory"},
                                         {"head_repo", "mallory/gitops"}});
  auto pr = forge->GetPullRequest(n);
  ASSERT_TRUE(pr.ok()) << pr.status().ToString();
  EXPECT_EQ(pr->state, PullRequestState::kClosed);
  EXPECT_TRUE(pr->merged);
  EXPECT_EQ(pr->merge_commit_sha, kSha);
  EXPECT_EQ(pr->merged_by, "carol");
  EXPECT_EQ(pr->author, "mallory");
  EXPECT_TRUE(pr->from_fork);
  ASSERT_TRUE(pr->mergeable.has_value());
  EXPECT_TRUE(*pr->mergeable);
  EXPECT_NE(pr->html_url.find("/pull/" + std::to_string(n)), std::string::npos);
}

TEST_F(GithubForgeTest, MissingPullRequestIsNotFound) {
  auto forge = TokenForge();
  auto pr = forge->GetPullRequest(42);
  EXPECT_EQ(pr.status().code(), StatusCode::kNotFound);
  EXPECT_NE(pr.status().message().find("/pulls/42"), std::string::npos);
}

TEST_F(GithubForgeTest, ListsOpenPullRequestsAcrossPages) {
  Control("config", {{"maxPerPage", 2}});
  auto forge = TokenForge();
  for (int i = 1; i <= 5; ++i) OpenPr(*forge, "b" + std::to_string(i));
  Control("pulls/3", {{"state", "closed"}});
  auto open = forge->ListOpenPullRequests();
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  ASSERT_EQ(open->size(), 4u);
  EXPECT_EQ((*open)[0].number, 1);
  EXPECT_EQ((*open)[3].number, 5);
  EXPECT_EQ(Requests("GET", "/pulls").size() - 5, 2u) << "two pages of two";
}

TEST_F(GithubForgeTest, ClosesAPullRequestWithACommentAndOnlyOnce) {
  auto forge = TokenForge();
  int n = OpenPr(*forge, "datamcp/promote-1");
  ASSERT_TRUE(forge->ClosePullRequest(n, "Superseded by #2").ok());
  auto pr = forge->GetPullRequest(n);
  ASSERT_TRUE(pr.ok());
  EXPECT_EQ(pr->state, PullRequestState::kClosed);
  EXPECT_FALSE(pr->merged);
  auto comments = Comments();
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["body"], "Superseded by #2");
  Status again = forge->ClosePullRequest(n, "twice");
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Comments().size(), 1u) << "nothing posted on a closed pull request";
}

TEST_F(GithubForgeTest, BotCommentIsEditedInPlace) {
  auto forge = TokenForge();
  int n = OpenPr(*forge, "feature");
  auto url = forge->UpsertBotComment(n, kPlanCommentMarker, {"plan v1"});
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_NE(url->find("#issuecomment-"), std::string::npos);
  auto comments = Comments();
  ASSERT_EQ(comments.size(), 1u);
  long long id = comments[0]["id"];
  EXPECT_EQ(comments[0]["body"], "<!-- datamcp:plan part 1 -->\nplan v1");

  ASSERT_TRUE(forge->UpsertBotComment(n, kPlanCommentMarker, {"plan v2"}).ok());
  comments = Comments();
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["id"], id);
  EXPECT_EQ(comments[0]["body"], "<!-- datamcp:plan part 1 -->\nplan v2");

  ASSERT_TRUE(forge->UpsertBotComment(n, kPlanCommentMarker, {"plan v2"}).ok());
  EXPECT_EQ(Requests("PATCH", "/issues/comments/").size(), 1u) << "unchanged: not edited";
}

TEST_F(GithubForgeTest, LongPlanIsSplitIntoPartsThatAreUpdatedAndPruned) {
  auto forge = TokenForge();
  int n = OpenPr(*forge, "big");
  std::string body;
  for (int i = 0; body.size() < 200000; ++i) {
    body += "  + resource \"terraform_data\" \"r" + std::to_string(i) + "\" { input = \"é\" }\n";
  }
  auto parts = SplitPlanComment({"**Plan:** 3000 to add", {{"envs/prod", body}}});
  ASSERT_TRUE(parts.ok());
  ASSERT_GE(parts->size(), 4u);
  ASSERT_TRUE(forge->UpsertBotComment(n, kPlanCommentMarker, *parts).ok());
  auto comments = Comments();
  ASSERT_EQ(comments.size(), parts->size());
  for (std::size_t i = 0; i < comments.size(); ++i) {
    std::string text = comments[i]["body"];
    EXPECT_LE(text.size(), kMaxCommentBytes);
    EXPECT_EQ(text.rfind("<!-- datamcp:plan part " + std::to_string(i + 1) + " -->\n", 0), 0u);
  }
  EXPECT_EQ(comments[0]["body"].get<std::string>().find("**Plan:** 3000 to add"),
            std::string("<!-- datamcp:plan part 1 -->\n").size());
  long long first_id = comments[0]["id"];

  auto shorter = SplitPlanComment({"**Plan:** 1 to add", {{"envs/prod", "+ one\n"}}});
  ASSERT_TRUE(shorter.ok());
  ASSERT_TRUE(forge->UpsertBotComment(n, kPlanCommentMarker, *shorter).ok());
  comments = Comments();
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["id"], first_id);
  EXPECT_EQ(Requests("DELETE", "/issues/comments/").size(), parts->size() - 1);
}

TEST_F(GithubForgeTest, UpsertLeavesOtherCommentsAndRejectsOversizedParts) {
  auto forge = TokenForge();
  int n = OpenPr(*forge, "feature");
  ASSERT_TRUE(forge->UpsertBotComment(n, "other:marker", {"not the plan"}).ok());
  ASSERT_TRUE(forge->UpsertBotComment(n, kPlanCommentMarker, {"a", "b"}).ok());
  ASSERT_TRUE(forge->UpsertBotComment(n, kPlanCommentMarker, {"a"}).ok());
  auto comments = Comments();
  ASSERT_EQ(comments.size(), 2u);
  EXPECT_EQ(comments[0]["body"], "<!-- other:marker part 1 -->\nnot the plan");

  auto big =
      forge->UpsertBotComment(n, kPlanCommentMarker, {std::string(kMaxCommentPartBytes + 1, 'x')});
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(forge->UpsertBotComment(n, "Bad Marker -->", {"x"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Comments().size(), 2u);
}

TEST_F(GithubForgeTest, WithBotLoginForgedMarkersInOthersCommentsAreIgnored) {
  GithubForgeOptions options = Options();
  options.bot_login = "datamcp-bot";
  GithubAuth auth;
  auth.token = Secret("test-token");
  auto forge = GithubForge::Create(options, auth, clock_);
  ASSERT_TRUE(forge.ok());
  int n = OpenPr(**forge, "feature");
  Control(
      "comments",
      {{"issue", n}, {"login", "mallory"}, {"body", "<!-- datamcp:plan part 1 -->\nforged plan"}});
  ASSERT_TRUE((*forge)->UpsertBotComment(n, kPlanCommentMarker, {"real plan"}).ok());
  auto comments = Comments();
  ASSERT_EQ(comments.size(), 2u);
  EXPECT_EQ(comments[0]["body"], "<!-- datamcp:plan part 1 -->\nforged plan");
  EXPECT_EQ(comments[1]["login"], "datamcp-bot");
}

TEST_F(GithubForgeTest, SetsCommitStatus) {
  auto forge = TokenForge();
  CommitState state{CommitStateKind::kFailure, "datamcp/plan", std::string(300, 'd'),
                    "https://datamcp.example/plan/1"};
  ASSERT_TRUE(forge->SetCommitStatus(kSha, state).ok());
  auto statuses = State()["statuses"];
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0]["sha"], kSha);
  EXPECT_EQ(statuses[0]["state"], "failure");
  EXPECT_EQ(statuses[0]["context"], "datamcp/plan");
  EXPECT_EQ(statuses[0]["description"].get<std::string>().size(), 140u);
  EXPECT_EQ(forge->SetCommitStatus("HEAD", state).code(), StatusCode::kInvalidArgument);
}

TEST_F(GithubForgeTest, ListsReviewsInOrder) {
  auto forge = TokenForge();
  int n = OpenPr(*forge, "feature");
  Control("reviews/" + std::to_string(n),
          json::array({{{"login", "bob"}, {"state", "CHANGES_REQUESTED"}, {"commit_id", kSha}},
                       {{"login", "bob"}, {"state", "APPROVED"}, {"commit_id", kSha}},
                       {{"login", "eve"}, {"state", "COMMENTED"}, {"commit_id", kSha}}}));
  auto reviews = forge->ListReviews(n);
  ASSERT_TRUE(reviews.ok()) << reviews.status().ToString();
  ASSERT_EQ(reviews->size(), 3u);
  EXPECT_EQ((*reviews)[0].state, ReviewState::kChangesRequested);
  EXPECT_EQ((*reviews)[1].user, "bob");
  EXPECT_EQ((*reviews)[1].state, ReviewState::kApproved);
  EXPECT_EQ((*reviews)[1].commit_sha, kSha);
  EXPECT_EQ((*reviews)[2].state, ReviewState::kCommented);
}

TEST_F(GithubForgeTest, ReadsPermissionAndTreatsStrangersAsNone) {
  auto forge = TokenForge();
  Control("permissions", {{"alice", "write"}, {"root", "admin"}, {"rita", "read"}});
  EXPECT_EQ(forge->GetPermission("alice").value_or(Permission::kNone), Permission::kWrite);
  EXPECT_EQ(forge->GetPermission("root").value_or(Permission::kNone), Permission::kAdmin);
  EXPECT_EQ(forge->GetPermission("rita").value_or(Permission::kNone), Permission::kRead);
  auto stranger = forge->GetPermission("stranger");
  ASSERT_TRUE(stranger.ok());
  EXPECT_EQ(*stranger, Permission::kNone);
  EXPECT_EQ(forge->GetPermission("../admin").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(GithubForgeTest, ListsPullRequestFiles) {
  auto forge = TokenForge();
  int n = OpenPr(*forge, "feature");
  Control("files/" + std::to_string(n),
          json::array({{{"filename", "envs/prod/main.tf"}, {"status", "modified"}},
                       {{"filename", "envs/b.tf"},
                        {"status", "renamed"},
                        {"previous_filename", "envs/a.tf"}}}));
  auto files = forge->ListPullRequestFiles(n);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "envs/prod/main.tf");
  EXPECT_EQ((*files)[1].status, "renamed");
  EXPECT_EQ((*files)[1].previous_path, "envs/a.tf");
}

TEST_F(GithubForgeTest, ReactsToACommentOncePerReaction) {
  auto forge = TokenForge();
  int n = OpenPr(*forge, "feature");
  json comment = Control("comments", {{"issue", n}, {"login", "carol"}, {"body", "/datamcp plan"}});
  long long id = comment["id"];
  ASSERT_TRUE(forge->AddCommentReaction(id, Reaction::kPlusOne).ok());
  ASSERT_TRUE(forge->AddCommentReaction(id, Reaction::kPlusOne).ok()) << "given already: OK";
  ASSERT_TRUE(forge->AddCommentReaction(id, Reaction::kMinusOne).ok());
  json reactions = State()["reactions"];
  ASSERT_EQ(reactions.size(), 2u) << reactions.dump();
  EXPECT_EQ(reactions[0]["comment_id"], id);
  EXPECT_EQ(reactions[0]["content"], "+1");
  EXPECT_EQ(reactions[0]["login"], "datamcp-bot");
  EXPECT_EQ(reactions[1]["content"], "-1");
  EXPECT_EQ(Requests("POST", "/issues/comments/" + std::to_string(id) + "/reactions").size(), 3u);
}

TEST_F(GithubForgeTest, ReactionToAMissingCommentIsNotFound) {
  auto forge = TokenForge();
  Status missing = forge->AddCommentReaction(424242, Reaction::kPlusOne);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("/issues/comments/424242/reactions"), std::string::npos)
      << missing.message();
  EXPECT_EQ(forge->AddCommentReaction(0, Reaction::kPlusOne).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Requests("POST", "/reactions").size(), 1u) << "an id of 0 sends nothing";
  EXPECT_TRUE(State()["reactions"].empty());
}

TEST_F(GithubForgeTest, BadTokenIsUnauthenticated) {
  GithubAuth auth;
  auth.token = Secret("wrong-token");
  auto forge = GithubForge::Create(Options(), auth, clock_);
  ASSERT_TRUE(forge.ok());
  auto pr = (*forge)->GetPullRequest(1);
  EXPECT_EQ(pr.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(pr.status().message().find("wrong-token"), std::string::npos);
  EXPECT_EQ(Requests("GET", "/pulls/1").size(), 1u) << "a fixed token is not retried";
}

}  // namespace
}  // namespace datamcp::forge::testing
