// The terraform init cache (#12 item 5): a plan of a project whose providers, modules and
// backend did not change skips `terraform init`; anything init depends on runs it again; a
// cached init that turns out not to fit is redone. Real terraform, in the sandbox; the runner
// below only records which terraform subcommands ran, then runs them for real.
#include "gitops/plan/terraform_init_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "gitops/plan/terraform_planner.h"
#include "gitops/process/posix_process_runner.h"
#include "tests/plan/temp_dir.h"
#include "tests/support/test_sandbox.h"

namespace datamcp::plan {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFile;

class RecordingRunner : public process::ProcessRunner {
 public:
  Result<process::ProcessResult> Run(const process::ProcessRequest& request) override {
    {
      std::lock_guard lock(mu_);
      steps_.push_back(request.argv.size() > 1 ? request.argv[1] : "");
    }
    return real_.Run(request);
  }
  std::vector<std::string> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(steps_, {});
  }

 private:
  process::PosixProcessRunner real_{&test_support::TestSandbox()};
  std::mutex mu_;
  std::vector<std::string> steps_;
};

const std::string kBackend = "terraform {\n  backend \"local\" {}\n}\n";
std::string Resource(const std::string& name) {
  return "resource \"terraform_data\" \"" + name + "\" {\n  input = \"" + name + "\"\n}\n";
}
const std::vector<std::string> kWithInit = {"init", "plan", "show"};
const std::vector<std::string> kWithoutInit = {"plan", "show"};

class TerraformInitCacheTest : public ::testing::Test {
 protected:
  TerraformPlannerOptions Options() {
    TerraformPlannerOptions o;
    o.plugin_cache_dir = tmp_.Sub("plugin-cache");
    o.init_cache_dir = tmp_.Sub("init-cache");
    o.state_dir = tmp_.Sub("state");
    o.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
             {"HOME", tmp_.path()},
             {"TF_CLI_ARGS_init", "-backend-config=path=" + tmp_.Sub("state/t.tfstate")}};
    o.timeout = std::chrono::seconds(120);
    return o;
  }

  // Plans `files` (path under envs/dev -> content) as a fresh exported tree.
  Result<TerraformPlan> PlanFiles(const std::map<std::string, std::string>& files) {
    std::string tree = tmp_.Sub("tree" + std::to_string(++n_));
    for (const auto& [path, content] : files) WriteFile(tree + "/" + path, content);
    return planner_.Plan({tree, "envs/dev", tmp_.Sub("work" + std::to_string(n_))});
  }

  TempDir tmp_;
  RecordingRunner runner_;
  process::Masker masker_;
  TerraformPlanner planner_{runner_, masker_, Options()};
  int n_ = 0;
};

TEST_F(TerraformInitCacheTest, AnUnchangedProjectSkipsInitAndTheTextComesFromPlanItself) {
  auto first = PlanFiles({{"envs/dev/main.tf", kBackend + Resource("a")}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(runner_.Take(), kWithInit);
  // A new resource changes nothing init depends on.
  auto second = PlanFiles({{"envs/dev/main.tf", kBackend + Resource("a") + Resource("b")}});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(runner_.Take(), kWithoutInit);
  EXPECT_EQ(second->summary.add, 2);
  EXPECT_NE(second->text.find("terraform_data.b will be created"), std::string::npos)
      << second->text;
  EXPECT_EQ(second->text.find("Saved the plan to"), std::string::npos) << second->text;
  EXPECT_EQ(second->text.find(tmp_.path()), std::string::npos) << "no scratch path shown";
}

TEST_F(TerraformInitCacheTest, AModuleCallOrTheLockFileRunsInitAgain) {
  ASSERT_TRUE(PlanFiles({{"envs/dev/main.tf", kBackend + Resource("a")}}).ok());
  runner_.Take();
  std::map<std::string, std::string> with_module = {
      {"envs/dev/main.tf", kBackend + Resource("a") + "module \"m\" {\n  source = \"../mod\"\n}\n"},
      {"envs/mod/main.tf", Resource("in_module")}};
  auto planned = PlanFiles(with_module);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  EXPECT_EQ(runner_.Take(), kWithInit);
  EXPECT_EQ(planned->summary.add, 2);
  ASSERT_TRUE(PlanFiles(with_module).ok());
  EXPECT_EQ(runner_.Take(), kWithoutInit);
  // The local module gains a module call of its own: followed, so init runs.
  with_module["envs/mod/main.tf"] += "module \"inner\" {\n  source = \"./inner\"\n}\n";
  with_module["envs/mod/inner/main.tf"] = Resource("deep");
  auto deeper = PlanFiles(with_module);
  ASSERT_TRUE(deeper.ok()) << deeper.status().ToString();
  EXPECT_EQ(runner_.Take(), kWithInit);
  EXPECT_EQ(deeper->summary.add, 3);
  with_module["envs/dev/.terraform.lock.hcl"] = "# This file is maintained automatically\n";
  ASSERT_TRUE(PlanFiles(with_module).ok());
  EXPECT_EQ(runner_.Take(), kWithInit);
}

TEST_F(TerraformInitCacheTest, ACachedInitThatDoesNotFitIsRedone) {
  std::map<std::string, std::string> files = {
      {"envs/dev/main.tf", kBackend + "module \"m\" {\n  source = \"../mod\"\n}\n"},
      {"envs/mod/main.tf", Resource("in_module")}};
  ASSERT_TRUE(PlanFiles(files).ok());
  runner_.Take();
  // The entry loses the installed module, as if the key had missed what init depends on.
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(tmp_.Sub("init-cache"))) {
    fs::remove_all(entry.path() / "dot-terraform" / "modules");
    ++entries;
  }
  ASSERT_EQ(entries, 1);
  auto planned = PlanFiles(files);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  EXPECT_EQ(runner_.Take(), (std::vector<std::string>{"plan", "init", "plan", "show"}));
  EXPECT_EQ(planned->summary.add, 1);
  ASSERT_TRUE(PlanFiles(files).ok());  // the entry was replaced by the good one
  EXPECT_EQ(runner_.Take(), kWithoutInit);
}

TEST_F(TerraformInitCacheTest, ATreeWithACommittedDotTerraformIsNeverCached) {
  std::map<std::string, std::string> files = {
      {"envs/dev/main.tf", kBackend + Resource("a")},
      {"envs/dev/.terraform/modules/modules.json", "{\"Modules\":[]}\n"}};
  ASSERT_TRUE(PlanFiles(files).ok());
  EXPECT_EQ(runner_.Take(), kWithInit);
  ASSERT_TRUE(PlanFiles(files).ok());
  EXPECT_EQ(runner_.Take(), kWithInit);
  EXPECT_FALSE(fs::exists(tmp_.Sub("init-cache")) && !fs::is_empty(tmp_.Sub("init-cache")));
}

TEST(TerraformInitCacheKeyTest, DisabledCacheHasNoKey) {
  TempDir tmp;
  WriteFile(tmp.Sub("p/main.tf"), Resource("a"));
  EXPECT_EQ(TerraformInitCache("").Key(tmp.path(), tmp.Sub("p"), ""), "");
  std::string key = TerraformInitCache(tmp.Sub("c")).Key(tmp.path(), tmp.Sub("p"), "");
  EXPECT_EQ(key.size(), 64u);
  EXPECT_NE(TerraformInitCache(tmp.Sub("c")).Key(tmp.path(), tmp.Sub("p"), "other backend"), key);
}

}  // namespace
}  // namespace datamcp::plan
