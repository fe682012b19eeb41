// Bad state database configuration stops `datamcp serve` at start-up with exit code 2 and one
// line naming the key: an unreachable or malformed state.postgres_url, and a database whose
// schema a newer DataMCP migrated (PostgreSQL: a real server; SQLite: work_dir/state.db).
// Nothing is created in the work directory before the state database is open. And the test
// server itself: one whose test process is killed (a ctest timeout) does not outlive it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gitops/state/schema.h"
#include "gitops/state/state_database.h"
#include "tests/support/postgres_server.h"
#include "tests/support/run.h"

extern char** environ;

namespace datamcp::state {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string stderr_text;
};

class StateConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new test::PostgresServer;
    pg_error_ = pg_->Start();
  }
  static void TearDownTestSuite() {
    delete pg_;
    pg_ = nullptr;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Starts `datamcp serve` in dir_ with the environment plus `extra` (NAME=value), its
  // stderr (the JSON log) in dir_/stderr. Returns its pid.
  pid_t Spawn(std::vector<std::string> extra) {
    extra.push_back("DATAMCP_WORK_DIR=" + work_dir());
    extra.push_back("DATAMCP_SERVER_PORT=0");
    extra.push_back("DATAMCP_LOG_FORMAT=json");
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
    for (auto& x : extra) env_strings.push_back(x);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string bin = DATAMCP_BINARY_PATH, serve = "serve";
    char* argv[] = {bin.data(), serve.data(), nullptr};
    const std::string err_path = dir_ + "/stderr";
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(126);
      int fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int null = open("/dev/null", O_RDWR);
      if (fd >= 0) dup2(fd, 2);
      if (null >= 0) dup2(null, 0), dup2(null, 1);
      execve(argv[0], argv, envp.data());
      _exit(127);
    }
    return pid;
  }

  std::string Stderr() const {
    std::ifstream in(dir_ + "/stderr");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Waits for `pid` to exit (a minute at most, then it is killed and the test fails).
  int Wait(pid_t pid) {
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ADD_FAILURE() << "datamcp serve did not stop within a minute";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Runs `datamcp serve` to its end (it is expected to refuse to start).
  Outcome Serve(std::vector<std::string> extra) {
    Outcome out;
    out.exit_code = Wait(Spawn(std::move(extra)));
    out.stderr_text = Stderr();
    return out;
  }

  // Asserts the one-line start-up refusal naming `key` and containing `want`.
  static void ExpectRefused(const Outcome& out, const std::string& key, const std::string& want) {
    EXPECT_EQ(out.exit_code, 2) << out.stderr_text;
    EXPECT_EQ(std::count(out.stderr_text.begin(), out.stderr_text.end(), '\n'), 1)
        << "want exactly one line on stderr:\n"
        << out.stderr_text;
    EXPECT_NE(out.stderr_text.find(key), std::string::npos) << out.stderr_text;
    EXPECT_NE(out.stderr_text.find(want), std::string::npos) << out.stderr_text;
  }

  std::string work_dir() const { return dir_ + "/work"; }
  // What serve left in the work directory besides the state database.
  std::vector<std::string> WorkDirEntries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(work_dir(), ec)) {
      std::string name = e.path().filename().string();
      if (name.rfind("state.db", 0) != 0 && name != "auth") names.push_back(name);
    }
    return names;
  }

  inline static test::PostgresServer* pg_ = nullptr;
  inline static std::string pg_error_;
  std::string dir_ = test::MakeTempDir("state-config");
};

TEST_F(StateConfigTest, UnreachablePostgresUrlStopsStartUpNamingTheKeyNotThePassword) {
  const int closed_port = pg_->port() > 0 ? pg_->port() + 1 : 1;  // nothing listens there
  Outcome out = Serve({"DATAMCP_STATE_POSTGRES_URL=postgresql://datamcp:hunter2@127.0.0.1:" +
                       std::to_string(closed_port) + "/datamcp"});
  ExpectRefused(out, "state.postgres_url", "cannot connect to the state database");
  EXPECT_EQ(out.stderr_text.find("hunter2"), std::string::npos) << out.stderr_text;
  EXPECT_TRUE(WorkDirEntries().empty());
}

TEST_F(StateConfigTest, MalformedPostgresUrlStopsStartUpNamingTheKey) {
  ExpectRefused(Serve({"DATAMCP_STATE_POSTGRES_URL=mysql://db.example/datamcp"}),
                "state.postgres_url", "must be a PostgreSQL URL");
  ExpectRefused(Serve({"DATAMCP_STATE_POSTGRES_URL=postgresql://u:hunter2@db.example/datamcp?"
                       "no_such_option=1"}),
                "state.postgres_url", "not a valid PostgreSQL connection string");
  EXPECT_TRUE(WorkDirEntries().empty());
}

