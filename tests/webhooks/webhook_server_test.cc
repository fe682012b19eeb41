// Integration: the production HTTP front (HttpFront, its event loops included) on 127.0.0.1
// (port 0) serving the intake with a durable store and a dispatcher, fed with real GitHub payloads
// from npm @octokit/webhooks-examples, signed by npm @octokit/webhooks-methods
// (tests/webhooks/js/sign-examples.mjs).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "bot/webhooks/payload_fields.h"
#include "bot/webhooks/signature.h"
#include "bot/webhooks/webhook_intake.h"
#include "bot/webhooks/webhook_routes.h"
#include "gitops/common/log.h"
#include "tests/support/raw_http.h"
#include "tests/support/state_db.h"
#include "tests/webhooks/recording_handler.h"
#include "tests/webhooks/subprocess.h"
#include "tests/webhooks/temp_dir.h"

namespace datamcp::bot {
namespace {

using testing::ReadFileOrEmpty;
using testing::RecordingHandler;
using testing::Subprocess;
using testing::TempDir;
using testing::WaitFor;

constexpr char kSecretText[] = "integration webhook secret";
constexpr char kRepo[] = "datamcp-test/gitops";
constexpr char kForeignRepo[] = "someone-else/other-repo";

struct Example {
  std::string event, action, delivery, signature, body;
};

// What GitHub should get back, from the table (independent of the intake's own).
int ExpectedStatus(const Example& e) {
  static const std::set<std::pair<std::string, std::string>> kHandled = {
      {"pull_request", "opened"},      {"pull_request", "reopened"},
      {"pull_request", "synchronize"}, {"pull_request", "ready_for_review"},
      {"pull_request", "closed"},      {"issue_comment", "created"},
      {"check_run", "rerequested"},    {"workflow_run", "completed"}};
  if (e.event == "ping") return 200;
  if (e.event == "push" || kHandled.count({e.event, e.action})) return 202;
  return 204;
}

std::string JsDir() {
  const char* env = std::getenv("DATAMCP_SOURCE_DIR");  // set by ctest
  return std::string(env ? env : DATAMCP_SOURCE_DIR_DEFAULT) + "/tests/webhooks/js";
}

// Runs sign-examples.mjs; fails the test when Node or the npm packages are missing.
std::vector<Example> SignedExamples(const std::string& repo, const std::string& out,
                                    const std::string& events = "") {
  std::vector<std::string> argv = {
      "node", JsDir() + "/sign-examples.mjs", "--secret", kSecretText, "--repo", repo, "--out",
      out};
  if (!events.empty()) argv.insert(argv.end(), {"--events", events});
  Subprocess node(argv);
  std::string output;
  EXPECT_EQ(node.ReadAllAndWait(&output, std::chrono::seconds(60)), 0)
      << "sign-examples.mjs failed; run scripts/install-test-deps (npm ci in tests/webhooks/js)";
  std::vector<Example> examples;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    examples.push_back({j["event"], j["action"], j["delivery"], j["signature"],
                        ReadFileOrEmpty(j["body_file"].get<std::string>())});
  }
  return examples;
}

// Sends raw bytes on a fresh connection and returns the first response (headers and a
// Content-Length body), or what arrived before the server closed or 10 s passed.
std::string RawExchange(int port, const std::string& request) {
  const int fd = test::ConnectLoopback(port);
  if (fd < 0) return "connect failed";
  (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string pending;
  std::string response = test::ReadResponse(fd, pending);
  close(fd);
  return response.empty() ? pending : response;
}

class WebhookServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    examples_dir_ = new TempDir();
    examples_ = new std::vector<Example>(SignedExamples(kRepo, *examples_dir_ / "allowed"));
    foreign_ = new std::vector<Example>(
        SignedExamples(kForeignRepo, *examples_dir_ / "foreign", "pull_request,push"));
  }
  static void TearDownTestSuite() {
    delete examples_;
    delete foreign_;
    delete examples_dir_;
  }

