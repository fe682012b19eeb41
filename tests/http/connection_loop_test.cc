// The HTTP front's event loops (ConnectionLoop): keep-alive connections wait there between
// requests (fresh ones for their first, when a route is served inline), an inline route
// serves whole requests in batches, and everything else goes back
// to a worker with the bytes already read. Raw sockets, so each test controls how the bytes
// arrive.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bot/http/http_front.h"
#include "tests/support/raw_http.h"

namespace datamcp::bot {
namespace {

using SteadyClock = std::chrono::steady_clock;
using test::ConnectLoopback;
using test::ReadResponse;

void SendAll(int fd, const std::string& bytes) {
  ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

std::string Post(const std::string& body, const std::string& extra_headers = "") {
  return "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

std::string BodyOf(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

// POST /echo answers "<where> <body>": "loop" when the event loop served it, "worker" when
// cpp-httplib did. Both count their requests.
class ConnectionLoopTest : public ::testing::Test {
 protected:
  void Start(int event_loops = 2, int keep_alive_seconds = 5, int max_connections = 8,
             bool inline_route = true) {
    config::ServerConfig config;
    config.port = 0;
    config.threads = 2;
    config.max_connections = max_connections;
    config.max_connections_per_peer = max_connections;
    config.keep_alive_seconds = keep_alive_seconds;
    config.event_loops = event_loops;
    front_ = std::make_unique<HttpFront>(config, metrics_);
    front_->AddRouteLabel("/echo");
    if (inline_route) ServeEchoInline();
    front_->server().Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      ++worker_requests_;
      res.set_content("worker " + req.body, "text/plain");
    });
    front_->server().Get("/ping", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("pong", "text/plain");
    });
    ASSERT_TRUE(front_->Bind().ok());
    front_->Start();
  }
  void ServeEchoInline() {
    front_->ServeInline("POST", "/echo", 1 << 20, [this](std::span<InlineExchange> batch) {
      {
        std::lock_guard lock(mu_);
        batches_.push_back(batch.size());
      }
      for (InlineExchange& ex : batch) {
        ex.status = 200;
        ex.content_type = "text/plain";
        ex.response_body = "loop " + std::string(ex.body);
      }
    });
  }
  void TearDown() override {
    if (front_) front_->Stop();
  }
  // Waits until `n` connections wait in the loops (a worker parks one after its answer).
  bool WaitingBecomes(std::size_t n) {
    const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
    while (front_->waiting_connections() != n && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return front_->waiting_connections() == n;
  }

  // A connection that sent `request`, got `answer`'s body back, and now waits in the loop
  // with `waiting` - 1 others; -1 when not.
  int ParkedAfter(const std::string& request, const std::string& answer, std::string& pending,
                  std::size_t waiting = 1) {
    const int fd = ConnectLoopback(front_->port());
    if (fd < 0) return -1;
    (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    if (BodyOf(ReadResponse(fd, pending)) != answer || !WaitingBecomes(waiting)) {
      close(fd);
      return -1;
    }
    return fd;
  }
  // After a request of a route the loop does not serve (parked once quiet).
  int ParkedAfterAPing(std::string& pending) {
    return ParkedAfter("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n", "pong", pending);
  }

  Metrics metrics_;
  std::unique_ptr<HttpFront> front_;
  std::atomic<int> worker_requests_{0};
  std::mutex mu_;
  std::vector<std::size_t> batches_;
};

TEST_F(ConnectionLoopTest, AFreshConnectionWaitsInTheLoopWhichServesItsRequests) {
  Start();
  int fd = ConnectLoopback(front_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WaitingBecomes(1)) << "accepted straight into the loop, before it sent a byte";
  std::string pending;
  for (const char* body : {"one", "two", "three"}) {
    SendAll(fd, Post(body));
    const std::string response = ReadResponse(fd, pending);
    EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
    EXPECT_NE(response.find("Connection: Keep-Alive\r\n"), std::string::npos) << response;
    EXPECT_EQ(BodyOf(response), std::string("loop ") + body);
  }
  EXPECT_EQ(front_->served_inline(), 3u);
  EXPECT_EQ(worker_requests_, 0);
  EXPECT_TRUE(WaitingBecomes(1));
  close(fd);
  EXPECT_TRUE(WaitingBecomes(0)) << "a connection the client closed is forgotten";
}

TEST_F(ConnectionLoopTest, WithNoRouteServedInlineAFreshConnectionStartsOnAWorker) {
  // Its first request could only be handed back: a hand-off for nothing.
  Start(/*event_loops=*/2, /*keep_alive_seconds=*/5, /*max_connections=*/8,
        /*inline_route=*/false);
  int fd = ConnectLoopback(front_->port());
  ASSERT_GE(fd, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(front_->waiting_connections(), 0u);
  std::string pending;
  SendAll(fd, Post("one"));
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "worker one");
  EXPECT_TRUE(WaitingBecomes(1)) << "parked once quiet";
  close(fd);
}

TEST_F(ConnectionLoopTest, FreshConnectionsThatSendNothingHoldNoWorkerAndAreClosedWhenIdle) {
  Start(/*event_loops=*/2, /*keep_alive_seconds=*/1, /*max_connections=*/10);
  std::vector<int> silent;
  for (int i = 0; i < 9; ++i) {
    const int fd = ConnectLoopback(front_->port());
    ASSERT_GE(fd, 0);
    silent.push_back(fd);
  }
  ASSERT_TRUE(WaitingBecomes(9));
  int fd = ConnectLoopback(front_->port());
  ASSERT_GE(fd, 0);
  std::string pending;
  SendAll(fd, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "pong");  // handed to a worker, served
  close(fd);
  const auto start = SteadyClock::now();
  for (int c : silent) {
    EXPECT_TRUE(test::ClosedByServerBefore(c, start + std::chrono::seconds(3)));
    close(c);
  }
  EXPECT_TRUE(WaitingBecomes(0));
}

TEST_F(ConnectionLoopTest, WhatTheLoopDoesNotServeGoesBackToAWorkerWithTheBytesAlreadyRead) {
  Start();
  std::string pending;
  const int fd = ParkedAfterAPing(pending);
  ASSERT_GE(fd, 0);
  // Another route.
  SendAll(fd, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "pong");
  ASSERT_TRUE(WaitingBecomes(1));
  // A body that arrives in two parts.
  const std::string split = Post("first-half second-half");
  SendAll(fd, split.substr(0, split.size() - 11));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  SendAll(fd, split.substr(split.size() - 11));
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "worker first-half second-half");
  ASSERT_TRUE(WaitingBecomes(1));
  // A head that arrives in two parts.
  const std::string head_split = Post("abc");
  SendAll(fd, head_split.substr(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  SendAll(fd, head_split.substr(10));
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "worker abc");
  ASSERT_TRUE(WaitingBecomes(1));
  // Chunked, a query string, HTTP/1.0: all httplib's.
  SendAll(
      fd,
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n");
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "worker xyz");
  ASSERT_TRUE(WaitingBecomes(1));
  SendAll(fd, "POST /echo?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nq");
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "worker q");
  ASSERT_TRUE(WaitingBecomes(1));
  ASSERT_TRUE(WaitingBecomes(1));
  SendAll(fd, "POST /echo HTTP/1.0\r\nHost: x\r\nContent-Length: 1\r\n\r\nz");
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "worker z");
  EXPECT_EQ(front_->served_inline(), 0u);
  EXPECT_EQ(worker_requests_, 5);
  close(fd);
}

TEST_F(ConnectionLoopTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  std::string pending;
  const int fd = ParkedAfterAPing(pending);
  ASSERT_GE(fd, 0);
  SendAll(fd, Post("a") + Post("b") + "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n" + Post("c"));
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "loop a");
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "worker b");  // the rest went to a worker
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "pong");
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "worker c");
  EXPECT_TRUE(pending.empty());
  close(fd);
}