TEST_F(StateConfigTest, PostgresSchemaFromTheFutureStopsStartUpNamingTheKey) {
  ASSERT_TRUE(pg_error_.empty()) << pg_error_;
  const std::string url = pg_->CreateDatabase("future");
  {
    auto db = OpenStateDatabase({.work_dir = dir_ + "/elsewhere", .postgres_url = Secret(url)});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)
                    ->Transact([](Tx& tx) {
                      return tx
                          .Exec("UPDATE datamcp_schema SET version = $1",
                                {static_cast<long long>(kSchemaVersion + 1)})
                          .status();
                    })
                    .ok());
  }
  Outcome out = Serve({"DATAMCP_STATE_POSTGRES_URL=" + url});
  ExpectRefused(out, "state.postgres_url",
                "has schema version " + std::to_string(kSchemaVersion + 1));
  EXPECT_NE(out.stderr_text.find("newer than this DataMCP knows"), std::string::npos);
  EXPECT_TRUE(WorkDirEntries().empty());
}

TEST_F(StateConfigTest, SqliteSchemaFromTheFutureStopsStartUpNamingTheKey) {
  {
    auto db = OpenStateDatabase({.work_dir = work_dir()});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)
                    ->Transact([](Tx& tx) {
                      return tx
                          .Exec("UPDATE datamcp_schema SET version = $1",
                                {static_cast<long long>(kSchemaVersion + 1)})
                          .status();
                    })
                    .ok());
  }
  ExpectRefused(Serve({}), "work_dir", "has schema version " + std::to_string(kSchemaVersion + 1));
  EXPECT_TRUE(WorkDirEntries().empty());
}

// PostgreSQL goes away under a running server: /readyz turns 503 naming the state database
// (a load balancer stops sending webhooks, GitHub shows them failed and they can be
// redelivered), and 200 again once it is back, without a restart.
TEST_F(StateConfigTest, ReadyzIs503WhilePostgresIsDownAndRecovers) {
  ASSERT_TRUE(pg_error_.empty()) << pg_error_;
  const std::string url = pg_->CreateDatabase("readyz");
  pid_t pid = Spawn({"DATAMCP_STATE_POSTGRES_URL=" + url});
  struct Guard {
    std::function<void()> stop;
    ~Guard() { stop(); }
  } guard{[&] {
    kill(pid, SIGTERM);
    Wait(pid);
  }};
  int port = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (port == 0 && std::chrono::steady_clock::now() < deadline) {
    const std::string log = Stderr();
    const auto at = log.find("\"event\":\"listening\"");
    const auto field = at == std::string::npos ? at : log.find("\"port\":", at);
    if (field != std::string::npos) port = std::atoi(log.c_str() + field + 7);
    if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(port, 0) << "serve did not log listening:\n" << Stderr();
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(20));
  // Polls /readyz until its status is `want` (30 s at most); returns the last body.
  auto poll = [&](int want) {
    std::string body = "no answer";
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      auto res = client.Get("/readyz");
      if (res) body = res->body;
      if (res && res->status == want) return std::make_pair(true, body);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::make_pair(false, body);
  };
  auto [ready, body] = poll(200);
  ASSERT_TRUE(ready) << body;
  pg_->Stop();
  auto [down, reason] = poll(503);
  std::string resumed = pg_->Resume();
  ASSERT_TRUE(resumed.empty()) << resumed;
  ASSERT_TRUE(down) << reason;
  EXPECT_NE(reason.find("state database"), std::string::npos) << reason;
  auto [back, again] = poll(200);
  EXPECT_TRUE(back) << again;
}

// A test killed at its ctest timeout runs no destructor. Its PostgreSQL used to keep running
// (and its directory stay in /tmp) until someone noticed; the harness's watchdog now stops it.
TEST(PostgresServerTest, ItsServerDoesNotOutliveAKilledTestProcess) {
  int report[2];
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);  // held by the child alone, not by its servers
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // this process has no other thread: the child may run the harness
    close(report[0]);
    test::PostgresServer pg;
    std::string line = pg.Start();
    line = line.empty() ? std::to_string(pg.port()) + " " + pg.dir() : "error " + line;
    (void)!write(report[1], line.data(), line.size());
    close(report[1]);
    raise(SIGKILL);
  }
  close(report[1]);
  std::string line;
  char buf[4096];
  for (ssize_t n; (n = read(report[0], buf, sizeof buf)) > 0;) line.append(buf, n);
  close(report[0]);
  waitpid(child, nullptr, 0);
  ASSERT_FALSE(line.empty() || line.rfind("error ", 0) == 0) << line;
  const int port = std::stoi(line);
  const std::string dir = line.substr(line.find(' ') + 1);
  auto accepting = [port] {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  };
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((accepting() || std::filesystem::exists(dir)) &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir << " is left behind";
  if (accepting()) {
    ADD_FAILURE() << "the killed test's PostgreSQL still listens on " << port;
    std::ifstream pid_file(dir + "/data/postmaster.pid");  // not to leave it running
    pid_t postmaster = 0;
    if (pid_file >> postmaster && postmaster > 0) kill(postmaster, SIGQUIT);
  }
}

}  // namespace
}  // namespace datamcp::state
