#include "gitops/common/safe_yaml.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "gitops/repo/repo_config.h"

namespace datamcp::repo {
namespace {

// Runs `fn` in a child process with a 512 MiB address-space cap and returns its exit code,
// or -1 when it did not finish within `seconds` (then it is killed). A hang or OOM in the
// parser fails the test instead of taking the test binary down with it.
int RunGuarded(int (*fn)(const char*), const char* input, int seconds) {
  pid_t pid = fork();
  if (pid == 0) {
    rlimit limit{512u << 20, 512u << 20};
    setrlimit(RLIMIT_AS, &limit);
    _exit(fn(input));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
}

// 0: rejected with an InvalidArgument naming the problem; 1: accepted; 2: other error.
int ParseConfigChild(const char* input) {
  Result<RepoConfig> r = ParseRepoConfig(input);
  if (r.ok()) return 1;
  bool named = r.status().message().find("expected exactly one YAML document") != std::string::npos;
  return r.status().code() == StatusCode::kInvalidArgument && named ? 0 : 2;
}

TEST(SafeYamlTest, StrayTopLevelCommaIsRejectedQuickly) {
  // yaml-cpp 0.7's LoadAll allocates without end on these; Load ignores the garbage.
  for (const char* input : {"version: 1\n---\n,", ",", "[a], b", "{version: 1}, x", "- a\n, b"}) {
    EXPECT_EQ(RunGuarded(ParseConfigChild, input, 10), 0) << input;
  }
}

TEST(SafeYamlTest, RejectsSecondDocumentAndOversizeInput) {
  Result<YAML::Node> two = LoadSingleYamlDocument("a: 1\n---\nb: 2\n", "x.yaml");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().message(),
            "x.yaml: expected exactly one YAML document, found more (a `---` separator or stray "
            "content such as a top-level `,` after the document)");
  Result<YAML::Node> big = LoadSingleYamlDocument(std::string(2000, 'a'), "x.yaml", 1000);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(big.status().message(),
            "x.yaml: 2000 bytes is over the limit of 1000 bytes; split or shrink the file");
}

TEST(SafeYamlTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  Result<YAML::Node> r = LoadSingleYamlDocument(deep, "deep.yaml");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(SafeYamlTest, LoadsOneDocumentWithMarkers) {
  Result<YAML::Node> r = LoadSingleYamlDocument("---\na: [1, 2]\n...\n", "x.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["a"][1].as<int>(), 2);
  EXPECT_EQ(YamlToShortString((*r)["a"]), "[1, 2]");
}

}  // namespace
}  // namespace datamcp::repo