TEST_F(ConnectionLoopTest, ConnectionCloseIsAnsweredAndClosed) {
  Start();
  std::string pending;
  const int fd = ParkedAfter(Post("x"), "loop x", pending);
  ASSERT_GE(fd, 0);
  SendAll(fd, Post("bye", "Connection: close\r\n"));
  const std::string response = ReadResponse(fd, pending);
  EXPECT_EQ(BodyOf(response), "loop bye");
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos) << response;
  EXPECT_TRUE(test::ClosedByServerBefore(fd, SteadyClock::now() + std::chrono::seconds(2)));
  EXPECT_TRUE(WaitingBecomes(0));
  close(fd);
}

TEST_F(ConnectionLoopTest, AnIdleConnectionIsClosedAfterTheKeepAliveTimeout) {
  Start(/*event_loops=*/2, /*keep_alive_seconds=*/1);
  std::string pending;
  const int fd = ParkedAfter(Post("x"), "loop x", pending);
  ASSERT_GE(fd, 0);
  const auto start = SteadyClock::now();
  EXPECT_TRUE(test::ClosedByServerBefore(fd, start + std::chrono::seconds(3)));
  EXPECT_GE(SteadyClock::now() - start, std::chrono::milliseconds(700));
  EXPECT_TRUE(WaitingBecomes(0));
  close(fd);
}

