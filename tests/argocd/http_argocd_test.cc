#include "gitops/argocd/api/http_argocd.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <filesystem>
#include <sstream>

#include "gitops/argocd/api/sync_and_wait.h"
#include "gitops/common/log.h"
#include "tests/argocd/fake_argocd_server.h"
#include "tests/support/run.h"

namespace datamcp::argocd {
namespace {

using namespace std::chrono_literals;
using Reason = SyncOutcome::Reason;

constexpr char kToken[] = "argocd-test-token-5b7e";
constexpr char kRev[] = "9f2c1e0aa1b2c3d4e5f60718293a4b5c6d7e8f90";

class HttpArgoCdTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(fake_.Start(kToken)); }
  void TearDown() override {
    // Nothing the fake rendered or received may violate the Argo CD schemas.
    EXPECT_EQ(fake_.Errors(), nlohmann::json::array());
  }

  std::unique_ptr<HttpArgoCd> Client(std::string token = kToken) {
    HttpArgoCdOptions o;
    o.url = fake_.url();
    o.token = Secret(std::move(token));
    o.connect_timeout = 2s;
    o.read_timeout = 5s;
    auto c = HttpArgoCd::Create(std::move(o), clock_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  Result<SyncOutcome> Run(const std::string& app, const std::string& ns = "") {
    auto client = Client();
    SyncRequest r{app, ns, kRev, 30s, 1s};
    return SyncAndWait(*client, clock_, r);
  }

  test::FakeArgoCdServer fake_;
  ManualClock clock_;
};

TEST_F(HttpArgoCdTest, HealthyApplicationSyncsToTheMergeCommit) {
  fake_.AddApplication("web", "healthy");
  auto out = Run("web");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->succeeded) << out->message;
  EXPECT_EQ(out->reason, Reason::kSucceeded);
  EXPECT_EQ(out->revision, kRev);
  EXPECT_EQ(out->sync_status, "Synced");
  EXPECT_EQ(out->health, "Healthy");
  EXPECT_EQ(out->phase, "Succeeded");
  EXPECT_EQ(out->polls, 3);  // Running, Running, Succeeded
  auto requests = fake_.SyncRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["body"],
            nlohmann::json::parse(std::string(R"({"name":"web","prune":false,"dryRun":false,)") +
                                  R"("revision":")" + kRev + "\"}"));
}

TEST_F(HttpArgoCdTest, DegradedApplicationFails) {
  fake_.AddApplication("web", "degraded");
  auto out = Run("web");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE(out->succeeded);
  EXPECT_EQ(out->reason, Reason::kDegraded);
  EXPECT_EQ(out->health, "Degraded");
}

TEST_F(HttpArgoCdTest, WrongRevisionTimesOutNamingWhatArgoReports) {
  fake_.AddApplication("web", "wrong-revision");
  auto start = clock_.SteadyNow();
  auto out = Run("web");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE(out->succeeded);
  EXPECT_EQ(out->reason, Reason::kTimedOut);
  EXPECT_EQ(out->revision, "2222222222222222222222222222222222222222");
  EXPECT_NE(out->message.find("revision 2222222222"), std::string::npos) << out->message;
  EXPECT_EQ(clock_.SteadyNow() - start, 30s);
}

TEST_F(HttpArgoCdTest, NeverFinishingSyncTimesOut) {
  fake_.AddApplication("web", "never-finishes");
  auto out = Run("web");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->reason, Reason::kTimedOut);
  EXPECT_EQ(out->phase, "Running");
  EXPECT_EQ(out->polls, 31);  // every second from 0 to 30 s
  EXPECT_NE(out->message.find("operation Running"), std::string::npos) << out->message;
}

TEST_F(HttpArgoCdTest, SecondSyncJoinsSameRevisionAndRefusesAnother) {
  fake_.AddApplication("web", "never-finishes");
  ASSERT_TRUE(Run("web").ok());
  auto same = Run("web");  // Argo CD answers "another operation is already in progress"
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->reason, Reason::kTimedOut);
  auto client = Client();
  SyncRequest other{"web", "", "0000000000000000000000000000000000000abc", 30s, 1s};
  auto refused = SyncAndWait(*client, clock_, other);
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find(kRev), std::string::npos);
  EXPECT_EQ(fake_.SyncRequests().size(), 3u);
}

TEST_F(HttpArgoCdTest, FailedSyncCarriesArgoMessage) {
  fake_.AddApplication("web", "fail");
  auto out = Run("web");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->reason, Reason::kOperationFailed);
  EXPECT_EQ(out->phase, "Failed");
  EXPECT_NE(out->message.find("failed to apply"), std::string::npos) << out->message;
}

TEST_F(HttpArgoCdTest, AppNamespaceSelectsTheApplication) {
  fake_.AddApplication("web", "healthy", "team-a", 0);
  auto out = Run("web", "team-a");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->succeeded);
  EXPECT_EQ(fake_.SyncRequests()[0]["body"]["appNamespace"], "team-a");
  auto other = Client()->GetApplication("web", "");
  EXPECT_EQ(other.status().code(), StatusCode::kNotFound) << other.status().ToString();
}

