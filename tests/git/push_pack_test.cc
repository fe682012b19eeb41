// The pack the engine pushes holds exactly the new objects, and the receive-pack parsing.
#include "gitops/git/push_pack.h"

#include <openssl/evp.h>

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

std::string DecodeKey(const std::string& pub) {
  std::string b64 = pub.substr(pub.find(' ') + 1);
  b64 = b64.substr(0, b64.find(' '));
  std::string out(b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  size_t pad = b64.size() - b64.find_last_not_of('=') - 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

TEST(RemoteSessionTest, KnownHostsMatchesPlainAndHashedEntries) {
  TempDir dir;
  for (const char* name : {"/a", "/b"}) {
    MustRun({"ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", dir.path() + name});
  }
  std::string key_a = DecodeKey(ReadFileOrDie(dir.path() + "/a.pub"));
  std::string key_b = DecodeKey(ReadFileOrDie(dir.path() + "/b.pub"));
  std::string known = dir.path() + "/known_hosts";
  WriteFile(known, "[127.0.0.1]:2222 " + ReadFileOrDie(dir.path() + "/a.pub"));
  EXPECT_EQ(VerifyKnownHost(known, "[127.0.0.1]:2222", key_a), "");
  EXPECT_NE(VerifyKnownHost(known, "[127.0.0.1]:2222", key_b).find("differs"), std::string::npos);
  EXPECT_NE(VerifyKnownHost(known, "other", key_a).find("not listed"), std::string::npos);
  MustRun({"ssh-keygen", "-q", "-H", "-f", known});
  ASSERT_EQ(ReadFileOrDie(known).rfind("|1|", 0), 0u) << ReadFileOrDie(known);
  EXPECT_EQ(VerifyKnownHost(known, "[127.0.0.1]:2222", key_a), "");
  EXPECT_NE(VerifyKnownHost(known, "[127.0.0.1]:2223", key_a), "");
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
