// TLS, secret hygiene, and the fake's own schema checking.
#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include "gitops/common/log.h"
#include "gitops/forge/github_http.h"
#include "tests/forge/github_test_util.h"

namespace datamcp::forge::testing {
namespace {

using nlohmann::json;

class GithubSafetyTest : public GithubFakeTest {};

TEST_F(GithubSafetyTest, FakeRejectsRequestsThatBreakTheSchema) {
  GithubHttpOptions options;
  options.api_url = fake_->url();
  options.max_attempts = 1;
  auto http = GithubHttp::Create(options, clock_);
  ASSERT_TRUE(http.ok());
  json bad = {{"title", 5}, {"base", "main"}};  // no head, title not a string
  auto r = (*http)->Call("POST", "/repos/octo/gitops/pulls", &bad, Secret("test-token"));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("schema violation"), std::string::npos);
  json violations = State()["violations"];
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].dump().find("head"), std::string::npos);
  Control("reset", json::object());  // this test's violation is expected
}

TEST_F(GithubSafetyTest, TokensNeverReachTheLog) {
  std::ostringstream captured;
  log::SetSink(std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  auto forge = AppForge();
  ASSERT_NE(forge, nullptr);
  Control("fail-next", {{"status", 502}});
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  Control("config", {{"installationTokens", json::object()}});
  ASSERT_TRUE(forge->GetPermission("alice").ok());
  log::Init(log::Level::kInfo, log::Format::kJson);
  std::string logs = captured.str();
  EXPECT_NE(logs.find("github_retry"), std::string::npos) << logs;
  EXPECT_NE(logs.find("github_app_token"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("ghs_"), std::string::npos) << "installation token logged";
  EXPECT_EQ(logs.find("eyJ"), std::string::npos) << "JWT logged";
  EXPECT_EQ(logs.find("PRIVATE KEY"), std::string::npos);
}

// A tiny HTTPS GitHub: one pull request, served with a self-signed certificate.
class TlsGithub {
 public:
  explicit TlsGithub(const std::string& dir)
      : server_((dir + "/cert.pem").c_str(), (dir + "/key.pem").c_str()) {
    server_.Get("/api/v3/repos/octo/gitops/pulls/7", [](const auto&, httplib::Response& res) {
      json pr = {{"number", 7},
                 {"title", "t"},
                 {"state", "open"},
                 {"head", {{"ref", "f"}, {"sha", "abc"}, {"repo", {{"full_name", "octo/gitops"}}}}},
                 {"base", {{"ref", "main"}, {"repo", {{"full_name", "octo/gitops"}}}}}};
      res.set_content(pr.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ~TlsGithub() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(GithubTlsTest, HttpsApiUrlTrustsOnlyTheConfiguredCa) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("datamcp-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  WriteSelfSignedCert(dir);
  TlsGithub server(dir);
  ManualClock clock;
  GithubForgeOptions options;
  options.repository = "octo/gitops";
  options.http.api_url = "https://localhost:" + std::to_string(server.port()) + "/api/v3";
  options.http.ca_file = dir + "/cert.pem";
  options.http.max_attempts = 2;
  GithubAuth auth;
  auth.token = Secret("t");
  auto trusted = GithubForge::Create(options, auth, clock);
  ASSERT_TRUE(trusted.ok()) << trusted.status().ToString();
  auto pr = (*trusted)->GetPullRequest(7);
  ASSERT_TRUE(pr.ok()) << pr.status().ToString();
  EXPECT_EQ(pr->head_ref, "f");

  options.http.ca_file.clear();  // the system's CAs do not know this certificate
  auto untrusted = GithubForge::Create(options, auth, clock);
  ASSERT_TRUE(untrusted.ok());
  EXPECT_EQ((*untrusted)->GetPullRequest(7).status().code(), StatusCode::kUnavailable);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace datamcp::forge::testing