  void SetUp() override {
    ASSERT_FALSE(examples_->empty()) << "no payloads from @octokit/webhooks-examples";
    db_ = test::OpenSqliteState(dir_ / "store");
    ASSERT_NE(db_, nullptr);
    store_ = std::make_unique<queue::DeliveryStore>(*db_, SystemClock::Instance());
    intake_ = std::make_unique<WebhookIntake>(
        WebhookIntakeOptions{.secret = Secret(kSecretText), .allowed_repositories = {kRepo}},
        *store_, SystemClock::Instance());
    dispatcher_ =
        std::make_unique<queue::DeliveryDispatcher>(*store_, handler_, SystemClock::Instance());
    dispatcher_->Start();
    StartFront();
  }
  void TearDown() override {
    if (front_) front_->Stop();
    if (dispatcher_) dispatcher_->Stop();
  }

  // The production front on a free loopback port; `limit`: its payload limit (as set by
  // server.max_body_bytes), the intake's when 0.
  void StartFront(std::size_t limit = 0) {
    if (front_) front_->Stop();
    config::ServerConfig config;
    config.port = 0;
    config.keep_alive_seconds = keep_alive_seconds_;
    config.event_loops = event_loops_;
    front_ = std::make_unique<HttpFront>(config, metrics_);
    front_->SetPayloadLimit(limit > 0 ? limit : intake_->max_body_bytes(), "server.max_body_bytes");
    RegisterWebhookRoutes(*front_, *intake_);
    ASSERT_TRUE(front_->Bind().ok());
    port_ = front_->port();
    front_->Start();
  }

  httplib::Result Post(const Example& e, const std::string& content_type = "application/json") {
    httplib::Client client("127.0.0.1", port_);
    return Post(client, e, content_type);
  }
  static httplib::Result Post(httplib::Client& client, const Example& e,
                              const std::string& content_type = "application/json") {
    httplib::Headers headers = {{"X-GitHub-Event", e.event}, {"X-GitHub-Delivery", e.delivery}};
    if (!e.signature.empty()) headers.emplace("X-Hub-Signature-256", e.signature);
    return client.Post(kWebhookPath, headers, e.body, content_type.c_str());
  }

  // Waits until the dispatcher handled every delivery of `accepted` (id -> the trigger the
  // handler gets), each once, and nothing else.
  void ExpectEachHandledOnce(const std::map<std::string, std::string>& accepted) {
    ASSERT_TRUE(WaitFor([&] {
      return handler_.distinct() == accepted.size() &&
             test::ValueOrFail(store_->PendingIds()).empty();
    }));
    EXPECT_EQ(handler_.order().size(), accepted.size());
    for (const auto& [id, body] : accepted) {
      EXPECT_EQ(handler_.calls(id), 1) << id;
      EXPECT_EQ(handler_.body(id), body) << id;
    }
  }

  static TempDir* examples_dir_;
  static std::vector<Example>* examples_;
  static std::vector<Example>* foreign_;
  TempDir dir_;
  RecordingHandler handler_;
  std::unique_ptr<state::Database> db_;
  std::unique_ptr<queue::DeliveryStore> store_;
  std::unique_ptr<WebhookIntake> intake_;
  std::unique_ptr<queue::DeliveryDispatcher> dispatcher_;
  Metrics metrics_;
  int keep_alive_seconds_ = 5;
  int event_loops_ = 2;
  std::unique_ptr<HttpFront> front_;
  int port_ = 0;
};

TempDir* WebhookServerTest::examples_dir_ = nullptr;
std::vector<Example>* WebhookServerTest::examples_ = nullptr;
std::vector<Example>* WebhookServerTest::foreign_ = nullptr;

TEST_F(WebhookServerTest, RealPayloadsAreAnsweredAndEachAcceptedOneProcessedOnce) {
  std::map<std::string, std::string> accepted;  // delivery -> what the handler gets
  for (const Example& e : *examples_) {
    auto res = Post(e);
    ASSERT_TRUE(res) << "request failed: " << httplib::to_string(res.error());
    EXPECT_EQ(res->status, ExpectedStatus(e)) << e.event << "/" << e.action << ": " << res->body;
    if (res->status == 202) {
      PayloadFields fields;
      ASSERT_TRUE(ExtractPayloadFields(e.body, &fields));
      accepted[e.delivery] = fields.trigger;
    }
  }
  ASSERT_GE(accepted.size(), 20u) << "too few handled payloads to mean anything";
  for (const Example& e : *examples_) {  // GitHub redelivers everything
    auto res = Post(e);
    ASSERT_TRUE(res);
    const int expected = ExpectedStatus(e) == 202 ? 200 : ExpectedStatus(e);
    EXPECT_EQ(res->status, expected) << "redelivery of " << e.event << "/" << e.action;
  }
  ExpectEachHandledOnce(accepted);
}

