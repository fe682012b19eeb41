#include "bot/webhooks/webhook_intake.h"

#include <gtest/gtest.h>

#include <cctype>

#include "bot/webhooks/signature.h"
#include "gitops/common/utc_time.h"
#include "tests/support/state_db.h"
#include "tests/webhooks/temp_dir.h"

namespace datamcp::bot {
namespace {

const Secret kSecret("test webhook secret");
constexpr char kRepo[] = "datamcp-test/gitops";

std::string Payload(const std::string& action, const std::string& repo = kRepo) {
  return R"({"action":")" + action + R"(","number":7,"repository":{"full_name":")" + repo +
         R"(","name":"gitops"}})";
}

class WebhookIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = test::OpenSqliteState(dir_.path());
    ASSERT_NE(db_, nullptr);
    store_ = std::make_unique<queue::DeliveryStore>(*db_, clock_);
    intake_ = std::make_unique<WebhookIntake>(
        WebhookIntakeOptions{.secret = kSecret, .allowed_repositories = {"DataMCP-Test/GitOps"}},
        *store_, clock_);
  }
  WebhookHeaders Headers(const std::string& event, const std::string& body,
                         const std::string& delivery = "d-1") {
    return {"application/json", event, delivery, SignSha256(kSecret, body)};
  }
  IntakeResult Send(const std::string& event, const std::string& body,
                    const std::string& delivery = "d-1") {
    return intake_->Handle(Headers(event, body, delivery), body);
  }

  testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<state::Database> db_;
  std::unique_ptr<queue::DeliveryStore> store_;
  std::unique_ptr<WebhookIntake> intake_;
};

TEST_F(WebhookIntakeTest, RecordsSignedPullRequestAndAnswers202) {
  const std::string body = Payload("opened");
  IntakeResult r = Send("pull_request", body);
  EXPECT_EQ(r.status, 202) << r.message;
  ASSERT_TRUE(r.accepted.has_value());
  EXPECT_EQ(r.accepted->repository, kRepo);
  auto pending = store_->Pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  const queue::Delivery& d = (*pending)[0];
  EXPECT_EQ(d.id, "d-1");
  EXPECT_EQ(d.event, "pull_request");
  EXPECT_EQ(d.action, "opened");
  // Only the fields the bot acts on are kept ("name" is not one of them).
  EXPECT_EQ(d.body,
            R"({"action":"opened","number":7,"repository":{"full_name":"datamcp-test/gitops"}})");
  EXPECT_EQ(d.received_unix_ms, clock_.UnixSeconds() * 1000);
}

TEST_F(WebhookIntakeTest, DuplicateDeliveryIsAnswered200AndRecordedOnce) {
  ASSERT_EQ(Send("pull_request", Payload("opened")).status, 202);
  IntakeResult again = Send("pull_request", Payload("opened"));
  EXPECT_EQ(again.status, 200);
  EXPECT_FALSE(again.accepted.has_value());
  EXPECT_EQ(test::ValueOrFail(store_->PendingIds()).size(), 1u);
}

TEST_F(WebhookIntakeTest, MissingOrWrongSignatureIs401AndNothingRecorded) {
  const std::string body = Payload("opened");
  WebhookHeaders h = Headers("pull_request", body);
  h.signature.clear();
  EXPECT_EQ(intake_->Handle(h, body).status, 401);
  h.signature = SignSha256(Secret("wrong"), body);
  EXPECT_EQ(intake_->Handle(h, body).status, 401);
  h = Headers("pull_request", body);
  EXPECT_EQ(intake_->Handle(h, Payload("closed")).status, 401);  // body changed after signing
  EXPECT_TRUE(test::ValueOrFail(store_->PendingIds()).empty());
}

TEST_F(WebhookIntakeTest, FormEncodedIs415BeforeTheSizeCheck) {
  WebhookHeaders h = Headers("push", "{}");
  h.content_type = "application/x-www-form-urlencoded";
  auto early = intake_->CheckBeforeBody(h, std::size_t{1} << 40);
  ASSERT_TRUE(early.has_value());
  EXPECT_EQ(early->status, 415);
  EXPECT_NE(early->message.find("application/json"), std::string::npos);
  EXPECT_EQ(intake_->Handle(h, "payload=%7B%7D").status, 415);
}

TEST_F(WebhookIntakeTest, JsonWithCharsetIsAccepted) {
  WebhookHeaders h = Headers("push", "{}");
  h.content_type = "Application/JSON; charset=utf-8";
  EXPECT_FALSE(intake_->CheckBeforeBody(h, 2).has_value());
}

TEST_F(WebhookIntakeTest, BodyOverDefault25MegabytesIs413) {
  WebhookHeaders h = Headers("push", "{}");
  EXPECT_EQ(intake_->max_body_bytes(), 25u << 20);
  EXPECT_FALSE(intake_->CheckBeforeBody(h, 25u << 20).has_value());
  auto early = intake_->CheckBeforeBody(h, (25u << 20) + 1);
  ASSERT_TRUE(early.has_value());
  EXPECT_EQ(early->status, 413);
  std::string big = "{\"pad\":\"" + std::string(25u << 20, 'x') + "\"}";
  EXPECT_EQ(intake_->Handle(Headers("push", big), big).status, 413);
}

