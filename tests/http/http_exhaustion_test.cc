// Exhaustion of the HTTP front by connections that hold a worker: idle keep-alive
// connections and clients sending the request head one byte at a time. Other clients must
// still be answered within 2 s, and the server must close the idle ones itself. Run twice:
// without an inline route (fresh connections start on a worker) and with one, as with
// webhooks on (fresh connections wait in the event loops).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "bot/http/health_routes.h"
#include "bot/http/http_front.h"
#include "tests/support/raw_http.h"

namespace datamcp::bot {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class HttpExhaustionTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("http_exhaustion_test_" + std::to_string(getpid()));
    fs::create_directories(dir_ / "repo.git");
    fs::create_directories(dir_ / "work");
    config::ServerConfig sc;
    sc.port = 0;
    sc.keep_alive_seconds = kKeepAlive;
    front_ = std::make_unique<HttpFront>(sc, metrics_);
    RegisterHealthRoutes(*front_, metrics_, [this] {
      return CheckRepositoryAndWorkDir((dir_ / "repo.git").string(), (dir_ / "work").string());
    });
    // Stands for /mcp: answers only a request with the bearer token.
    front_->server().Post("/mcp", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != "Bearer test-token") {
        res.status = 401;
        return;
      }
      res.set_content(R"({"jsonrpc":"2.0","id":1,"result":{}})", "application/json");
    });
    if (GetParam()) {
      front_->ServeInline("POST", "/webhooks/github", 1 << 20, [](std::span<InlineExchange> b) {
        for (InlineExchange& ex : b) ex.status = 202;
      });
    }
    ASSERT_TRUE(front_->Bind().ok());
    front_->Start();
  }
  void TearDown() override {
    stop_ = true;
    if (slow_.joinable()) slow_.join();
    for (int fd : idle_) close(fd);
    for (int fd : slow_fds_) close(fd);
    front_->Stop();
    fs::remove_all(dir_);
  }

  static constexpr int kKeepAlive = 2;
  fs::path dir_;
  Metrics metrics_;
  std::unique_ptr<HttpFront> front_;
  std::vector<int> idle_;
  std::vector<int> slow_fds_;
  std::thread slow_;
  std::atomic<bool> stop_{false};
};

TEST_P(HttpExhaustionTest, IdleAndSlowHeaderConnectionsDoNotStopOtherClients) {
  for (int i = 0; i < 64; ++i) {
    int fd = test::ConnectLoopback(front_->port());
    ASSERT_GE(fd, 0);
    idle_.push_back(fd);
  }
  if (GetParam()) {  // the silent ones wait in the loops, holding no worker
    const auto until = Clock::now() + std::chrono::seconds(2);
    while (front_->waiting_connections() < 64 && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(front_->waiting_connections(), 64u);
  }
  for (int i = 0; i < 16; ++i) {
    int fd = test::ConnectLoopback(front_->port());
    ASSERT_GE(fd, 0);
    slow_fds_.push_back(fd);
  }
  // Each slow client sends its request head one byte every 300 ms, never finishing it.
  slow_ = std::thread([this] {
    const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
    for (std::size_t i = 0; !stop_; ++i) {
      for (int fd : slow_fds_) {
        char c = i < head.size() ? head[i] : 'a';
        send(fd, &c, 1, MSG_NOSIGNAL);
      }
      for (int t = 0; t < 30 && !stop_; ++t)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  httplib::Client client("127.0.0.1", front_->port());
  client.set_connection_timeout(2);
  client.set_read_timeout(2);
  for (int round = 0; round < 3; ++round) {
    auto start = Clock::now();
    auto health = client.Get("/healthz");
    ASSERT_TRUE(health) << "round " << round << ": " << httplib::to_string(health.error());
    EXPECT_EQ(health->status, 200);
    auto mcp = client.Post("/mcp", {{"Authorization", "Bearer test-token"}},
                           R"({"jsonrpc":"2.0","id":1,"method":"ping"})", "application/json");
    ASSERT_TRUE(mcp) << "round " << round << ": " << httplib::to_string(mcp.error());
    EXPECT_EQ(mcp->status, 200);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2)) << "round " << round;
  }

  // Idle connections are closed by the server once the keep-alive timeout passes.
  auto deadline = Clock::now() + std::chrono::seconds(kKeepAlive + 3);
  int closed = 0;
  for (int fd : idle_) closed += test::ClosedByServerBefore(fd, deadline);
  EXPECT_EQ(closed, 64);
}

INSTANTIATE_TEST_SUITE_P(FreshConnections, HttpExhaustionTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "WaitInTheLoops" : "StartOnAWorker";
                         });

}  // namespace
}  // namespace datamcp::bot
