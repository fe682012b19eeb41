// The engine against real servers on 127.0.0.1: git daemon, smart HTTP (lighttpd +
// git http-backend with Basic auth) and HTTPS with a test CA.
#include <atomic>
#include <chrono>
#include <thread>

#include "tests/git/engine_fixture.h"

namespace datamcp::git::testing {
namespace {

const std::map<std::string, std::string> kFiles = {{"envs/dev/main.tf", "dev = 1\n"},
                                                   {"envs/prod/main.tf", "prod = 1\n"}};

class GitDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bare_ = MakeBareRepo(dir_.path(), "gitops", kFiles);
    daemon_ = std::make_unique<GitDaemon>(dir_.path(), dir_.path());
    ASSERT_TRUE(daemon_->running());
    engine_ = MakeEngine("mirror");
    ASSERT_TRUE(engine_->Mirror().ok());
  }

  std::unique_ptr<Libgit2Repository> MakeEngine(const std::string& name) {
    return std::make_unique<Libgit2Repository>(
        EngineOptions(dir_.path() + "/" + name, daemon_->Url("gitops")), clock_);
  }

  TempDir dir_;
  ManualClock clock_;
  std::string bare_;
  std::unique_ptr<GitDaemon> daemon_;
  std::unique_ptr<Libgit2Repository> engine_;
};

