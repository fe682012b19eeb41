// The engine against a file:// remote: reads, commits without a worktree, pushes, notes.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/git/engine_fixture.h"

namespace datamcp::git::testing {
namespace {

class EngineLocalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bare_ = MakeBareRepo(dir_.path(), "gitops",
                         {{"envs/dev/main.tf", "dev = 1\n"},
                          {"envs/prod/main.tf", "prod = 1\n"},
                          {"modules/vpc/main.tf", "vpc = 1\n"},
                          {"README.md", "hello\n"}});
    engine_ = std::make_unique<Libgit2Repository>(
        EngineOptions(dir_.path() + "/mirror", "file://" + bare_), clock_);
    ASSERT_TRUE(engine_->Mirror().ok());
    main_ = engine_->ResolveRef("main").value();
  }

  std::string Commit(const std::string& base, const ChangeSet& changes) {
    Result<std::string> c = engine_->CreateCommit(base, changes, Meta("change"));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : "";
  }

  TempDir dir_;
  ManualClock clock_;
  std::string bare_;
  std::unique_ptr<Libgit2Repository> engine_;
  std::string main_;
};

TEST_F(EngineLocalTest, MirrorResolvesTheRemoteDefaultBranch) {
  EXPECT_EQ(main_, Trim(GitOut(bare_, {"rev-parse", "main"})));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/mirror/HEAD"));
  EXPECT_TRUE(engine_->Mirror().ok());  // opening an existing mirror also works
  EXPECT_EQ(engine_->ResolveRef("no-such-branch").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->ResolveRef("bad..name").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineLocalTest, FetchPrunesBranchesDeletedOnTheRemote) {
  ASSERT_TRUE(
      engine_->CommitAndPush("datamcp/gone", "main", {{"envs/dev/g", "g"}}, Meta("g")).ok());
  EXPECT_TRUE(engine_->ResolveRef("datamcp/gone").ok());
  GitOut(bare_, {"branch", "-D", "datamcp/gone"});
  std::string moved = CommitWithGit(bare_, "main", {{"envs/dev/m", "m"}}, "moved");
  ASSERT_TRUE(engine_->Fetch().ok());
  EXPECT_EQ(engine_->ResolveRef("datamcp/gone").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->ResolveRef("main").value(), moved);
}

TEST_F(EngineLocalTest, ReadsFilesAndListsTrees) {
  EXPECT_EQ(engine_->ReadFile(main_, "envs/dev/main.tf").value(), "dev = 1\n");
  auto root = engine_->ListTree(main_, "").value();
  ASSERT_EQ(root.size(), 3u);
  EXPECT_EQ(root[0].name, "README.md");
  EXPECT_EQ(root[1].name, "envs");
  EXPECT_EQ(root[1].kind, EntryKind::kTree);
  auto envs = engine_->ListTree(main_, "envs").value();
  ASSERT_EQ(envs.size(), 2u);
  EXPECT_EQ(envs[1].path, "envs/prod");
  EXPECT_EQ(engine_->ReadFile(main_, "envs/qa/main.tf").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->ReadFile(main_, "envs").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->ReadFile(main_, "../x").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineLocalTest, CreateCommitRewritesOnlyChangedTrees) {
  std::string c = Commit(main_, {{"envs/dev/main.tf", "dev = 2\n"},
                                 {"envs/dev/new/run.sh", "#!/bin/sh\n", FileMode::kExecutable},
                                 {"modules/vpc/main.tf", std::nullopt, FileMode::kDelete}});
  auto changed = engine_->ChangedPaths(main_, c).value();
  ASSERT_EQ(changed.size(), 3u);
  EXPECT_EQ(changed[0].path, "envs/dev/main.tf");
  EXPECT_EQ(changed[0].kind, ChangeKind::kModified);
  EXPECT_EQ(changed[1].path, "envs/dev/new/run.sh");
  EXPECT_EQ(changed[1].kind, ChangeKind::kAdded);
  EXPECT_EQ(changed[2].path, "modules/vpc/main.tf");
  EXPECT_EQ(changed[2].kind, ChangeKind::kDeleted);
  // Untouched subtrees keep their ids; the emptied directory is gone.
  EXPECT_EQ(engine_->ListTree(c, "envs").value()[1].oid,
            engine_->ListTree(main_, "envs").value()[1].oid);
  EXPECT_EQ(engine_->ListTree(c, "modules").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->ListTree(c, "envs/dev/new").value()[0].mode, 0100755u);
  // Nothing is visible on the remote until a push.
  EXPECT_NE(RunCommand({"git", "-C", bare_, "cat-file", "-e", c}).exit_code, 0);
}

TEST_F(EngineLocalTest, CommitCarriesIdentitiesAndTrailers) {
  std::string c = Commit(main_, {{"envs/dev/main.tf", "dev = 2\n"}});
  auto log = engine_->Log(c, {}, 1).value();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].author.email, "alice@example.com");
  EXPECT_EQ(log[0].committer.name, "DataMCP Bot");
  EXPECT_EQ(log[0].time, clock_.UnixSeconds());
  EXPECT_EQ(log[0].message,
            "change\n\nDatamcp-Tool: propose_change\nDatamcp-Requested-By: alice@example.com\n"
            "Datamcp-Request-Id: req-1\nDatamcp-Env: dev\n");
  CommitMeta co = Meta("co-authored");
  co.requester_as_coauthor = true;
  std::string c2 = engine_->CreateCommit(main_, {{"envs/dev/main.tf", "dev = 3\n"}}, co).value();
  auto log2 = engine_->Log(c2, {}, 1).value();
  EXPECT_EQ(log2[0].author.email, "bot@datamcp.test");
  EXPECT_NE(log2[0].message.find("Co-authored-by: Alice Requester <alice@example.com>\n"),
            std::string::npos);
  CommitMeta bad = Meta("x");
  bad.trailers.push_back({"Bad Key", "v"});
  EXPECT_EQ(engine_->CreateCommit(main_, {{"envs/dev/a", "1"}}, bad).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EngineLocalTest, RejectsUnsafePathsNamingThem) {
  for (const std::string& path : std::vector<std::string>{
           "/etc/passwd", "envs/../README.md", ".git/config", "envs/dev/.git/x",
           std::string("envs/dev/a\0b", 12), "envs/dev/a\x01", "README.md", "other/x.tf"}) {
    Result<std::string> r = engine_->CreateCommit(main_, {{path, "x"}}, Meta("bad"));
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << path;
    EXPECT_NE(r.status().message().find("path '"), std::string::npos) << r.status().message();
  }
}

TEST_F(EngineLocalTest, RejectsStructurallyBadChangeSets) {
  auto code = [&](const ChangeSet& cs) {
    return engine_->CreateCommit(main_, cs, Meta("x")).status().code();
  };
  EXPECT_EQ(code({{"envs/dev/main.tf", "dev = 1\n"}}), StatusCode::kFailedPrecondition);  // no-op
  EXPECT_EQ(code({{"envs/dev/a", "1"}, {"envs/dev/a", "2"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{"envs/dev/missing", std::nullopt, FileMode::kDelete}}), StatusCode::kNotFound);
  EXPECT_EQ(code({{"envs/dev/main.tf/x", "1"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{"envs/dev", "1"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({}), StatusCode::kInvalidArgument);
}

TEST_F(EngineLocalTest, LogFollowsFirstParentWithPathFilters) {
  std::string c1 = Commit(main_, {{"envs/dev/main.tf", "dev = 2\n"}});
  std::string c2 = Commit(c1, {{"modules/vpc/main.tf", "vpc = 2\n"}});
  std::string c3 = Commit(c2, {{"envs/dev/extra.tf", "x\n"}});
  auto dev = engine_->Log(c3, {"envs/dev"}, 10).value();
  ASSERT_EQ(dev.size(), 3u);  // c3, c1 and the initial commit that created envs/dev
  EXPECT_EQ(dev[0].oid, c3);
  EXPECT_EQ(dev[1].oid, c1);
  EXPECT_EQ(dev[2].oid, main_);
  auto mods = engine_->Log(c3, {"modules"}, 1).value();
  ASSERT_EQ(mods.size(), 1u);
  EXPECT_EQ(mods[0].oid, c2);
  EXPECT_EQ(mods[0].parents, std::vector<std::string>{c1});
  EXPECT_EQ(engine_->MergeBase(c3, Commit(main_, {{"envs/dev/y", "y"}})).value(), main_);
}

TEST_F(EngineLocalTest, ExportTreeWritesReadOnlyFilesWithoutGitDir) {
  std::string c = Commit(main_, {{"envs/dev/run.sh", "#!/bin/sh\n", FileMode::kExecutable}});
  std::string out = engine_->ExportTree(c, dir_.path()).value();
  EXPECT_EQ(ReadFileOrDie(out + "/envs/dev/main.tf"), "dev = 1\n");
  EXPECT_FALSE(std::filesystem::exists(out + "/.git"));
  struct stat st;
  ASSERT_EQ(stat((out + "/envs/dev/main.tf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  ASSERT_EQ(stat((out + "/envs/dev/run.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0555u);
}

TEST_F(EngineLocalTest, BinaryAndLargeFilesRoundTripThroughThePush) {
  constexpr char kBinary[] = "\0\x01\xff\xfe binary\0data";
  std::string binary(kBinary, sizeof kBinary - 1);  // the NULs inside, not the terminator
  std::string large(6 * 1024 * 1024, 'x');
  for (size_t i = 0; i < large.size(); i += 4097) large[i] = static_cast<char>(i % 251);
  auto r = engine_->CommitAndPush("datamcp/blobs", "main",
                                  {{"envs/dev/blob.bin", binary}, {"envs/dev/large.dat", large}},
                                  Meta("binary"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Trim(GitOut(bare_, {"rev-parse", "datamcp/blobs"})), r->commit);
  EXPECT_EQ(GitOut(bare_, {"cat-file", "blob", "datamcp/blobs:envs/dev/blob.bin"}), binary);
  EXPECT_EQ(GitOut(bare_, {"cat-file", "blob", "datamcp/blobs:envs/dev/large.dat"}), large);
  Libgit2Repository other(EngineOptions(dir_.path() + "/mirror2", "file://" + bare_), clock_);
  ASSERT_TRUE(other.Mirror().ok());
  EXPECT_EQ(other.ReadFile(r->commit, "envs/dev/large.dat").value(), large);
}

TEST_F(EngineLocalTest, NeverPushesTheDefaultOrForeignBranches) {
  std::string c = Commit(main_, {{"envs/dev/main.tf", "dev = 2\n"}});
  EXPECT_EQ(engine_->PushBranch("main", c, main_).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(
      engine_->CommitAndPush("feature/x", "main", {{"envs/dev/a", "1"}}, Meta("x")).status().code(),
      StatusCode::kPermissionDenied);
  EXPECT_EQ(Trim(GitOut(bare_, {"rev-parse", "main"})), main_);
}

TEST_F(EngineLocalTest, PushBranchChecksTheExpectedRemoteValue) {
  std::string c = Commit(main_, {{"envs/dev/main.tf", "dev = 2\n"}});
  // The branch does not exist, but the caller claims it is at main_: refused, not created.
  auto r = engine_->PushBranch("datamcp/cas", c, main_);
  EXPECT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
  EXPECT_NE(RunCommand({"git", "-C", bare_, "rev-parse", "--verify", "datamcp/cas"}).exit_code, 0);
  auto ok = engine_->PushBranch("datamcp/cas", c, "");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(ok->ref, "refs/heads/datamcp/cas");
}

// file:// pushes run git receive-pack, so the remote's hooks apply as behind a server.
TEST_F(EngineLocalTest, FileRemoteRunsHooksAndRetriesMovedBranches) {
  InstallPreReceiveHook(bare_,
                        "while read old new ref; do case \"$ref\" in "
                        "refs/heads/datamcp/locked*) echo locked >&2; exit 1;; esac; done\n");
  auto rejected =
      engine_->CommitAndPush("datamcp/locked", "main", {{"envs/dev/a", "a"}}, Meta("x"));
  EXPECT_EQ(rejected.status().code(), StatusCode::kPermissionDenied)
      << rejected.status().ToString();
  auto first = engine_->CommitAndPush("datamcp/moving", "main", {{"envs/dev/a", "a"}}, Meta("1"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::string other = CommitWithGit(bare_, "datamcp/moving", {{"envs/dev/b", "b"}}, "other");
  auto second = engine_->CommitAndPush("datamcp/moving", "main", {{"envs/dev/c", "c"}}, Meta("2"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(second->base, other);
  EXPECT_EQ(Trim(GitOut(bare_, {"rev-parse", "datamcp/moving"})), second->commit);
}

// Finding 10 of issue #11: the file:// child was forked with the server's whole environment.
TEST_F(EngineLocalTest, FileRemoteChildGetsOnlyTheConfiguredEnvironment) {
  ASSERT_EQ(setenv("DATAMCP_TEST_SERVER_SECRET", "hunter2-server-secret", 1), 0);
  const std::string seen = dir_.path() + "/hook_env";
  InstallPreReceiveHook(bare_, "env > '" + seen + "'\ncat >/dev/null\n");
  Libgit2RepositoryOptions o = EngineOptions(dir_.path() + "/mirror_env", "file://" + bare_);
  o.remote.receive_pack_env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                               {"DATAMCP_TEST_PASSED", "yes"}};
  Libgit2Repository engine(o, clock_);
  ASSERT_TRUE(engine.Mirror().ok());
  auto pushed = engine.CommitAndPush("datamcp/env", "main", {{"envs/dev/a", "a"}}, Meta("x"));
  unsetenv("DATAMCP_TEST_SERVER_SECRET");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  std::ifstream in(seen);
  std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(env.find("DATAMCP_TEST_PASSED=yes"), std::string::npos) << env;
  EXPECT_NE(env.find(":/usr/local/bin:/usr/bin:/bin\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("hunter2-server-secret"), std::string::npos) << env;
  EXPECT_EQ(env.find("DATAMCP_TEST_SERVER_SECRET"), std::string::npos) << env;
}

TEST_F(EngineLocalTest, NotesAppendAndArePushed) {
  ASSERT_TRUE(engine_->AddNote(main_, R"({"kind":"plan","ok":true})").ok());
  ASSERT_TRUE(engine_->AddNote(main_, R"({"kind":"apply","ok":false})").ok());
  auto notes = engine_->ReadNotes(main_).value();
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0], R"({"kind":"plan","ok":true})");
  EXPECT_EQ(notes[1], R"({"kind":"apply","ok":false})");
  std::string shown = GitOut(bare_, {"notes", "--ref=datamcp", "show", main_});
  EXPECT_NE(shown.find("\"apply\""), std::string::npos) << shown;
  EXPECT_EQ(engine_->AddNote(main_, "{not json").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(engine_->ReadNotes(Commit(main_, {{"envs/dev/q", "q"}})).value().empty());
}

}  // namespace
}  // namespace datamcp::git::testing
