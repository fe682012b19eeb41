// The HTTP front's connection guards (finding 4 of issue 11, the part the elastic pool left):
// a deadline for the whole request head, however slowly its bytes trickle in, and a bound on
// the connections one peer address holds. Real HttpFront on 127.0.0.1, raw sockets.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "bot/http/health_routes.h"
#include "bot/http/http_front.h"

namespace datamcp::bot {
namespace {

using SteadyClock = std::chrono::steady_clock;

// A TCP connection to 127.0.0.1:port from the local address `from` (any 127.x.y.z is this
// host, so each is a different peer to the server). -1 on failure.
int ConnectFrom(const char* from, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, from, &local.sin_addr);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// What the server sends on `fd` until it closes it or `deadline` passes; `closed` says which.
std::string ReadUntilClosed(int fd, SteadyClock::time_point deadline, bool* closed) {
  std::string got;
  char buf[1024];
  *closed = false;
  while (SteadyClock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (poll(&p, 1, static_cast<int>(std::max<long long>(1, left.count()))) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      got.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      *closed = true;
      break;
    }
  }
  return got;
}

std::string Exchange(int fd, const std::string& request) {
  (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  bool closed = false;
  return ReadUntilClosed(fd, SteadyClock::now() + std::chrono::seconds(5), &closed);
}

// One request on a keep-alive connection: what the server answers, read up to the end of
// the response's body (Content-Length), leaving the connection open.
std::string KeepAliveExchange(int fd, const std::string& request) {
  (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[1024];
  const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  while (SteadyClock::now() < deadline) {
    const std::size_t head_end = got.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::size_t at = got.find("Content-Length: ");
      const std::size_t length = at < head_end ? std::stoul(got.substr(at + 16)) : 0;
      if (got.size() >= head_end + 4 + length) break;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

class HttpGuardTest : public ::testing::Test {
 protected:
  void Start(int max_connections, int per_peer, int head_timeout_seconds) {
    config::ServerConfig sc;
    sc.port = 0;
    sc.threads = 2;
    sc.max_connections = max_connections;
    sc.max_connections_per_peer = per_peer;
    sc.request_head_timeout_seconds = head_timeout_seconds;
    sc.read_timeout_seconds = 30;  // the per-byte timeout alone would never fire below
    front_ = std::make_unique<HttpFront>(sc, metrics_);
    front_->server().Get("/ping", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("pong", "text/plain");
    });
    ASSERT_TRUE(front_->Bind().ok());
    front_->Start();
  }
  void TearDown() override {
    for (int fd : fds_) close(fd);
    if (front_) front_->Stop();
  }
  int Open(const char* from) {
    int fd = ConnectFrom(from, front_->port());
    if (fd >= 0) fds_.push_back(fd);
    return fd;
  }

  Metrics metrics_;
  std::unique_ptr<HttpFront> front_;
  std::vector<int> fds_;
};

TEST_F(HttpGuardTest, SlowHeaderClientIsCutAtTheHeadDeadlineWhileOthersAreServed) {
  Start(/*max_connections=*/16, /*per_peer=*/0, /*head_timeout_seconds=*/2);
  int slow = Open("127.0.0.1");
  ASSERT_GE(slow, 0);
  const std::string head = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ";
  const auto start = SteadyClock::now();
  bool closed = false;
  std::string got;
  // One byte every 200 ms: each read is quick, only the whole head is late.
  for (std::size_t i = 0; !closed && SteadyClock::now() - start < std::chrono::seconds(8); ++i) {
    char c = i < head.size() ? head[i] : 'a';
    if (send(slow, &c, 1, MSG_NOSIGNAL) != 1) {
      closed = true;
      break;
    }
    got += ReadUntilClosed(slow, SteadyClock::now() + std::chrono::milliseconds(200), &closed);
  }
  const auto took = SteadyClock::now() - start;
  EXPECT_TRUE(closed) << "the slow head was still being read after 8 s";
  EXPECT_GE(took, std::chrono::milliseconds(1800));
  EXPECT_LT(took, std::chrono::seconds(5)) << "cut well after the 2 s head deadline";
  EXPECT_EQ(front_->head_timeouts(), 1u);
  EXPECT_NE(metrics_.Serialize().find(
                "datamcp_http_connections_refused_total{reason=\"head_timeout\"} 1"),
            std::string::npos);
  int fine = Open("127.0.0.1");
  ASSERT_GE(fine, 0);
  const std::string answer =
      Exchange(fine, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
}

TEST_F(HttpGuardTest, OnePeerIsBoundedAndAnotherPeerIsStillServed) {
  Start(/*max_connections=*/32, /*per_peer=*/4, /*head_timeout_seconds=*/10);
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    int fd = Open("127.0.0.1");
    ASSERT_GE(fd, 0);
    held.push_back(fd);
    // The server counts a connection once a worker takes it: an answer on it says it is
    // counted (otherwise a later connection could be counted first and this one refused).
    const std::string answer = KeepAliveExchange(fd, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  }
  std::string refused;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  while (refused.empty() && SteadyClock::now() < deadline) {
    int fd = Open("127.0.0.1");
    ASSERT_GE(fd, 0);
    bool closed = false;
    refused = ReadUntilClosed(fd, SteadyClock::now() + std::chrono::milliseconds(300), &closed);
  }
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("server.max_connections_per_peer"), std::string::npos) << refused;
  EXPECT_GE(front_->refused_per_peer(), 1u);

  int other = Open("127.0.0.2");  // another address: not affected by the first one's bound
  ASSERT_GE(other, 0);
  std::string answer =
      Exchange(other, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;

  // One of the first peer's connections ends: it is served again.
  answer = Exchange(held[0], "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  std::string again;
  const auto until = SteadyClock::now() + std::chrono::seconds(5);
  while (again.rfind("HTTP/1.1 200", 0) != 0 && SteadyClock::now() < until) {
    int fd = Open("127.0.0.1");
    ASSERT_GE(fd, 0);
    again = Exchange(fd, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }
  EXPECT_EQ(again.rfind("HTTP/1.1 200", 0), 0u) << again;
}

// cpp-httplib bounds each header line (8 KiB) but not the head: a million short headers were
// all kept in memory (100 MB for one connection). The front bounds the head's bytes and lines.
TEST_F(HttpGuardTest, HeadOverItsBytesOrLinesIs431AndClosedAndTheNextRequestIsServed) {
  Start(/*max_connections=*/8, /*per_peer=*/0, /*head_timeout_seconds=*/10);
  const ConnectionGuards bounds;
  const std::string start = "GET /ping HTTP/1.1\r\nHost: x\r\n";
  std::string big_lines;  // five lines each under httplib's line limit, 35 KiB together
  for (int i = 0; i < 5; ++i)
    big_lines += "X-Big-" + std::to_string(i) + ": " + std::string(7 * 1024, 'a') + "\r\n";
  std::string many_lines;  // short, but more of them than the bound
  for (std::size_t i = 0; i < bounds.max_head_lines + 10; ++i) many_lines += "X-N: v\r\n";
  ASSERT_GT(big_lines.size(), bounds.max_head_bytes);
  for (const std::string& headers : {big_lines, many_lines}) {
    int fd = Open("127.0.0.1");
    ASSERT_GE(fd, 0);
    const std::string answer = Exchange(fd, start + headers + "\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer.substr(0, 200);
    EXPECT_NE(answer.find(std::to_string(bounds.max_head_bytes) + " bytes and " +
                          std::to_string(bounds.max_head_lines) + " lines"),
              std::string::npos)
        << answer.substr(0, 400);
  }
  EXPECT_EQ(front_->heads_too_large(), 2u);
  const std::string scrape = metrics_.Serialize();
  EXPECT_NE(scrape.find("datamcp_http_connections_refused_total{reason=\"head_too_large\"} 2"),
            std::string::npos)
      << scrape;

  // Just inside both bounds: served.
  std::string inside;
  for (std::size_t i = 0; inside.size() < bounds.max_head_bytes - 2048; ++i) {
    inside += "X-In-" + std::to_string(i) + ": " + std::string(200, 'b') + "\r\n";
  }
  int fd = Open("127.0.0.1");
  ASSERT_GE(fd, 0);
  const std::string answer = Exchange(fd, start + inside + "Connection: close\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer.substr(0, 200);
  EXPECT_EQ(front_->heads_too_large(), 2u);
}

TEST_F(HttpGuardTest, PipelinedRequestsOnOneConnectionAreAllAnswered) {
  Start(/*max_connections=*/8, /*per_peer=*/0, /*head_timeout_seconds=*/10);
  int fd = Open("127.0.0.1");
  ASSERT_GE(fd, 0);
  const std::string get = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string answer =
      Exchange(fd, get + get + "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::size_t count = 0;
  for (std::size_t at = answer.find("pong"); at != std::string::npos;
       at = answer.find("pong", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u) << answer;
}

}  // namespace
}  // namespace datamcp::bot