// A keep-alive client, as wrk or a proxy in front of DataMCP would be: after its first
// request a connection waits in the front's event loops, which record each wake-up's
// deliveries in one batch. The answers and what is processed must be the same.
TEST_F(WebhookServerTest, KeepAliveDeliveriesServedInBatchesGetTheSameAnswers) {
  constexpr int kConnections = 4;
  std::map<std::string, std::string> accepted;
  for (const Example& e : *examples_) {
    PayloadFields fields;
    if (ExpectedStatus(e) == 202 && ExtractPayloadFields(e.body, &fields)) {
      accepted[e.delivery] = fields.trigger;
    }
  }
  ASSERT_GE(accepted.size(), 20u);
  std::mutex mu;
  std::vector<std::string> wrong;
  auto client = [&](int c) {
    const int fd = test::ConnectLoopback(port_);
    if (fd < 0) {
      std::lock_guard lock(mu);
      wrong.push_back("connect failed");
      return;
    }
    std::string pending;
    for (int round = 0; round < 2; ++round) {  // then GitHub redelivers everything
      for (std::size_t i = static_cast<std::size_t>(c); i < examples_->size(); i += kConnections) {
        const Example& e = (*examples_)[i];
        const std::string request =
            "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "X-GitHub-Event: " +
            e.event + "\r\nX-GitHub-Delivery: " + e.delivery +
            "\r\nX-Hub-Signature-256: " + e.signature +
            "\r\nContent-Length: " + std::to_string(e.body.size()) + "\r\n\r\n" + e.body;
        (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
        int expected = ExpectedStatus(e);
        if (round == 1 && expected == 202) expected = 200;
        const std::string prefix = "HTTP/1.1 " + std::to_string(expected) + " ";
        const std::string response = test::ReadResponse(fd, pending);
        if (response.rfind(prefix, 0) != 0) {
          std::lock_guard lock(mu);
          wrong.push_back(e.event + "/" + e.action + " round " + std::to_string(round) + ": " +
                          response.substr(0, 200));
        }
      }
    }
    close(fd);
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < kConnections; ++c) clients.emplace_back(client, c);
  for (std::thread& t : clients) t.join();
  EXPECT_TRUE(wrong.empty()) << wrong.size() << " wrong answers, first: " << wrong.front();
  EXPECT_GT(front_->served_inline(), examples_->size())
      << "the event loops served too few of the requests";
  ExpectEachHandledOnce(accepted);
}

TEST_F(WebhookServerTest, ForeignRepositoryIsRefusedAndNothingProcessed) {
  int refused = 0;
  for (const Example& e : *foreign_) {
    auto res = Post(e);
    ASSERT_TRUE(res);
    const int expected = ExpectedStatus(e) == 202 ? 403 : ExpectedStatus(e);
    EXPECT_EQ(res->status, expected) << e.event << "/" << e.action;
    refused += res->status == 403;
  }
  EXPECT_GE(refused, 5);
  EXPECT_EQ(test::ValueOrFail(store_->stats()).remembered, 0u);
  EXPECT_TRUE(handler_.order().empty());
}

TEST_F(WebhookServerTest, BadOrMissingSignatureIs401) {
  Example e = examples_->front();
  for (const Example& x : *examples_)
    if (ExpectedStatus(x) == 202) {
      e = x;
      break;
    }
  Example wrong = e;
  wrong.signature = SignSha256(Secret("not the secret"), e.body);
  Example unsigned_ = e;
  unsigned_.signature.clear();
  Example tampered = e;
  tampered.body += " ";
  for (const Example* x : {&wrong, &unsigned_, &tampered}) {
    auto res = Post(*x);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << res->body;
  }
  EXPECT_EQ(test::ValueOrFail(store_->stats()).remembered, 0u);
}

// Finding 9 of issue 11: a real signed request, captured byte for byte as it went over the
// wire, sent again with only X-GitHub-Delivery changed is refused and handled once.
TEST_F(WebhookServerTest, ReplayedCapturedRequestUnderNewDeliveryIdIsRefused) {
  for (const char* wanted : {"pull_request/closed", "issue_comment/created"}) {
    const Example* e = nullptr;
    for (const Example& x : *examples_)
      if (x.event + "/" + x.action == wanted) e = &x;
    ASSERT_NE(e, nullptr) << wanted;
    auto capture = [&](const std::string& delivery) {
      return "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: application/json\r\nX-GitHub-Event: " +
             e->event + "\r\nX-GitHub-Delivery: " + delivery +
             "\r\nX-Hub-Signature-256: " + e->signature +
             "\r\nContent-Length: " + std::to_string(e->body.size()) +
             "\r\nConnection: close\r\n\r\n" + e->body;
    };
    const std::string first = RawExchange(port_, capture(e->delivery));
    ASSERT_EQ(first.rfind("HTTP/1.1 202", 0), 0u) << wanted << ": " << first;
    const std::string replayed = capture(e->delivery + "-replayed");
    const std::string again = RawExchange(port_, replayed);
    EXPECT_EQ(again.rfind("HTTP/1.1 409", 0), 0u) << wanted << ": " << again;
    EXPECT_NE(again.find("a replay"), std::string::npos) << again;
    EXPECT_EQ(RawExchange(port_, replayed).rfind("HTTP/1.1 409", 0), 0u) << "replayed twice";
    // GitHub's own redelivery (same id) is still a harmless 200.
    EXPECT_EQ(RawExchange(port_, capture(e->delivery)).rfind("HTTP/1.1 200", 0), 0u);
    EXPECT_EQ(store_->Read(e->delivery + "-replayed").status().code(), StatusCode::kNotFound);
  }
  ASSERT_TRUE(WaitFor(
      [&] { return handler_.distinct() == 2 && test::ValueOrFail(store_->PendingIds()).empty(); }));
  EXPECT_EQ(handler_.order().size(), 2u) << "each body handled once";
  EXPECT_EQ(test::ValueOrFail(store_->stats()).remembered, 2u);
}

TEST_F(WebhookServerTest, UnknownEventIs204AndNotRecorded) {
  Example e = examples_->front();
  e.event = "made_up_event";
  auto res = Post(e);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(test::ValueOrFail(store_->stats()).remembered, 0u);
}

TEST_F(WebhookServerTest, FormEncodedIs415EvenWhenOversized) {
  Example e = examples_->front();
  auto res = Post(e, "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  std::string raw = RawExchange(port_,
                                "POST /webhooks/github HTTP/1.1\r\nHost: x\r\n"
                                "Content-Type: application/x-www-form-urlencoded\r\n"
                                "Content-Length: 104857600\r\nX-GitHub-Event: push\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 415", 0), 0u) << raw;
}