TEST_F(HttpArgoCdTest, WrongTokenIsUnauthenticatedAndNamesTheKey) {
  fake_.AddApplication("web", "healthy");
  auto client = Client("wrong-token-value");
  Status s = client->Sync("web", "", kRev);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  EXPECT_NE(s.message().find("argocd.token"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("wrong-token-value"), std::string::npos);
  EXPECT_TRUE(clock_.sleeps().empty()) << "a 401 is not retried";
  EXPECT_EQ(fake_.SyncRequests().size(), 0u);
}

TEST_F(HttpArgoCdTest, ServerErrorsAreRetriedWithBackoff) {
  fake_.AddApplication("web", "healthy");
  fake_.FailNext(2, 503);
  auto got = Client()->GetApplication("web", "");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->sync_status, "OutOfSync");
  EXPECT_EQ(clock_.sleeps(), (std::vector<Clock::Duration>{500ms, 1000ms}));
}

TEST_F(HttpArgoCdTest, PersistentServerErrorsBecomeUnavailable) {
  fake_.AddApplication("web", "healthy");
  fake_.FailNext(100, 502);
  Status s = Client()->Sync("web", "", kRev);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("HTTP 502"), std::string::npos) << s.message();
  EXPECT_EQ(clock_.sleeps().size(), 3u);  // 4 attempts
}

TEST_F(HttpArgoCdTest, UnknownApplicationIsNotFound) {
  Status s = Client()->Sync("missing", "", kRev);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

TEST_F(HttpArgoCdTest, InvalidNameIsRejectedBeforeAnyRequest) {
  Status s = Client()->Sync("../web", "", kRev);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Client()->Sync("web", "", "abc def").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fake_.SyncRequests().size(), 0u);
}

TEST_F(HttpArgoCdTest, ConnectionRefusedIsUnavailableAfterRetries) {
  auto client = Client();
  fake_.Stop();
  Status s = client->Sync("web", "", kRev);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(clock_.sleeps().size(), 3u);
  ASSERT_NO_FATAL_FAILURE(fake_.Start(kToken));  // for TearDown
}

TEST_F(HttpArgoCdTest, TokenIsNeverLogged) {
  std::ostringstream captured;
  log::SetSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  log::SetLevel(log::Level::kDebug);
  fake_.AddApplication("web", "healthy");
  fake_.FailNext(1, 503);
  auto out = Run("web");
  log::Init(log::Level::kInfo, log::Format::kJson);
  ASSERT_TRUE(out.ok());
  EXPECT_NE(captured.str().find("argocd.sync_finished"), std::string::npos) << captured.str();
  EXPECT_EQ(captured.str().find(kToken), std::string::npos);
}

TEST(HttpArgoCdCreateTest, RejectsBadOptions) {
  ManualClock clock;
  HttpArgoCdOptions o;
  o.token = Secret("t");
  for (std::string url : {"argocd.example.com", "ftp://argocd", "http://argocd.example.com",
                          "https://user:pw@argocd.example.com", "https://"}) {
    o.url = url;
    auto c = HttpArgoCd::Create(o, clock);
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_NE(c.status().message().find("argocd.url"), std::string::npos) << url;
  }
  o.url = "https://user:hunter2@argocd.example.com";
  EXPECT_EQ(HttpArgoCd::Create(o, clock).status().message().find("hunter2"), std::string::npos);
  for (std::string url : {"https://argocd.example.com/argocd/", "http://[::1]",
                          "http://localhost:8080", "https://[2001:db8::1]:8443"}) {
    o.url = url;
    EXPECT_TRUE(HttpArgoCd::Create(o, clock).ok()) << url;
  }
  o.token = Secret("");
  EXPECT_NE(HttpArgoCd::Create(o, clock).status().message().find("argocd.token"),
            std::string::npos);
  o.token = Secret("t");
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_NE(HttpArgoCd::Create(o, clock).status().message().find("argocd.ca_file"),
            std::string::npos);
}

TEST(HttpArgoCdCreateTest, FromConfigNeedsAUrl) {
  ManualClock clock;
  config::ArgoCdConfig c;
  EXPECT_EQ(HttpArgoCdFromConfig(c, clock).status().code(), StatusCode::kFailedPrecondition);
  c.url = "https://argocd.example.com";
  c.token = Secret("t");
  auto client = HttpArgoCdFromConfig(c, clock);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->url(), c.url);
}

class HttpArgoCdTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::MakeTempDir("argocd-tls");
    test::Must(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem");
    ASSERT_NO_FATAL_FAILURE(fake_.Start(kToken, dir_ + "/cert.pem", dir_ + "/key.pem"));
    fake_.AddApplication("web", "healthy", "", 0);
  }
  void TearDown() override {
    fake_.Stop();
    std::filesystem::remove_all(dir_);
  }
  Result<AppStatus> Get(const std::string& ca_file) {
    HttpArgoCdOptions o;
    o.url = fake_.url();
    o.token = Secret(kToken);
    o.ca_file = ca_file;
    o.max_attempts = 1;
    DATAMCP_ASSIGN_OR_RETURN(auto client, HttpArgoCd::Create(o, clock_));
    return client->GetApplication("web", "");
  }

  std::string dir_;
  test::FakeArgoCdServer fake_;
  ManualClock clock_;
};

TEST_F(HttpArgoCdTlsTest, HttpsWithCaFileWorks) {
  auto got = Get(dir_ + "/cert.pem");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->health_status, "Healthy");
}

TEST_F(HttpArgoCdTlsTest, HttpsWithUntrustedCertificateFails) {
  auto got = Get("");
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable) << got.status().ToString();
}

}  // namespace
}  // namespace datamcp::argocd
