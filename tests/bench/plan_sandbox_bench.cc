// One Terraform plan (init, plan, show -json, show) of a small terraform_data project, through
// TerraformPlanner with the bubblewrap sandbox and with plan.sandbox off, alternating runs in
// the same process. Prints each side's median wall time and the ratio.
// Usage: plan_sandbox_bench [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gitops/plan/terraform_planner.h"
#include "gitops/process/posix_process_runner.h"
#include "gitops/process/sandbox.h"
#include "tests/support/temp_dir.h"

using namespace datamcp;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 7;
  std::string root = datamcp::test::MakeTempDir("datamcp-plan-bench");
  fs::create_directories(root + "/tree/envs/dev");
  std::ofstream(root + "/tree/envs/dev/main.tf")
      << "resource \"terraform_data\" \"a\" { input = \"a\" }\n"
      << "resource \"terraform_data\" \"b\" { input = terraform_data.a.output }\n"
      << "output \"b\" { value = terraform_data.b.output }\n";
  process::Masker masker;
  process::Sandbox on(process::SandboxOptions{});
  process::Sandbox off(process::SandboxOptions{.mode = process::SandboxMode::kOff});
  process::PosixProcessRunner probe;
  on.Probe(probe);
  off.Probe(probe);
  if (!on.Active()) {
    std::fprintf(stderr, "the sandbox does not work here: %s\n", on.Describe().c_str());
    return 1;
  }
  process::PosixProcessRunner sandboxed(&on), unconfined(&off);
  plan::TerraformPlannerOptions o;
  o.plugin_cache_dir = root + "/plugin-cache";
  o.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", root}};
  plan::TerraformPlanner with(sandboxed, masker, o), without(unconfined, masker, o);
  std::vector<double> t_with, t_without;
  for (int i = 0; i < runs * 2; ++i) {
    bool sb = i % 2 == 0;
    auto start = std::chrono::steady_clock::now();
    auto plan =
        (sb ? with : without).Plan({root + "/tree", "envs/dev", root + "/w" + std::to_string(i)});
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!plan.ok()) {
      std::fprintf(stderr, "plan failed: %s\n", plan.status().ToString().c_str());
      return 1;
    }
    (sb ? t_with : t_without).push_back(ms);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double a = median(t_with), b = median(t_without);
  std::printf(
      "plan (init+plan+show -json+show), median of %d: sandboxed %.0f ms, unconfined %.0f ms\n",
      runs, a, b);
  std::printf("sandbox overhead: %.3fx (%+.1f%%)\n", a / b, (a / b - 1) * 100);
  fs::remove_all(root);
  return 0;
}
