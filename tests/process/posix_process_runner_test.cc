#include "gitops/process/posix_process_runner.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace datamcp::process {
namespace {

using namespace std::chrono_literals;

ProcessRequest Sh(const std::string& script) {
  ProcessRequest r;
  r.argv = {"/bin/sh", "-c", script};
  r.env = {{"PATH", "/usr/bin:/bin"}};
  r.timeout = 20s;
  r.kill_grace = 2s;
  return r;
}

// True when `pid` is gone or only a zombie waiting for init to reap it.
bool ProcessGone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  std::size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

bool EventuallyGone(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ProcessGone(pid)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(PosixProcessRunnerTest, CapturesStdoutStderrAndExitCode) {
  PosixProcessRunner runner;
  auto r = runner.Run(Sh("echo out; echo err >&2; exit 3"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "out\n");
  EXPECT_EQ(r->stderr_text, "err\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->signal, 0);
  EXPECT_FALSE(r->Succeeded());
  EXPECT_EQ(r->Describe(), "exited with status 3");
}

TEST(PosixProcessRunnerTest, PassesShellMetacharactersLiterally) {
  PosixProcessRunner runner;
  ProcessRequest req;
  req.argv = {"/bin/echo", "a;b", "$(id)", "`id`", "*", "x && y", "'q'"};
  auto r = runner.Run(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "a;b $(id) `id` * x && y 'q'\n");
  EXPECT_TRUE(r->Succeeded());
}

TEST(PosixProcessRunnerTest, TimeoutKillsTheWholeGroupIncludingGrandchildren) {
  PosixProcessRunner runner;
  ProcessRequest req = Sh("sleep 300 & echo $!; wait");
  req.timeout = 300ms;
  auto r = runner.Run(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGTERM);
  EXPECT_LT(r->duration, 5s);
  pid_t grandchild = std::stoi(r->stdout_text);
  EXPECT_TRUE(EventuallyGone(grandchild)) << "grandchild sleep " << grandchild << " survived";
  EXPECT_NE(r->Describe().find("timeout"), std::string::npos);
}

TEST(PosixProcessRunnerTest, SigkillsAGroupThatIgnoresSigterm) {
  PosixProcessRunner runner;
  ProcessRequest req = Sh("trap '' TERM; sleep 300 & echo $!; wait");
  req.timeout = 200ms;
  req.kill_grace = 300ms;
  auto r = runner.Run(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_TRUE(EventuallyGone(std::stoi(r->stdout_text)));
}

TEST(PosixProcessRunnerTest, ResetsSignalMaskAndDispositionsInTheChild) {
  // The server blocks signals in its threads and may ignore some; the child must not inherit
  // either, or SIGTERM would not stop it and every timeout would wait for SIGKILL.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
  struct sigaction ignore {
  }, old_action{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGTERM, &ignore, &old_action), 0);

  PosixProcessRunner runner;
  ProcessRequest req;
  req.argv = {"sleep", "300"};
  req.env = {{"PATH", "/usr/bin:/bin"}};
  req.timeout = 200ms;
  req.kill_grace = 30s;
  auto r = runner.Run(req);

  sigaction(SIGTERM, &old_action, nullptr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->signal, SIGTERM);
  EXPECT_LT(r->duration, 10s);
}

TEST(PosixProcessRunnerTest, KillsLeftoversWhenTheLeaderExits) {
  PosixProcessRunner runner;
  ProcessRequest req = Sh("sleep 300 & echo $!");
  req.timeout = 60s;
  auto r = runner.Run(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_LT(r->duration, 10s);
  EXPECT_TRUE(EventuallyGone(std::stoi(r->stdout_text)));
}

TEST(PosixProcessRunnerTest, CapsOutputKeepingTheHead) {
  PosixProcessRunner runner;
  ProcessRequest req = Sh("printf abc; head -c 200000 /dev/zero; echo tail >&2");
  req.max_output_bytes = 1000;
  auto r = runner.Run(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text.size(), 1000u);
  EXPECT_EQ(r->stdout_text.substr(0, 3), "abc");
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->stderr_text, "tail\n");
  EXPECT_EQ(r->exit_code, 0);
}

TEST(PosixProcessRunnerTest, TimesOutAProcessThatNeverStopsWriting) {
  PosixProcessRunner runner;
  ProcessRequest req;
  req.argv = {"yes"};
  req.env = {{"PATH", "/usr/bin:/bin"}};
  req.timeout = 300ms;
  req.max_output_bytes = 1000;
  auto r = runner.Run(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->stdout_text.size(), 1000u);
  EXPECT_LT(r->duration, 5s);
}

TEST(PosixProcessRunnerTest, PassesOnlyTheGivenEnvironment) {
  ASSERT_EQ(setenv("DATAMCP_TEST_PARENT_ONLY", "leak", 1), 0);
  PosixProcessRunner runner;
  ProcessRequest req;
  req.argv = {"env"};
  req.env = {{"PATH", "/usr/bin:/bin"}, {"FOO", "bar baz"}};
  auto r = runner.Run(req);
  unsetenv("DATAMCP_TEST_PARENT_ONLY");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "FOO=bar baz\nPATH=/usr/bin:/bin\n");
}

TEST(PosixProcessRunnerTest, AllowlistedEnvPicksNamesAndPrefixes) {
  std::map<std::string, std::string> parent = {
      {"AWS_REGION", "eu"}, {"AWS_PROFILE", "p"}, {"AWX", "no"}, {"HOME", "/h"}, {"X", "no"}};
  auto env = AllowlistedEnv(parent, {"HOME", "AWS_*", "MISSING"});
  std::map<std::string, std::string> want = {
      {"AWS_PROFILE", "p"}, {"AWS_REGION", "eu"}, {"HOME", "/h"}};
  EXPECT_EQ(env, want);
  EXPECT_FALSE(CurrentEnvironment().empty());
}

TEST(PosixProcessRunnerTest, MissingProgramIsNotFoundNamingIt) {
  PosixProcessRunner runner;
  ProcessRequest req;
  req.argv = {"datamcp-no-such-program"};
  req.env = {{"PATH", "/usr/bin:/bin"}};
  auto r = runner.Run(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("datamcp-no-such-program"), std::string::npos);
  EXPECT_NE(r.status().message().find("/usr/bin:/bin"), std::string::npos);

  req.argv = {"/nonexistent/dir/tool"};
  r = runner.Run(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/dir/tool"), std::string::npos);
}

TEST(PosixProcessRunnerTest, RejectsBadRequests) {
  PosixProcessRunner runner;
  ProcessRequest req;
  EXPECT_EQ(runner.Run(req).status().code(), StatusCode::kInvalidArgument);
  req.argv = {"/bin/echo", std::string("a\0b", 3)};
  EXPECT_EQ(runner.Run(req).status().code(), StatusCode::kInvalidArgument);
  req.argv = {"/bin/echo"};
  req.env = {{"A=B", "c"}};
  EXPECT_EQ(runner.Run(req).status().code(), StatusCode::kInvalidArgument);
  req.env = {};
  req.cwd = "/nonexistent/datamcp";
  auto r = runner.Run(req);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/datamcp"), std::string::npos);
}

TEST(PosixProcessRunnerTest, RunsInTheGivenDirectoryWithStdinFromDevNull) {
  auto dir = std::filesystem::canonical(std::filesystem::temp_directory_path());
  PosixProcessRunner runner;
  ProcessRequest req = Sh("pwd; cat; echo done");
  req.cwd = dir.string();
  req.timeout = 10s;
  auto r = runner.Run(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, dir.string() + "\ndone\n");
  EXPECT_FALSE(r->timed_out);
}

TEST(PosixProcessRunnerTest, WritesStdinDataLargerThanAPipeAndClosesIt) {
  PosixProcessRunner runner;
  ProcessRequest req = Sh("wc -c");
  req.stdin_data.assign(3u << 20, 'x');  // far more than a socket buffer holds
  auto r = runner.Run(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, std::to_string(3u << 20) + "\n");
  EXPECT_TRUE(r->Succeeded());
}

TEST(PosixProcessRunnerTest, ChildThatStopsReadingStdinIsNotAnError) {
  PosixProcessRunner runner;
  ProcessRequest req = Sh("head -c 3; echo; exit 0");
  req.stdin_data.assign(8u << 20, 'y');
  auto r = runner.Run(req);  // no SIGPIPE reaches the test process
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "yyy\n");
  EXPECT_TRUE(r->Succeeded());
}

TEST(PosixProcessRunnerTest, CancellationStopsTheRun) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
  });
  PosixProcessRunner runner;
  ProcessRequest req = Sh("sleep 300");
  req.cancel = &cancel;
  auto r = runner.Run(req);
  canceller.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cancelled);
  EXPECT_FALSE(r->timed_out);
  EXPECT_LT(r->duration, 10s);
}

TEST(PosixProcessRunnerTest, ConcurrentRunsDoNotHoldEachOthersPipes) {
  // Children spawned by one thread must not inherit the pipes another thread is creating
  // (they are O_CLOEXEC); if they did, a fast run would wait for a slow sleep to end.
  PosixProcessRunner runner;
  std::atomic<bool> done{false};
  std::thread slow([&] {
    for (int i = 0; i < 3; ++i) static_cast<void>(runner.Run(Sh("sleep 2")));
    done = true;
  });
  std::chrono::milliseconds slowest{0};
  int runs = 0;
  while (!done) {
    auto r = runner.Run(Sh("echo fast"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->stdout_text, "fast\n");
    slowest = std::max(slowest, r->duration);
    ++runs;
  }
  slow.join();
  EXPECT_GT(runs, 3);
  EXPECT_LT(slowest, 1500ms) << "after " << runs << " runs";
}

}  // namespace
}  // namespace datamcp::process