TEST_F(WebhookIntakeTest, UnknownEventAndUnhandledActionAre204AndNotRecorded) {
  EXPECT_EQ(Send("issues", Payload("opened")).status, 204);
  EXPECT_EQ(Send("pull_request", Payload("labeled")).status, 204);
  EXPECT_EQ(Send("issue_comment", Payload("edited")).status, 204);
  EXPECT_EQ(Send("check_run", Payload("completed")).status, 204);
  EXPECT_EQ(Send("workflow_run", Payload("requested")).status, 204);
  EXPECT_TRUE(test::ValueOrFail(store_->PendingIds()).empty());
}

TEST_F(WebhookIntakeTest, EveryHandledEventAndActionIsRecorded) {
  const std::vector<std::pair<std::string, std::string>> handled = {
      {"pull_request", "opened"},      {"pull_request", "reopened"},
      {"pull_request", "synchronize"}, {"pull_request", "ready_for_review"},
      {"pull_request", "closed"},      {"issue_comment", "created"},
      {"check_run", "rerequested"},    {"workflow_run", "completed"}};
  int n = 0;
  for (const auto& [event, action] : handled) {
    EXPECT_EQ(Send(event, Payload(action), "d" + std::to_string(n++)).status, 202)
        << event << " " << action;
  }
  const std::string push =
      R"({"ref":"refs/heads/main","repository":{"full_name":"datamcp-test/gitops"}})";
  EXPECT_EQ(Send("push", push, "push-1").status, 202);
  EXPECT_EQ(test::ValueOrFail(store_->PendingIds()).size(), handled.size() + 1);
}

TEST_F(WebhookIntakeTest, PingIs200AndNotRecorded) {
  IntakeResult r = Send("ping", R"({"zen":"Keep it logically awesome.","hook_id":1})");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(test::ValueOrFail(store_->PendingIds()).empty());
}

TEST_F(WebhookIntakeTest, RepositoryNotAllowlistedIs403AndNotRecorded) {
  IntakeResult r = Send("pull_request", Payload("opened", "someone/else"));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.message.find("someone/else"), std::string::npos);
  EXPECT_EQ(Send("pull_request", R"({"action":"opened"})", "no-repo").status, 403);
  EXPECT_TRUE(test::ValueOrFail(store_->PendingIds()).empty());
}

TEST_F(WebhookIntakeTest, MalformedRequestsAre400) {
  EXPECT_EQ(Send("pull_request", "{not json").status, 400);
  EXPECT_EQ(Send("pull_request", "[1,2]").status, 400);
  EXPECT_EQ(Send("pull_request", Payload("opened"), "").status, 400);
  EXPECT_EQ(Send("", Payload("opened")).status, 400);
  EXPECT_TRUE(test::ValueOrFail(store_->PendingIds()).empty());
}

TEST_F(WebhookIntakeTest, DeeplyNestedBodyIs400AndNotRecorded) {
  const std::string body = R"({"action":"opened","number":7,"repository":{"full_name":")" +
                           std::string(kRepo) + R"("},"x":)" + std::string(100, '[') +
                           std::string(100, ']') + "}";
  IntakeResult r = Send("pull_request", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.message,
            "body of delivery d-1 nests arrays/objects deeper than 64 levels, which is the limit");
  EXPECT_TRUE(store_->Pending()->empty());
}

TEST(WebhookIntakeOptionsTest, RefusesToStartWithoutSecret) {
  config::Config c;
  c.server.bind = "0.0.0.0";
  auto r = WebhookIntakeOptionsFromConfig(c, /*binds_loopback=*/false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("webhooks.secret"), std::string::npos);
  c.auth.mode = "none";  // no-auth alone is not enough off loopback
  EXPECT_FALSE(WebhookIntakeOptionsFromConfig(c, false).ok());
  c.auth.mode = "jwt";  // loopback alone is not enough either
  EXPECT_FALSE(WebhookIntakeOptionsFromConfig(c, true).ok());
}

TEST(WebhookIntakeOptionsTest, LoopbackNoAuthDevelopmentModeAcceptsUnsigned) {
  config::Config c;
  c.auth.mode = "none";
  c.forge.github_repository = "datamcp-test/gitops";
  auto r = WebhookIntakeOptionsFromConfig(c, /*binds_loopback=*/true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->allow_unsigned);
  EXPECT_EQ(r->allowed_repositories, std::vector<std::string>{"datamcp-test/gitops"});

  testing::TempDir dir;
  ManualClock clock;
  auto db = test::OpenSqliteState(dir.path());
  ASSERT_NE(db, nullptr);
  queue::DeliveryStore store(*db, clock);
  WebhookIntake intake(*r, store, clock);
  EXPECT_EQ(intake.Handle({"application/json", "pull_request", "d", ""}, Payload("opened")).status,
            202);
}