TEST_F(WebhookServerTest, OversizedBodyIs413BeforeItIsRead) {
  // Only the headers are sent: the answer must come without the body, and tell the client
  // the connection ends (the body is never read).
  std::string raw = RawExchange(port_,
                                "POST /webhooks/github HTTP/1.1\r\nHost: x\r\n"
                                "Content-Type: application/json\r\n"
                                "Content-Length: 26214401\r\nX-GitHub-Event: push\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 413", 0), 0u) << raw;
  EXPECT_NE(raw.find("Connection: close"), std::string::npos) << raw;
}

TEST_F(WebhookServerTest, OversizedChunkedBodyIs413) {
  const std::string chunk(1 << 20, 'x');
  std::string request =
      "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nX-GitHub-Event: push\r\n\r\n";
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (int i = 0; i < 26; ++i) request += size_line + chunk + "\r\n";
  request += "0\r\n\r\n";
  std::string raw = RawExchange(port_, request);
  EXPECT_EQ(raw.rfind("HTTP/1.1 413", 0), 0u) << raw.substr(0, 200);
  EXPECT_EQ(test::ValueOrFail(store_->stats()).remembered, 0u);
}

TEST_F(WebhookServerTest, ConnectionStaysUsableAfter415WithinLimit) {
  const std::string form = "payload=%7B%7D";
  const std::string first =
      "POST /webhooks/github HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string(form.size()) + "\r\nX-GitHub-Event: push\r\n\r\n" + form;
  const std::string second = "GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const int fd = test::ConnectLoopback(port_);
  ASSERT_GE(fd, 0);
  std::string all;
  char buf[4096];
  ASSERT_GT(send(fd, first.data(), first.size(), MSG_NOSIGNAL), 0);
  while (all.find("not supported") == std::string::npos) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    all.append(buf, static_cast<std::size_t>(n));
  }
  ASSERT_GT(send(fd, second.data(), second.size(), MSG_NOSIGNAL), 0);  // same connection
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
    all.append(buf, static_cast<std::size_t>(n));
  close(fd);
  EXPECT_EQ(all.rfind("HTTP/1.1 415", 0), 0u) << all;
  EXPECT_NE(all.find("HTTP/1.1 404"), std::string::npos)
      << "second request was not parsed: " << all;
}

