// plan.allowed_hosts end to end on this machine: real bubblewrap, the real datamcp binary as
// the bridge inside the sandbox, the egress proxy on a Unix socket, and TCP servers on an
// address of this machine that the sandbox cannot reach on its own.
#include "gitops/process/egress_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "gitops/process/posix_process_runner.h"
#include "gitops/process/sandbox.h"
#include "tests/plan/temp_dir.h"
#include "tests/support/other_address.h"

namespace datamcp::process {
namespace {

// Accepts connections on `address`, greets each and closes it; counts them.
class Upstream {
 public:
  explicit Upstream(const std::string& address) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        ++connections_;
        const char hello[] = "hello from upstream\n";
        (void)!::send(c, hello, sizeof hello - 1, MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~Upstream() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int connections() const { return connections_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

class EgressProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    address_ = test_support::OtherAddress();
    if (address_.empty()) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
    const char* bin = DATAMCP_BINARY_PATH;
    allowed_ = std::make_unique<Upstream>(address_);
    other_ = std::make_unique<Upstream>(address_);
    auto rules = ParseEgressRules({address_ + ":" + std::to_string(allowed_->port()),
                                   "127.0.0.1:" + std::to_string(allowed_->port())});
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    proxy_ = std::make_unique<EgressProxy>(
        EgressProxyOptions{.socket_path = tmp_.Sub("egress.sock"), .rules = *rules});
    ASSERT_TRUE(proxy_->Start().ok());
    sandbox_.Configure(
        {.allow_network = true, .egress_socket = proxy_->socket_path(), .bridge_bin = bin});
    PosixProcessRunner probe;
    sandbox_.Probe(probe);
    ASSERT_TRUE(sandbox_.Active()) << sandbox_.Describe();
  }

  // What a sandboxed client gets when it asks the proxy to CONNECT to `target`.
  std::string Through(const std::string& request_line) {
    ProcessRequest r;
    r.argv = {"/bin/bash", "-c",
              "exec 3<>/dev/tcp/127.0.0.1/3128 || exit 3; printf '%s\\r\\n\\r\\n' \"$1\" >&3; "
              "cat <&3",
              "client", request_line};
    r.env = {{"PATH", "/usr/bin:/bin"}};
    r.timeout = std::chrono::seconds(20);
    r.sandbox = SandboxPolicy{.network = true};
    auto result = runner_.Run(r);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->stdout_text + result->stderr_text : "";
  }

  std::string Target(const Upstream& u) { return address_ + ":" + std::to_string(u.port()); }

  plan::testing::TempDir tmp_;
  std::string address_;
  std::unique_ptr<Upstream> allowed_, other_;
  std::unique_ptr<EgressProxy> proxy_;
  Sandbox sandbox_;
  PosixProcessRunner runner_{&sandbox_};
};

TEST_F(EgressProxyTest, AnAllowedHostIsReachedThroughTheProxyOnly) {
  std::string out = Through("CONNECT " + Target(*allowed_) + " HTTP/1.1");
  EXPECT_NE(out.find("HTTP/1.1 200 Connection established"), std::string::npos) << out;
  EXPECT_NE(out.find("hello from upstream"), std::string::npos) << out;
  EXPECT_EQ(allowed_->connections(), 1);
}

TEST_F(EgressProxyTest, PlannersSeeTheBridgeAsTheirProxyAndHaveNoOtherWayOut) {
  ProcessRequest r;
  r.argv = {"/bin/bash", "-c",
            "echo proxy=$HTTPS_PROXY; (exec 3<>/dev/tcp/" + address_ + "/" +
                std::to_string(allowed_->port()) + ") 2>/dev/null && echo DIRECT; true"};
  r.env = {{"PATH", "/usr/bin:/bin"}, {"NO_PROXY", "*"}};
  r.sandbox = SandboxPolicy{.network = true};
  auto result = runner_.Run(r);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->stdout_text, "proxy=http://127.0.0.1:3128\n");
  EXPECT_EQ(allowed_->connections(), 0);
}

TEST_F(EgressProxyTest, AnotherPortOfTheSameHostIsRefusedAndNamed) {
  std::string out = Through("CONNECT " + Target(*other_) + " HTTP/1.1");
  EXPECT_NE(out.find("403 Forbidden"), std::string::npos) << out;
  EXPECT_NE(out.find(Target(*other_) + " is not in plan.allowed_hosts"), std::string::npos);
  EXPECT_EQ(other_->connections(), 0);
  EXPECT_EQ(proxy_->refused(), 1u);
}

TEST_F(EgressProxyTest, LoopbackIsRefusedEvenWhenListed) {
  std::string out = Through("CONNECT 127.0.0.1:" + std::to_string(allowed_->port()) + " HTTP/1.1");
  EXPECT_NE(out.find("403 Forbidden"), std::string::npos) << out;
  EXPECT_NE(out.find("loopback, link-local"), std::string::npos) << out;
  EXPECT_EQ(allowed_->connections(), 0);
}

TEST_F(EgressProxyTest, PlainHttpAndGarbageAreRefused) {
  std::string get = Through("GET http://169.254.169.254/computeMetadata/v1/ HTTP/1.1");
  EXPECT_NE(get.find("405 Method Not Allowed"), std::string::npos) << get;
  std::string junk = Through("CONNECT nowhere HTTP/1.1");
  EXPECT_NE(junk.find("400 Bad Request"), std::string::npos) << junk;
}

TEST_F(EgressProxyTest, StopCutsOpenTunnels) {
  // A tunnel whose upstream never answers stays open until Stop.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, address_.c_str(), &addr.sin_addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string target = address_ + ":" + std::to_string(ntohs(addr.sin_port));
  auto rules = ParseEgressRules({target});
  ASSERT_TRUE(rules.ok());
  EgressProxy proxy({.socket_path = tmp_.Sub("stop.sock"), .rules = *rules});
  ASSERT_TRUE(proxy.Start().ok());
  sandbox_.Configure({.allow_network = true,
                      .egress_socket = proxy.socket_path(),
                      .bridge_bin = DATAMCP_BINARY_PATH});
  PosixProcessRunner probe;
  sandbox_.Probe(probe);
  std::thread client([&] { Through("CONNECT " + target + " HTTP/1.1"); });
  int upstream = ::accept(fd, nullptr, nullptr);  // the proxy connected: the tunnel is open
  ASSERT_GE(upstream, 0);
  auto started = std::chrono::steady_clock::now();
  proxy.Stop();
  client.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));
  ::close(upstream);
  ::close(fd);
}

}  // namespace
}  // namespace datamcp::process
