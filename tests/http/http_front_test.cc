#include "bot/http/http_front.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "bot/http/health_routes.h"
#include "tests/support/prometheus_text.h"

namespace datamcp::bot {
namespace {

namespace fs = std::filesystem;

class HttpFrontTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("http_front_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "repo.git");
    std::ofstream(dir_ / "repo.git" / "HEAD") << "ref: refs/heads/main\n";
    fs::create_directories(dir_ / "work");
    config::ServerConfig sc;
    sc.port = 0;
    sc.threads = 2;
    front_ = std::make_unique<HttpFront>(sc, metrics_);
    RegisterHealthRoutes(*front_, metrics_, [this] {
      return CheckRepositoryAndWorkDir((dir_ / "repo.git").string(), (dir_ / "work").string());
    });
    ASSERT_TRUE(front_->Bind().ok());
    front_->Start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", front_->port());
  }
  void TearDown() override {
    front_->Stop();
    chmod((dir_ / "work").c_str(), 0700);
    fs::remove_all(dir_);
  }

  // The value of `key` in /metrics once it equals `want`, or its last value after 5 s:
  // httplib counts a request after sending its response, so a scrape on another
  // connection can arrive before the count.
  double MetricEventually(const std::string& key, double want) {
    double last = -1;
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
      auto parsed = test::ParsePrometheusText(client_->Get("/metrics")->body);
      if (!parsed.ok()) continue;
      auto it = parsed->find(key);
      last = it == parsed->end() ? -1 : it->second;
      if (last == want) break;
    }
    return last;
  }

  fs::path dir_;
  Metrics metrics_;
  std::unique_ptr<HttpFront> front_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpFrontTest, HealthzAnswers200) {
  auto res = client_->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpFrontTest, ReadyzIs200WhenRepositoryAndWorkDirAreFine) {
  auto res = client_->Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpFrontTest, ReadyzIs503WithReasonWhenRepositoryIsMissing) {
  fs::remove_all(dir_ / "repo.git");
  auto res = client_->Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("repo.git does not exist"), std::string::npos) << res->body;
}

TEST_F(HttpFrontTest, ReadyzIs503WhenWorkDirIsUnwritable) {
  if (geteuid() == 0) {
    // root ignores directory permissions; an unwritable work dir is then a missing one.
    fs::remove_all(dir_ / "work");
  } else {
    chmod((dir_ / "work").c_str(), 0500);
  }
  auto res = client_->Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("is not writable"), std::string::npos) << res->body;
}

TEST_F(HttpFrontTest, MetricsAreValidPrometheusTextAndCountRequests) {
  ASSERT_TRUE(client_->Get("/healthz"));
  auto first = client_->Get("/metrics");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_NE(first->get_header_value("Content-Type").find("text/plain; version=0.0.4"),
            std::string::npos);
  auto parsed = test::ParsePrometheusText(first->body);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const std::string key =
      R"(datamcp_http_requests_total{method="GET",route="/healthz",status="200"})";
  const double before = MetricEventually(key, 1);
  EXPECT_EQ(before, 1);
  ASSERT_TRUE(client_->Get("/healthz"));
  ASSERT_TRUE(client_->Get("/healthz"));
  EXPECT_EQ(MetricEventually(key, before + 2), before + 2);
  auto second = test::ParsePrometheusText(client_->Get("/metrics")->body);
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->count(
                R"(datamcp_http_request_duration_seconds_count{method="GET",route="/healthz"})"),
            0u);
}

TEST_F(HttpFrontTest, UnknownPathsShareOneLabel) {
  ASSERT_TRUE(client_->Get("/no/such/path/1"));
  ASSERT_TRUE(client_->Get("/no/such/path/2"));
  const std::string other =
      R"(datamcp_http_requests_total{method="GET",route="other",status="404"})";
  EXPECT_EQ(MetricEventually(other, 2), 2);
}

// Finding 5 of issue #11: random methods each added a label set (12 MB for 3,000 requests).
TEST_F(HttpFrontTest, UnknownMethodsShareOneLabel) {
  constexpr int kRequests = 50;
  for (int i = 0; i < kRequests; ++i) {
    httplib::Request req;
    req.method = "RANDOM" + std::to_string(i);
    req.path = "/healthz";
    ASSERT_TRUE(client_->send(req));
  }
  double other = 0;
  std::string text;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
       other < kRequests && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
    text = client_->Get("/metrics")->body;
    auto parsed = test::ParsePrometheusText(text);
    ASSERT_TRUE(parsed.ok());
    other = 0;
    for (const auto& [key, value] : *parsed) {
      if (key.starts_with("datamcp_http_requests_total{method=\"other\"")) other += value;
    }
  }
  EXPECT_EQ(other, kRequests);
  EXPECT_EQ(text.find("RANDOM"), std::string::npos);
}

TEST_F(HttpFrontTest, OversizedBodyIsRejected) {
  front_->server().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "text/plain");
  });
  std::string big((1 << 20) + 10, 'x');
  auto res = client_->Post("/echo", big, "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

TEST_F(HttpFrontTest, SecondServerCannotShareThePort) {
  config::ServerConfig sc;
  sc.port = front_->port();
  Metrics metrics;
  HttpFront second(sc, metrics);
  Status s = second.Bind();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(std::to_string(front_->port())), std::string::npos);
}

}  // namespace
}  // namespace datamcp::bot