TEST(WebhookIntakeOptionsTest, TakesSecretLimitAndAllowlistFromConfig) {
  config::Config c;
  c.webhooks.secret = Secret("s");
  c.webhooks.allowed_repositories = {"a/b"};
  c.webhooks.max_body_bytes = 1234;
  c.forge.github_repository = "ignored/when-allowlist-set";
  auto r = WebhookIntakeOptionsFromConfig(c, false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->allow_unsigned);
  EXPECT_EQ(r->secret.Reveal(), "s");
  EXPECT_EQ(r->max_body_bytes, 1234u);
  EXPECT_EQ(r->allowed_repositories, std::vector<std::string>{"a/b"});
}

// A comment command older than the window would no longer be recognised by its digest once
// the record is pruned: it is refused by its own creation time (finding 9 of issue 11).
TEST_F(WebhookIntakeTest, CommentCommandOlderThanTheWindowIsRefusedAsAReplay) {
  auto comment = [](const std::string& created_at) {
    return R"({"action":"created","issue":{"number":7,"pull_request":{"url":"u"}},)"
           R"("comment":{"id":1,"body":"/datamcp unlock","created_at":")" +
           created_at + R"("},"repository":{"full_name":"datamcp-test/gitops"}})";
  };
  const long long now = clock_.UnixMillis() / 1000;
  IntakeResult stale = Send("issue_comment", comment(FormatUtcIso8601(now - 73 * 3600)), "old");
  EXPECT_EQ(stale.status, 409) << stale.message;
  EXPECT_NE(stale.message.find("replayed command"), std::string::npos) << stale.message;
  EXPECT_EQ(test::ValueOrFail(store_->stats()).remembered, 0u);
  IntakeResult fresh = Send("issue_comment", comment(FormatUtcIso8601(now - 60)), "new");
  EXPECT_EQ(fresh.status, 202) << fresh.message;
  IntakeResult bad = Send("issue_comment", comment("yesterday"), "bad");
  EXPECT_EQ(bad.status, 400) << bad.message;
  EXPECT_NE(bad.message.find("comment.created_at"), std::string::npos) << bad.message;
}

TEST_F(WebhookIntakeTest, SameSignedBodyUnderAnotherDeliveryIdIs409) {
  const std::string body = Payload("opened");
  EXPECT_EQ(Send("pull_request", body, "first").status, 202);
  IntakeResult replay = Send("pull_request", body, "second");
  EXPECT_EQ(replay.status, 409) << replay.message;
  EXPECT_FALSE(replay.accepted.has_value());
  EXPECT_EQ(Send("pull_request", body, "first").status, 200);  // GitHub's redelivery
  EXPECT_EQ(test::ValueOrFail(store_->PendingIds()), std::vector<std::string>{"first"});
}

TEST_F(WebhookIntakeTest, ABatchIsAnsweredAsIfHandledOneAfterAnother) {
  const std::string opened = Payload("opened");
  const std::string closed = Payload("closed");
  const std::string bad = "not json";
  ASSERT_EQ(Send("pull_request", closed, "before").status, 202);
  WebhookHeaders unsigned_headers = Headers("pull_request", opened, "unsigned");
  unsigned_headers.signature.clear();
  const std::vector<WebhookRequest> batch = {
      {Headers("pull_request", opened, "a"), opened},       // recorded
      {Headers("pull_request", opened, "a"), opened},       // the same id again: 200
      {Headers("pull_request", opened, "b"), opened},       // the same body, another id: 409
      {unsigned_headers, opened},                           // 401, decided before the store
      {Headers("push", bad, "c"), bad},                     // 400
      {Headers("pull_request", closed, "before"), closed},  // recorded earlier: 200
      {Headers("ping", "{}", "p"), "{}"},                   // 200 pong, not recorded
  };
  std::vector<int> statuses;
  for (const IntakeResult& r : intake_->HandleAll(batch)) statuses.push_back(r.status);
  EXPECT_EQ(statuses, (std::vector<int>{202, 200, 409, 401, 400, 200, 200}));
  EXPECT_EQ(test::ValueOrFail(store_->PendingIds()), (std::vector<std::string>{"before", "a"}));
}

// The digest is the verified HMAC, which the header may spell in either hex case: a replay
// that only changes the case is still the same body.
TEST_F(WebhookIntakeTest, ReplayWithTheSignatureInUppercaseIsStill409) {
  const std::string body = Payload("opened");
  EXPECT_EQ(Send("pull_request", body, "first").status, 202);
  WebhookHeaders h = Headers("pull_request", body, "second");
  for (std::size_t i = 7; i < h.signature.size(); ++i) {
    h.signature[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(h.signature[i])));
  }
  IntakeResult replay = intake_->Handle(h, body);
  EXPECT_EQ(replay.status, 409) << replay.message;
  EXPECT_EQ(test::ValueOrFail(store_->PendingIds()), std::vector<std::string>{"first"});
}

}  // namespace
}  // namespace datamcp::bot
