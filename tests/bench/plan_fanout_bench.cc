// What a DataMCP plan costs over the terraform commands it cannot avoid (#12 item 5).
//
// Each root is a small terraform_data project with a local backend. "bare" is terraform run
// directly in an initialized copy of the roots, no sandbox, no DataMCP: `terraform plan
// -out=FILE` then `terraform show -json FILE` (the two commands a plan needs: the text and
// the machine-readable plan), the roots at most PARALLEL at a time. "datamcp" is
// TerraformPlanner::PlanAll as the server runs it: a copy of the tree, the init cache (warm:
// filled by one untimed run, as after the first plan of a root), the bubblewrap sandbox,
// masking. Also printed: the hand-run `terraform init && terraform plan` of one root (the
// issue's comparison) and DataMCP with the init cache off (every plan runs init).
// Usage: plan_fanout_bench [RUNS] [PARALLEL]   RUNS: repetitions for 1 and 10 roots (100: 1).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gitops/plan/terraform_planner.h"
#include "gitops/process/bounded_parallel.h"
#include "gitops/process/posix_process_runner.h"
#include "gitops/process/sandbox.h"
#include "tests/support/temp_dir.h"

using namespace datamcp;
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> Env(const std::string& root) {
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
          {"HOME", root},
          {"TF_CLI_CONFIG_FILE", "/dev/null"},
          {"CHECKPOINT_DISABLE", "1"},
          {"TF_IN_AUTOMATION", "1"},
          {"TF_INPUT", "0"}};
}

bool Terraform(process::ProcessRunner& runner, const std::string& root, const std::string& cwd,
               std::vector<std::string> args) {
  process::ProcessRequest req;
  req.argv = {"terraform"};
  req.argv.insert(req.argv.end(), args.begin(), args.end());
  req.cwd = cwd;
  req.env = Env(root);
  req.timeout = std::chrono::seconds(300);
  auto r = runner.Run(req);
  if (!r.ok() || !r->Succeeded()) {
    std::fprintf(stderr, "terraform %s in %s failed: %s\n", args[0].c_str(), cwd.c_str(),
                 r.ok() ? r->stderr_text.c_str() : r.status().ToString().c_str());
    return false;
  }
  return true;
}

double TimeMs(const std::function<bool()>& f, bool* ok) {
  auto start = std::chrono::steady_clock::now();
  *ok = f() && *ok;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string RootName(int i) { return "envs/r" + std::to_string(i); }

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  int parallel = argc > 2 ? std::atoi(argv[2]) : 2;
  std::string root = datamcp::test::MakeTempDir("datamcp-fanout-bench");
  const int kMaxRoots = 100;
  for (int i = 0; i < kMaxRoots; ++i) {
    fs::create_directories(root + "/tree/" + RootName(i));
    std::ofstream(root + "/tree/" + RootName(i) + "/main.tf")
        << "terraform {\n  backend \"local\" {}\n}\n"
        << "resource \"terraform_data\" \"a\" { input = \"a" << i << "\" }\n"
        << "resource \"terraform_data\" \"b\" { input = terraform_data.a.output }\n";
  }
  process::Sandbox on(process::SandboxOptions{});
  process::Sandbox off(process::SandboxOptions{.mode = process::SandboxMode::kOff});
  process::PosixProcessRunner probe;
  on.Probe(probe);
  off.Probe(probe);
  if (!on.Active()) {
    std::fprintf(stderr, "the sandbox does not work here: %s\n", on.Describe().c_str());
    return 1;
  }
  process::PosixProcessRunner sandboxed(&on), bare_runner(&off);
  process::Masker masker;
  plan::TerraformPlannerOptions o;
  o.plugin_cache_dir = root + "/plugin-cache";
  o.init_cache_dir = root + "/init-cache";
  o.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", root}};
  o.parallelism = parallel;
  plan::TerraformPlanner datamcp(sandboxed, masker, o);
  plan::TerraformPlannerOptions cold = o;
  cold.init_cache_dir.clear();
  plan::TerraformPlanner no_cache(sandboxed, masker, cold);

  // The bare side's working copy, initialized once (not timed), as a person's checkout is.
  bool ok = true;
  fs::copy(root + "/tree", root + "/bare", fs::copy_options::recursive);
  process::RunBounded(kMaxRoots, parallel, [&](std::size_t i) {
    if (!Terraform(bare_runner, root, root + "/bare/" + RootName(i), {"init", "-input=false"}))
      ok = false;
  });
  int work = 0;
  auto plan_datamcp = [&](plan::TerraformPlanner& planner, int roots) {
    std::vector<std::string> projects;
    for (int i = 0; i < roots; ++i) projects.push_back(RootName(i));
    auto results = planner.PlanAll(root + "/tree", projects, root + "/w" + std::to_string(work++));
    for (auto& r : results) {
      if (!r.ok()) {
        std::fprintf(stderr, "datamcp plan failed: %s\n", r.status().ToString().c_str());
        return false;
      }
    }
    return true;
  };
  auto plan_bare = [&](int roots) {
    bool all = true;
    process::RunBounded(roots, parallel, [&](std::size_t i) {
      std::string dir = root + "/bare/" + RootName(i);
      all = Terraform(bare_runner, root, dir, {"plan", "-input=false", "-out=p.tfplan"}) &&
            Terraform(bare_runner, root, dir, {"show", "-json", "p.tfplan"}) && all;
    });
    return all;
  };
  ok = ok && plan_datamcp(datamcp, kMaxRoots);  // fills the init cache
  if (!ok) return 1;

  std::printf("terraform_data roots, parallel %d; median of %d runs (100 roots: 1 run)\n", parallel,
              runs);
  std::printf("%6s %12s %12s %8s\n", "roots", "bare ms", "datamcp ms", "ratio");
  for (int roots : {1, 10, 100}) {
    int n = roots == 100 ? 1 : runs;
    std::vector<double> bare, ours;
    for (int i = 0; i < n; ++i) {  // alternating, so drift hits both sides alike
      bare.push_back(TimeMs([&] { return plan_bare(roots); }, &ok));
      ours.push_back(TimeMs([&] { return plan_datamcp(datamcp, roots); }, &ok));
    }
    if (!ok) return 1;
    double b = Median(bare), d = Median(ours);
    std::printf("%6d %12.0f %12.0f %8.3f\n", roots, b, d, d / b);
  }
  // The comparison for one root, and the cost of init when the cache does not help.
  std::vector<double> hand, uncached;
  for (int i = 0; i < runs; ++i) {
    std::string dir = root + "/bare/" + RootName(0);
    hand.push_back(TimeMs(
        [&] {
          return Terraform(bare_runner, root, dir, {"init", "-input=false"}) &&
                 Terraform(bare_runner, root, dir, {"plan", "-input=false"});
        },
        &ok));
    uncached.push_back(TimeMs([&] { return plan_datamcp(no_cache, 1); }, &ok));
  }
  if (!ok) return 1;
  std::printf("1 root, hand-run `terraform init && terraform plan`: %.0f ms\n", Median(hand));
  std::printf("1 root, datamcp with the init cache off (init every plan): %.0f ms\n",
              Median(uncached));
  fs::remove_all(root);
  return 0;
}