TEST_F(GitDaemonTest, ConcurrentProposalsAllLandWithoutCorruptingTheMirror) {
  constexpr int kProposals = 8;
  std::vector<std::thread> threads;
  std::vector<Result<ProposeResult>> results(kProposals, Status(Internal("not run")));
  for (int i = 0; i < kProposals; ++i) {
    threads.emplace_back([&, i] {
      std::string n = std::to_string(i);
      results[i] = engine_->CommitAndPush("datamcp/p" + n, "main",
                                          {{"envs/dev/p" + n + ".tf", "p = " + n + "\n"}},
                                          Meta("proposal " + n));
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kProposals; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status().ToString();
    std::string n = std::to_string(i);
    EXPECT_EQ(Trim(GitOut(bare_, {"rev-parse", "datamcp/p" + n})), results[i]->commit);
    EXPECT_EQ(GitOut(bare_, {"show", "datamcp/p" + n + ":envs/dev/p" + n + ".tf"}),
              "p = " + n + "\n");
  }
  EXPECT_EQ(RunCommand({"git", "-C", dir_.path() + "/mirror", "fsck", "--no-progress"}).exit_code,
            0);
  EXPECT_EQ(RunCommand({"git", "-C", bare_, "fsck", "--no-progress"}).exit_code, 0);
}

TEST_F(GitDaemonTest, ConcurrentProposalsToOneBranchTakeTurnsAndAllLand) {
  constexpr int kProposals = 4;
  std::vector<std::thread> threads;
  std::vector<Result<ProposeResult>> results(kProposals, Status(Internal("not run")));
  for (int i = 0; i < kProposals; ++i) {
    threads.emplace_back([&, i] {
      std::string n = std::to_string(i);
      results[i] = engine_->CommitAndPush("datamcp/shared", "main",
                                          {{"envs/dev/s" + n + ".tf", n + "\n"}}, Meta("s" + n));
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kProposals; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    EXPECT_EQ(results[i]->attempts, 1);  // serialized in-process: no push race to retry
    std::string n = std::to_string(i);
    EXPECT_EQ(GitOut(bare_, {"show", "datamcp/shared:envs/dev/s" + n + ".tf"}), n + "\n");
  }
  EXPECT_EQ(Trim(GitOut(bare_, {"rev-list", "--count", "main..datamcp/shared"})),
            std::to_string(kProposals));
}

TEST_F(GitDaemonTest, RetriesWhenTheRemoteMovedUnderABotBranch) {
  auto first =
      engine_->CommitAndPush("datamcp/feature", "main", {{"envs/dev/a.tf", "a\n"}}, Meta("first"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::string other = CommitWithGit(bare_, "datamcp/feature", {{"envs/dev/b.tf", "b\n"}}, "other");
  // The engine has not fetched: its view of the branch is stale, so the first push fails.
  auto second =
      engine_->CommitAndPush("datamcp/feature", "main", {{"envs/dev/c.tf", "c\n"}}, Meta("second"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(second->base, other);
  EXPECT_EQ(Trim(GitOut(bare_, {"rev-parse", "datamcp/feature"})), second->commit);
  for (const char* f : {"a", "b", "c"}) {
    EXPECT_EQ(GitOut(bare_, {"show", std::string("datamcp/feature:envs/dev/") + f + ".tf"}),
              std::string(f) + "\n");
  }
}

TEST_F(GitDaemonTest, ProtectedRefRejectedByAHookIsReportedAsRejected) {
  InstallPreReceiveHook(bare_,
                        "while read old new ref; do case \"$ref\" in "
                        "refs/heads/datamcp/protected*) echo \"$ref is protected\" >&2; exit 1;; "
                        "esac; done\nexit 0\n");
  auto r =
      engine_->CommitAndPush("datamcp/protected-x", "main", {{"envs/dev/a.tf", "a\n"}}, Meta("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_NE(r.status().message().find("rejected refs/heads/datamcp/protected-x"), std::string::npos)
      << r.status().message();
  EXPECT_NE(
      RunCommand({"git", "-C", bare_, "rev-parse", "--verify", "datamcp/protected-x"}).exit_code,
      0);
  std::string c =
      engine_
          ->CreateCommit(engine_->ResolveRef("main").value(), {{"envs/dev/b.tf", "b\n"}}, Meta("y"))
          .value();
  auto pushed = engine_->PushBranch("datamcp/protected-y", c, "");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_FALSE(pushed->ok);
  EXPECT_FALSE(pushed->message.empty());
}

TEST_F(GitDaemonTest, NotesWrittenConcurrentlyByTwoEnginesAreAllKept) {
  auto second = MakeEngine("mirror2");
  ASSERT_TRUE(second->Mirror().ok());
  std::string main = engine_->ResolveRef("main").value();
  constexpr int kPerEngine = 4;
  std::atomic<int> failures{0};
  auto writer = [&](Libgit2Repository* e, const std::string& who) {
    for (int i = 0; i < kPerEngine; ++i) {
      Status s = e->AddNote(main, "{\"writer\":\"" + who + "\",\"i\":" + std::to_string(i) + "}");
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        ++failures;
      }
    }
  };
  std::thread a(writer, engine_.get(), "a");
  std::thread b(writer, second.get(), "b");
  a.join();
  b.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_TRUE(engine_->Fetch().ok());
  auto notes = engine_->ReadNotes(main).value();
  EXPECT_EQ(notes.size(), 2u * kPerEngine);
  for (const char* who : {"a", "b"}) {
    for (int i = 0; i < kPerEngine; ++i) {
      std::string want = "{\"i\":" + std::to_string(i) + ",\"writer\":\"" + who + "\"}";
      EXPECT_NE(std::find(notes.begin(), notes.end(), want), notes.end()) << want;
    }
  }
}

class HttpTest : public ::testing::Test {
 protected:
  std::unique_ptr<Libgit2Repository> Engine(const std::string& url, const std::string& token,
                                            const std::string& ca_file = "") {
    auto o = EngineOptions(dir_.path() + "/mirror-" + std::to_string(++engines_), url);
    o.remote.token = Secret(token);
    o.remote.ca_file = ca_file;
    return std::make_unique<Libgit2Repository>(o, clock_);
  }

  TempDir dir_;
  TempDir www_;
  ManualClock clock_;
  int engines_ = 0;
};

TEST_F(HttpTest, BasicAuthTokenClonesAndPushes) {
  std::string bare = MakeBareRepo(dir_.path(), "gitops", kFiles);
  HttpGitServer server(dir_.path(), www_.path(), "s3cret-token");
  ASSERT_TRUE(server.running());
  auto engine = Engine(server.Url("gitops"), "s3cret-token");
  Status s = engine->Mirror();
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto r = engine->CommitAndPush("datamcp/http", "main", {{"envs/dev/h.tf", "h\n"}}, Meta("h"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Trim(GitOut(bare, {"rev-parse", "datamcp/http"})), r->commit);
}

TEST_F(HttpTest, WrongTokenFailsFastWithAnAuthenticationError) {
  MakeBareRepo(dir_.path(), "gitops", kFiles);
  HttpGitServer server(dir_.path(), www_.path(), "s3cret-token");
  ASSERT_TRUE(server.running());
  auto start = std::chrono::steady_clock::now();
  Status wrong = Engine(server.Url("gitops"), "wrong-token")->Mirror();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(wrong.code(), StatusCode::kUnauthenticated) << wrong.ToString();
  EXPECT_NE(wrong.message().find("authentication failed"), std::string::npos) << wrong.message();
  EXPECT_EQ(wrong.message().find("wrong-token"), std::string::npos) << "token leaked";
  Status none = Engine(server.Url("gitops"), "")->Mirror();
  EXPECT_EQ(none.code(), StatusCode::kUnauthenticated) << none.ToString();
}

TEST_F(HttpTest, HttpsWithTestCaWorksAndUnknownCaIsRefused) {
  std::string bare = MakeBareRepo(dir_.path(), "gitops", kFiles);
  TempDir certs;
  TlsFiles tls = MakeTestCertificates(certs.path());
  HttpGitServer server(dir_.path(), www_.path(), "tok", &tls);
  ASSERT_TRUE(server.running());
  Status untrusted = Engine(server.Url("gitops"), "tok")->Mirror();
  EXPECT_FALSE(untrusted.ok());
  EXPECT_NE(untrusted.message().find("certificate"), std::string::npos) << untrusted.ToString();
  auto engine = Engine(server.Url("gitops"), "tok", tls.ca_file);
  Status s = engine->Mirror();
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto r = engine->CommitAndPush("datamcp/tls", "main", {{"envs/dev/t.tf", "t\n"}}, Meta("t"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Trim(GitOut(bare, {"rev-parse", "datamcp/tls"})), r->commit);
}

class SshTest : public ::testing::Test {
 protected:
  std::unique_ptr<Libgit2Repository> Engine(const std::string& url, const std::string& key,
                                            const std::string& known_hosts) {
    auto o = EngineOptions(dir_.path() + "/mirror-" + std::to_string(++engines_), url);
    o.remote.ssh_key_file = key;
    o.remote.known_hosts_file = known_hosts;
    return std::make_unique<Libgit2Repository>(o, clock_);
  }

  TempDir dir_;
  TempDir ssh_dir_;
  ManualClock clock_;
  int engines_ = 0;
};

TEST_F(SshTest, KeyAndKnownHostsCloneAndPush) {
  std::string bare = MakeBareRepo(dir_.path(), "gitops", kFiles);
  SshGitServer server(ssh_dir_.path());
  ASSERT_TRUE(server.running());
  auto engine = Engine(server.Url(bare), server.client_key(), server.known_hosts());
  Status s = engine->Mirror();
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto r = engine->CommitAndPush("datamcp/ssh", "main", {{"envs/dev/s.tf", "s\n"}}, Meta("s"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Trim(GitOut(bare, {"rev-parse", "datamcp/ssh"})), r->commit);
}

// ssh pushes go through libgit2's push: a hook's refusal still comes back as rejected.
TEST_F(SshTest, HookRejectionIsReportedThroughLibgit2Push) {
  std::string bare = MakeBareRepo(dir_.path(), "gitops", kFiles);
  InstallPreReceiveHook(bare, "echo no pushes here >&2\nexit 1\n");
  SshGitServer server(ssh_dir_.path());
  ASSERT_TRUE(server.running());
  auto engine = Engine(server.Url(bare), server.client_key(), server.known_hosts());
  ASSERT_TRUE(engine->Mirror().ok());
  auto r = engine->CommitAndPush("datamcp/ssh-x", "main", {{"envs/dev/s.tf", "s\n"}}, Meta("s"));
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_NE(RunCommand({"git", "-C", bare, "rev-parse", "--verify", "datamcp/ssh-x"}).exit_code, 0);
}

TEST_F(SshTest, UnknownHostKeyIsRefused) {
  std::string bare = MakeBareRepo(dir_.path(), "gitops", kFiles);
  SshGitServer server(ssh_dir_.path());
  ASSERT_TRUE(server.running());
  Status s = Engine(server.Url(bare), server.client_key(), server.WrongKnownHosts())->Mirror();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("host key"), std::string::npos) << s.ToString();
  Status none = Engine(server.Url(bare), server.client_key(), "")->Mirror();
  EXPECT_NE(none.message().find("no known_hosts_file"), std::string::npos) << none.ToString();
}

TEST_F(SshTest, UnauthorizedKeyGivesAnAuthenticationError) {
  std::string bare = MakeBareRepo(dir_.path(), "gitops", kFiles);
  SshGitServer server(ssh_dir_.path());
  ASSERT_TRUE(server.running());
  std::string other = ssh_dir_.path() + "/stranger";
  MustRun({"ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "", "-f", other});
  Status s = Engine(server.Url(bare), other, server.known_hosts())->Mirror();
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
}

}  // namespace
}  // namespace datamcp::git::testing