TEST_F(WebhookServerTest, ServerPayloadLimitGives413AndContentTypeIsCheckedFirst) {
  StartFront(1024);  // as if the operator set server.max_body_bytes low
  Example e = examples_->front();
  for (const Example& x : *examples_) {
    if (ExpectedStatus(x) == 202 && x.body.size() > 1024) {
      e = x;
      break;
    }
  }
  ASSERT_GT(e.body.size(), 1024u);
  auto form = Post(e, "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);
  auto json = Post(e);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 413) << json->body;
  EXPECT_EQ(test::ValueOrFail(store_->stats()).remembered, 0u);
}

// The values at `path` ("a.b", "a[].b") in `doc`, walked with nlohmann/json: an independent
// reading of the full payload to check the intake's simdjson extraction against.
std::vector<nlohmann::json> ValuesAt(const nlohmann::json& doc, std::string_view path) {
  std::vector<nlohmann::json> level = {doc};
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t dot = path.find('.', start);
    if (dot == std::string_view::npos) dot = path.size();
    std::string key(path.substr(start, dot - start));
    const bool each = key.ends_with("[]");
    if (each) key.resize(key.size() - 2);
    std::vector<nlohmann::json> next;
    for (const nlohmann::json& v : level) {
      if (!v.is_object() || !v.contains(key)) continue;
      if (!each) {
        next.push_back(v[key]);
      } else if (v[key].is_array()) {
        for (const nlohmann::json& item : v[key]) next.push_back(item);
      }
    }
    level = std::move(next);
    start = dot + 1;
  }
  std::vector<nlohmann::json> scalars;
  for (const nlohmann::json& v : level) {
    if (!v.is_structured()) scalars.push_back(v);
  }
  return scalars;
}

TEST_F(WebhookServerTest, RecordedTriggerHoldsEveryFieldTheHandlerReads) {
  int checked = 0;
  for (const Example& e : *examples_) {
    if (ExpectedStatus(e) != 202) continue;
    PayloadFields fields;
    ASSERT_TRUE(ExtractPayloadFields(e.body, &fields)) << e.event;
    const nlohmann::json full = nlohmann::json::parse(e.body);
    const nlohmann::json trigger = nlohmann::json::parse(fields.trigger);
    for (std::string_view path : kTriggerPaths) {
      std::vector<nlohmann::json> want = ValuesAt(full, path);
      for (nlohmann::json& v : want) {  // long strings are cut to kMaxTriggerString bytes
        if (v.is_string() && v.get<std::string>().size() > kMaxTriggerString) {
          v = v.get<std::string>().substr(0, kMaxTriggerString);
        }
      }
      EXPECT_EQ(ValuesAt(trigger, path), want) << e.event << "/" << e.action << " " << path;
      checked += static_cast<int>(want.size());
    }
    EXPECT_LT(fields.trigger.size(), 2048u) << e.event << "/" << e.action;
    EXPECT_GT(e.body.size(), fields.trigger.size()) << e.event;
  }
  EXPECT_GE(checked, 100) << "too few fields present to mean anything";
}

TEST_F(WebhookServerTest, PingIs200) {
  for (const Example& e : *examples_) {
    if (e.event != "ping") continue;
    auto res = Post(e);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    return;
  }
  FAIL() << "no ping example in @octokit/webhooks-examples";
}

}  // namespace
}  // namespace datamcp::bot
