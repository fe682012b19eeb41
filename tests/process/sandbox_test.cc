#include "gitops/process/sandbox.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gitops/process/posix_process_runner.h"
#include "tests/plan/temp_dir.h"
#include "tests/support/test_sandbox.h"

namespace datamcp::process {
namespace {

using plan::testing::ReadFile;
using plan::testing::TempDir;
using plan::testing::WriteFile;

// A shell in the sandbox that sees `policy`'s paths.
ProcessRequest Sh(const std::string& script, SandboxPolicy policy = {}) {
  ProcessRequest r;
  r.argv = {"/bin/sh", "-c", script};
  r.env = {{"PATH", "/usr/bin:/bin"}};
  r.timeout = std::chrono::seconds(20);
  r.sandbox = std::move(policy);
  return r;
}

class SandboxTest : public ::testing::Test {
 protected:
  SandboxTest() {
    WriteFile(tmp_.Sub("secret/key"), "server-secret-key\n");
    WriteFile(tmp_.Sub("tree/main.tf"), "# proposed\n");
    std::filesystem::create_directories(tmp_.Sub("work"));
  }
  SandboxPolicy Policy() { return {{tmp_.Sub("tree")}, {tmp_.Sub("work")}, false}; }

  TempDir tmp_;
  PosixProcessRunner runner_{&test_support::TestSandbox()};
};

TEST_F(SandboxTest, TheMechanismWorksOnThisMachine) {
  EXPECT_TRUE(test_support::TestSandbox().Active()) << test_support::TestSandbox().Describe();
  EXPECT_TRUE(test_support::TestSandbox().Readiness().ok());
}

TEST_F(SandboxTest, SeesOnlyItsTreeAndWritesOnlyItsWorkDir) {
  auto r =
      runner_.Run(Sh("cat " + tmp_.Sub("tree/main.tf") + "; echo made > " + tmp_.Sub("work/out") +
                         "; cat " + tmp_.Sub("secret/key") + " && echo READ-SECRET; echo x > " +
                         tmp_.Sub("tree/new") + " && echo WROTE-TREE; ls /; true",
                     Policy()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->stdout_text.find("# proposed"), std::string::npos) << r->stdout_text;
  EXPECT_EQ(ReadFile(tmp_.Sub("work/out")), "made\n");
  EXPECT_EQ(r->stdout_text.find("server-secret-key"), std::string::npos);
  EXPECT_EQ(r->stdout_text.find("READ-SECRET"), std::string::npos);
  EXPECT_EQ(r->stdout_text.find("WROTE-TREE"), std::string::npos) << "the tree is read-only";
  EXPECT_FALSE(std::filesystem::exists(tmp_.Sub("tree/new")));
  EXPECT_EQ(r->stdout_text.find("etc\nhome"), std::string::npos) << r->stdout_text;
}

TEST_F(SandboxTest, SeesNeitherTheServersProcessesNorItsEnvironment) {
  std::string server_pid = std::to_string(getpid());
  auto r = runner_.Run(Sh("ls /proc/" + server_pid + " >/dev/null 2>&1 && echo SEES-SERVER; " +
                          "tr '\\0' '\\n' < /proc/1/environ; tr '\\0' '\\n' < /proc/self/environ;"
                          " grep -E '^(NoNewPrivs|CapEff|Uid)' /proc/self/status; id -u; "
                          "cat /etc/passwd 2>/dev/null | head -1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text.find("SEES-SERVER"), std::string::npos);
  EXPECT_NE(r->stdout_text.find("NoNewPrivs:\t1"), std::string::npos) << r->stdout_text;
  EXPECT_NE(r->stdout_text.find("CapEff:\t0000000000000000"), std::string::npos);
  EXPECT_NE(r->stdout_text.find("65534"), std::string::npos);
  EXPECT_EQ(r->stdout_text.find("root:"), std::string::npos) << "no host /etc/passwd";
  // Only the request's environment (plus the sandbox's HOME and TMPDIR) is visible.
  EXPECT_NE(r->stdout_text.find("PATH=/usr/bin:/bin"), std::string::npos);
  EXPECT_EQ(r->stdout_text.find("DATAMCP_"), std::string::npos);
}

TEST_F(SandboxTest, CannotConnectToTheServersLoopback) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string port = std::to_string(ntohs(addr.sin_port));
  ProcessRequest connect = Sh("");
  connect.argv = {"/bin/bash", "-c",
                  "(exec 3<>/dev/tcp/127.0.0.1/" + port + ") 2>/dev/null && echo CONNECTED; true"};
  ProcessRequest unconfined = connect;
  unconfined.sandbox.reset();
  auto control = runner_.Run(unconfined);
  ASSERT_TRUE(control.ok());
  EXPECT_EQ(control->stdout_text, "CONNECTED\n") << "the listener works outside the sandbox";
  auto r = runner_.Run(connect);
  ::close(fd);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "");
}

TEST_F(SandboxTest, SymlinksInTheTreeLeadNowhere) {
  // A proposed tree may carry links (git mode 120000) to the server's files, absolute or
  // relative: inside the sandbox their targets do not exist.
  std::filesystem::create_symlink(tmp_.Sub("secret/key"), tmp_.Sub("tree/abs"));
  std::filesystem::create_symlink("../secret/key", tmp_.Sub("tree/rel"));
  std::filesystem::create_symlink("/proc/" + std::to_string(getpid()) + "/environ",
                                  tmp_.Sub("tree/env"));
  ProcessRequest read = Sh("cat " + tmp_.Sub("tree/abs") + " " + tmp_.Sub("tree/rel") + " " +
                           tmp_.Sub("tree/env") + " 2>&1; true");
  ProcessRequest unconfined = read;
  unconfined.sandbox.reset();
  auto control = runner_.Run(unconfined);
  ASSERT_TRUE(control.ok());
  EXPECT_NE(control->stdout_text.find("server-secret-key"), std::string::npos)
      << "the links work outside the sandbox: " << control->stdout_text;
  auto r = runner_.Run(Sh(read.argv[2], Policy()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text.find("server-secret-key"), std::string::npos) << r->stdout_text;
  // The server's pid is not in the sandbox's pid namespace: all three links are dangling.
  size_t dangling = 0;
  for (size_t at = 0; (at = r->stdout_text.find("No such file", at)) != std::string::npos; ++at) {
    ++dangling;
  }
  EXPECT_EQ(dangling, 3u) << r->stdout_text;
}

// The first IPv4 address of this machine that is not loopback, or "" when it has none.
std::string OtherAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if ((a->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char text[INET_ADDRSTRLEN];
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) != nullptr) found = text;
  }
  freeifaddrs(list);
  return found;
}

TEST_F(SandboxTest, CannotConnectToAnotherAddressOfThisMachine) {
  std::string address = OtherAddress();
  if (address.empty()) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ProcessRequest connect = Sh("");
  connect.argv = {"/bin/bash", "-c",
                  "(exec 3<>/dev/tcp/" + address + "/" + std::to_string(ntohs(addr.sin_port)) +
                      ") 2>/dev/null && echo CONNECTED; true"};
  ProcessRequest unconfined = connect;
  unconfined.sandbox.reset();
  auto control = runner_.Run(unconfined);
  ASSERT_TRUE(control.ok());
  EXPECT_EQ(control->stdout_text, "CONNECTED\n") << "the listener works outside the sandbox";
  auto r = runner_.Run(connect);
  ::close(fd);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "");
}

TEST_F(SandboxTest, RunnerWithoutASandboxRefusesSandboxedRequests) {
  PosixProcessRunner bare;
  auto r = bare.Run(Sh("true"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SandboxTest, RequiredWithoutAWorkingMechanismRefusesAndSaysHowToFix) {
  Sandbox broken(SandboxOptions{.mode = SandboxMode::kRequired, .bwrap_bin = "/bin/false"});
  PosixProcessRunner probe;
  broken.Probe(probe);
  EXPECT_FALSE(broken.Active());
  Status ready = broken.Readiness();
  ASSERT_FALSE(ready.ok());
  EXPECT_NE(ready.message().find("plan.sandbox: best-effort"), std::string::npos);
  EXPECT_NE(ready.message().find("bubblewrap"), std::string::npos);
  PosixProcessRunner runner(&broken);
  auto r = runner.Run(Sh("echo RAN"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("/bin/false"), std::string::npos) << r.status().message();
}

TEST_F(SandboxTest, MissingBwrapIsNamedInTheReason) {
  Sandbox missing(SandboxOptions{.bwrap_bin = "/nonexistent/bwrap"});
  PosixProcessRunner probe;
  missing.Probe(probe);
  EXPECT_NE(missing.Readiness().message().find("not installed"), std::string::npos);
}

TEST_F(SandboxTest, BestEffortRunsUnconfinedWhenTheMechanismFails) {
  Sandbox weak(SandboxOptions{.mode = SandboxMode::kBestEffort, .bwrap_bin = "/bin/false"});
  PosixProcessRunner probe;
  weak.Probe(probe);
  EXPECT_TRUE(weak.Readiness().ok());
  PosixProcessRunner runner(&weak);
  auto r = runner.Run(Sh("echo RAN"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "RAN\n");
}

TEST_F(SandboxTest, ParsesTheThreeModes) {
  SandboxMode m;
  EXPECT_TRUE(ParseSandboxMode("required", &m) && m == SandboxMode::kRequired);
  EXPECT_TRUE(ParseSandboxMode("best-effort", &m) && m == SandboxMode::kBestEffort);
  EXPECT_TRUE(ParseSandboxMode("off", &m) && m == SandboxMode::kOff);
  EXPECT_FALSE(ParseSandboxMode("maybe", &m));
}

}  // namespace
}  // namespace datamcp::process
