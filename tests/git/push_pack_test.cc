// The pack the engine pushes holds exactly the new objects, and the receive-pack parsing.
#include "gitops/git/push_pack.h"

#include "gitops/git/git_ptr.h"
#include "gitops/git/remote_session.h"
#include "gitops/git/send_pack.h"
#include "tests/git/engine_fixture.h"

namespace datamcp::git::testing {
namespace {

uint32_t PackObjectCount(const std::string& pack) {
  EXPECT_GE(pack.size(), 12u);
  EXPECT_EQ(pack.substr(0, 4), "PACK");
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(pack[i])); };
  return b(8) << 24 | b(9) << 16 | b(10) << 8 | b(11);
}

TEST(PushPackTest, HoldsOnlyTheObjectsOnChangedPaths) {
  TempDir dir;
  ManualClock clock;
  std::map<std::string, std::string> files;
  for (int d = 0; d < 20; ++d) {
    for (int f = 0; f < 20; ++f) {
      files["envs/e" + std::to_string(d) + "/f" + std::to_string(f)] = std::to_string(d * f);
    }
  }
  std::string bare = MakeBareRepo(dir.path(), "big", files);
  Libgit2Repository engine(EngineOptions(dir.path() + "/mirror", "file://" + bare), clock);
  ASSERT_TRUE(engine.Mirror().ok());
  std::string main = engine.ResolveRef("main").value();
  std::string c1 =
      engine.CreateCommit(main, {{"envs/e3/f1", "new"}, {"envs/e3/g", "g"}}, Meta("one")).value();
  std::string c2 = engine.CreateCommit(c1, {{"envs/e4/f1", "other"}}, Meta("two")).value();
  git_repository* raw = nullptr;
  ASSERT_EQ(git_repository_open_bare(&raw, (dir.path() + "/mirror").c_str()), 0);
  RepositoryPtr repo(raw);
  // c1: commit, root, envs, envs/e3 and two blobs.
  EXPECT_EQ(PackObjectCount(BuildPushPack(repo.get(), c1, {main}).value()), 6u);
  // c2 on top of c1 (both new): c1's 6 plus commit, root, envs, envs/e4 and one blob.
  EXPECT_EQ(PackObjectCount(BuildPushPack(repo.get(), c2, {main}).value()), 11u);
  // Nothing known to the remote: refused, the caller falls back to libgit2's push.
  EXPECT_EQ(BuildPushPack(repo.get(), c2, {}).status().code(), StatusCode::kFailedPrecondition);
}

TEST(SendPackTest, ParsesAdvertisementsIncludingEmptyRepositories) {
  std::string a = std::string("0000000000000000000000000000000000000000 capabilities^{}") + '\0' +
                  "report-status\n";
  std::string empty = "00" + std::string(1, "0123456789abcdef"[(a.size() + 4) / 16]) +
                      std::string(1, "0123456789abcdef"[(a.size() + 4) % 16]) + a + "0000";
  size_t used = 0;
  EXPECT_TRUE(ParseAdvertisement(empty, &used).value().empty());
  EXPECT_EQ(used, empty.size());
  std::string line = std::string(40, 'a') + " refs/heads/main" + '\0' + "report-status\n";
  char len[5];
  std::snprintf(len, sizeof(len), "%04zx", line.size() + 4);
  auto refs = ParseAdvertisement(std::string(len) + line + "0000", nullptr).value();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs["refs/heads/main"], std::string(40, 'a'));
  EXPECT_FALSE(ParseAdvertisement("zzzz", nullptr).ok());
  EXPECT_TRUE(SendPackSupports("git://h/x.git"));
  EXPECT_TRUE(SendPackSupports("https://h/x.git"));
  EXPECT_TRUE(SendPackSupports("file:///x.git"));
  EXPECT_FALSE(SendPackSupports("ssh://git@h/x.git"));
}

TEST(RemoteSessionTest, RedactsPasswordsInUrls) {
  EXPECT_EQ(RedactUrl("https://x-access-token:s3cret@github.com/o/r.git"),
            "https://x-access-token:***@github.com/o/r.git");
  EXPECT_EQ(RedactUrl("ssh://git@host:2222/r.git"), "ssh://git@host:2222/r.git");
  EXPECT_EQ(RedactUrl("https://host/a@b"), "https://host/a@b");
  EXPECT_EQ(RedactUrl("file:///tmp/r.git"), "file:///tmp/r.git");
}

}  // namespace
}  // namespace datamcp::git::testing