TEST_F(ConnectionLoopTest, IdleKeepAliveConnectionsDoNotHoldTheWorkers) {
  // Two workers at most. Ten keep-alive connections that made a request and then went quiet
  // would, each on its worker, leave none for anyone else.
  Start(/*event_loops=*/2, /*keep_alive_seconds=*/30, /*max_connections=*/10);
  std::vector<int> idle;
  for (int i = 0; i < 9; ++i) {
    int fd = ConnectLoopback(front_->port());
    ASSERT_GE(fd, 0);
    std::string pending;
    SendAll(fd, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(BodyOf(ReadResponse(fd, pending)), "pong");
    idle.push_back(fd);
  }
  ASSERT_TRUE(WaitingBecomes(9));
  const auto start = SteadyClock::now();
  int fd = ConnectLoopback(front_->port());
  ASSERT_GE(fd, 0);
  std::string pending;
  SendAll(fd, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), "pong");
  EXPECT_LT(SteadyClock::now() - start, std::chrono::seconds(2));
  close(fd);
  for (int c : idle) close(c);
}

TEST_F(ConnectionLoopTest, StopClosesWaitingConnections) {
  Start();
  std::vector<int> fds;
  for (std::size_t i = 0; i < 4; ++i) {
    std::string pending;
    const int fd = ParkedAfter(Post("x"), "loop x", pending, i + 1);
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
  }
  ASSERT_TRUE(WaitingBecomes(4));
  const auto start = SteadyClock::now();
  front_->Stop();
  EXPECT_LT(SteadyClock::now() - start, std::chrono::seconds(2));
  for (int fd : fds) {
    EXPECT_TRUE(test::ClosedByServerBefore(fd, SteadyClock::now() + std::chrono::seconds(2)));
    close(fd);
  }
}

TEST_F(ConnectionLoopTest, ConcurrentClientsAreServedInBatchesAndEveryRequestAnswered) {
  Start();
  constexpr int kClients = 8;
  constexpr int kRequests = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      int fd = ConnectLoopback(front_->port());
      if (fd < 0) {
        wrong += kRequests;
        return;
      }
      std::string pending;
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = std::to_string(c) + "-" + std::to_string(i);
        const std::string request = Post(body);
        send(fd, request.data(), request.size(), MSG_NOSIGNAL);
        const std::string answer = BodyOf(ReadResponse(fd, pending));
        if (answer != "loop " + body && answer != "worker " + body) ++wrong;
      }
      close(fd);
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(front_->served_inline() + static_cast<std::uint64_t>(worker_requests_),
            static_cast<std::uint64_t>(kClients * kRequests));
  EXPECT_GT(front_->served_inline(), static_cast<std::uint64_t>(kClients * kRequests / 2));
  std::lock_guard lock(mu_);
  std::size_t total = 0;
  for (std::size_t b : batches_) total += b;
  EXPECT_EQ(total, front_->served_inline());
}

TEST_F(ConnectionLoopTest, WithTheLoopsOffConnectionsWaitOnTheirWorker) {
  Start(/*event_loops=*/0);
  int fd = ConnectLoopback(front_->port());
  ASSERT_GE(fd, 0);
  std::string pending;
  for (const char* body : {"one", "two"}) {
    SendAll(fd, Post(body));
    EXPECT_EQ(BodyOf(ReadResponse(fd, pending)), std::string("worker ") + body);
  }
  EXPECT_EQ(front_->waiting_connections(), 0u);
  EXPECT_EQ(front_->served_inline(), 0u);
  close(fd);
}

}  // namespace
}  // namespace datamcp::bot
