// Module and chart dependents read from a real repository (git CLI fixture, libgit2 engine):
// which environments' roots and which Applications a change under the module library or a
// chart plans, and that broken files, escaping sources and cycles are skipped, not fatal.
#include "gitops/proposal/dependents.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "gitops/common/clock.h"
#include "gitops/git/libgit2_repository.h"
#include "tests/support/git_fixture.h"

namespace datamcp::proposal {
namespace {

namespace fs = std::filesystem;

repo::RepoConfig Config() {
  auto c = repo::ParseRepoConfig(R"(version: 1
repo_url: https://example.com/gitops.git
allowed_roots: [infra/terraform/envs, helm/values, helm/charts, argocd/apps]
environments:
  - name: local
    terraform_root: infra/terraform/envs/local
  - name: dev
    terraform_root: infra/terraform/envs/dev
  - name: prod
    terraform_root: infra/terraform/envs/prod
)");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

std::string Module(const std::string& name, const std::string& source) {
  return "module \"" + name + "\" {\n  source = \"" + source + "\"\n}\n";
}

std::string App(const std::string& sources) {
  return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\nspec:\n" +
         sources;
}

class DependentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string m = "infra/terraform/modules/";
    commit_ = git_.CommitOnBranch(
        "main",
        {{"infra/terraform/envs/local/main.tf", Module("events", "../../modules/local-data")},
         {"infra/terraform/envs/dev/main.tf",
          Module("bucket", "../../modules/gcs") + Module("net", "../../modules/network")},
         {"infra/terraform/envs/dev/escape.tf", Module("e", "../../../../../../etc")},
         {"infra/terraform/envs/prod/main.tf",
          Module("net", "../../modules/network") + Module("registry", "hashicorp/consul/aws")},
         {"infra/terraform/envs/prod/broken.tf",
          "module \"x\" {\n  source = \"../../modules/gcs\"\n"},
         {m + "network/main.tf", Module("sub", "../subnet")},
         {m + "subnet/main.tf", Module("back", "../network")},  // a cycle
         {m + "gcs/main.tf", "resource \"terraform_data\" \"b\" {}\n"},
         {m + "local-data/main.tf", "resource \"terraform_data\" \"e\" {}\n"},
         {m + "unused/main.tf", "resource \"terraform_data\" \"u\" {}\n"},
         {"argocd/apps/local/example.yaml",
          App("  source:\n    repoURL: https://example.com/gitops\n"
              "    path: helm/charts/example-data-app\n")},
         {"argocd/apps/dev/multi.yaml",
          App("  sources:\n    - repoURL: https://charts.example.com\n      chart: redis\n"
              "    - repoURL: https://example.com/gitops.git\n      path: ./helm/charts/other/\n")},
         {"argocd/apps/prod/foreign.yaml",
          App("  source:\n    repoURL: https://other.example.com/repo.git\n"
              "    path: helm/charts/example-data-app\n")},
         {"argocd/apps/prod/bad.yaml", "spec: [\n"},
         {"argocd/apps/dev/odd.yaml",
          "spec:\n  source: [1]\n  sources:\n    - path: [a]\n    - 7\n"},
         {"argocd/apps/local/scalar.yaml", "spec: 3\n"},
         {"helm/charts/example-data-app/Chart.yaml", "name: example-data-app\n"}});
    git::Libgit2RepositoryOptions o;
    o.mirror_path = (fs::path(git_.root()) / "mirror.git").string();
    o.remote.url = "file://" + git_.bare();
    o.committer = {"DataMCP", "datamcp@localhost"};
    repo_ = std::make_unique<git::Libgit2Repository>(o, clock_);
    Status mirrored = repo_->Mirror();
    ASSERT_TRUE(mirrored.ok()) << mirrored.ToString();
  }

  std::vector<std::string> Planned(const std::vector<std::string>& changed) {
    std::vector<std::string> out;
    for (const auto& p : AffectedProjectsAt(*repo_, config_, commit_, changed)) {
      out.push_back(std::string(ProjectKindName(p.kind)) + ":" + p.env + ":" + p.path);
    }
    return out;
  }

  ManualClock clock_;
  test::GitFixture git_;
  repo::RepoConfig config_ = Config();
  std::unique_ptr<git::Libgit2Repository> repo_;
  std::string commit_;
};

using V = std::vector<std::string>;

TEST_F(DependentsTest, ModuleChangePlansExactlyTheRootsUsingIt) {
  EXPECT_EQ(Planned({"infra/terraform/modules/gcs/main.tf"}),
            V{"terraform:dev:infra/terraform/envs/dev"});
  EXPECT_EQ(Planned({"infra/terraform/modules/local-data/variables.tf"}),
            V{"terraform:local:infra/terraform/envs/local"});
  EXPECT_EQ(
      Planned({"infra/terraform/modules/network/main.tf"}),
      (V{"terraform:dev:infra/terraform/envs/dev", "terraform:prod:infra/terraform/envs/prod"}));
  EXPECT_EQ(Planned({"infra/terraform/modules/unused/main.tf", "README.md"}), V{});
  EXPECT_EQ(Planned({"infra/terraform/modules/gcs2/main.tf"}), V{});  // segment-wise
}

TEST_F(DependentsTest, FollowsModulesCallingModulesThroughCycles) {
  EXPECT_EQ(
      Planned({"infra/terraform/modules/subnet/main.tf"}),
      (V{"terraform:dev:infra/terraform/envs/dev", "terraform:prod:infra/terraform/envs/prod"}));
}

TEST_F(DependentsTest, ChartChangePlansTheApplicationsDeployingIt) {
  EXPECT_EQ(Planned({"helm/charts/example-data-app/templates/x.yaml"}),
            V{"argocd:local:argocd/apps/local/example.yaml"});  // not prod's other repository
  EXPECT_EQ(Planned({"helm/charts/other/values.yaml"}), V{"argocd:dev:argocd/apps/dev/multi.yaml"});
  EXPECT_EQ(Planned({"helm/charts/unused/Chart.yaml"}), V{});
}

TEST_F(DependentsTest, KeepsDirectMappingsAndSkipsBrokenInput) {
  EXPECT_EQ(Planned({"infra/terraform/envs/prod/x.tf", "infra/terraform/modules/gcs/main.tf",
                     "helm/values/dev/api.yaml"}),
            (V{"argocd:dev:argocd/apps/dev/api.yaml", "terraform:dev:infra/terraform/envs/dev",
               "terraform:prod:infra/terraform/envs/prod"}));
  // broken.tf, escape.tf, bad/odd/scalar.yaml and the registry module were skipped, the rest was
  // read.
  Dependents d = ReadDependents(*repo_, config_, commit_);
  for (const auto& dep : d) {
    EXPECT_EQ(
        dep.dir.rfind("infra/terraform/modules/", 0) == 0 || dep.dir.rfind("helm/charts/", 0) == 0,
        true)
        << dep.dir;
  }
  EXPECT_EQ(d.size(), 8u);  // local: 1; dev: gcs, network, subnet; prod: network, subnet; 2 apps
}

TEST_F(DependentsTest, AMissingCommitOrTreeReadsNothing) {
  EXPECT_TRUE(ReadDependents(*repo_, config_, std::string(40, '0')).empty());
  EXPECT_EQ(Planned({"infra/terraform/envs/dev/main.tf"}),
            V{"terraform:dev:infra/terraform/envs/dev"});
}

}  // namespace
}  // namespace datamcp::proposal
