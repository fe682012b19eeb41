#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/plan/terraform_plan_digest.h"
#include "gitops/process/masker.h"
#include "gitops/process/process_runner.h"

namespace datamcp::plan {

struct TerraformPlannerOptions {
  std::string terraform_bin = "terraform";  // config plan.terraform_bin
  // Shared provider plugin cache (TF_PLUGIN_CACHE_DIR); created when missing. Required.
  std::string plugin_cache_dir;
  // The base environment of every terraform run: PATH (used to find terraform_bin), HOME,
  // provider credentials... The caller builds it with process::AllowlistedEnv. The planner
  // adds TF_CLI_CONFIG_FILE (an empty file), TF_PLUGIN_CACHE_DIR, CHECKPOINT_DISABLE=1,
  // TF_IN_AUTOMATION=1 and TF_INPUT=0, overriding any of those given here.
  std::map<std::string, std::string> env;
  // Where the results of `terraform init` are kept for reuse (TerraformInitCache); empty:
  // every plan runs init.
  std::string init_cache_dir;
  // Local-backend state of the project (bound read-only for init/plan/show, writable for
  // apply); empty when the project keeps no local state.
  std::string state_dir;
  // The plan step's own variables (config plan.env_files) and the apply step's
  // (apply.env_files), added to `env` for that step only.
  std::map<std::string, std::string> plan_env;
  std::map<std::string, std::string> apply_env;
  std::chrono::milliseconds timeout{std::chrono::seconds(900)};  // per terraform command
  std::size_t max_output_bytes = 8u << 20;                       // per stream, per command
  int parallelism = 2;  // PlanAll: projects planned at once
};

// Where a plan comes from. `tree_dir` is an exported tree of the commit (read-only: it is
// copied, never written). `work_dir` is a scratch directory the caller owns; the planner
// writes only below it (the tree copy, .terraform, the plan file) and the caller removes it
// once the plan is no longer needed (after Apply, or when superseded). One Plan or PlanAll
// call per work_dir (AlreadyExists otherwise).
struct TerraformPlanRequest {
  std::string tree_dir;
  std::string project;  // relative path of the project directory inside tree_dir
  std::string work_dir;
};

struct TerraformPlan {
  std::string project;
  TerraformSummary summary;
  Classification changes;   // what it creates, updates, deletes, replaces
  std::string fingerprint;  // see TerraformPlanDigest
  std::string text;         // `terraform show` of the plan file, masked (cut at the cap)
  std::string plan_file;    // absolute path of the saved plan (under work_dir)
  std::string working_dir;  // the initialized project copy Apply runs in
};

struct TerraformApplyResult {
  bool succeeded = false;
  int exit_code = -1;
  bool timed_out = false;  // terraform was stopped mid-apply: state needs a human
  std::string how;         // how the process ended (ProcessResult::Describe)
  std::string output;      // stdout then stderr, masked
  std::chrono::milliseconds duration{0};
};

// Plans and applies Terraform projects with the terraform CLI through a ProcessRunner:
// `init -input=false` (skipped when the init cache holds the project's providers, modules and
// backend, and run after all when the plan asks for it), `plan -input=false -out=FILE` (its
// output is the text shown), `show -json FILE` (summary and fingerprint). Every command runs in the
// runner's sandbox: it sees the work_dir (writable), the plugin cache (writable for init only) and
// state_dir (writable for apply only), nothing else of the server. Thread-safe: runs share nothing
// but the plugin cache, and `init`s (which write it) run one at a time in the process, whichever
// planner runs them. The runner and masker must outlive the planner.
class TerraformPlanner {
 public:
  TerraformPlanner(process::ProcessRunner& runner, const process::Masker& masker,
                   TerraformPlannerOptions options);

  // Errors: InvalidArgument (bad project path, not a Terraform project), NotFound (missing
  // project, or terraform itself: the message names plan.terraform_bin), FailedPrecondition
  // (a terraform command failed; its masked stderr is quoted), DeadlineExceeded (timeout),
  // ResourceExhausted (the JSON plan went over max_output_bytes).
  Result<TerraformPlan> Plan(const TerraformPlanRequest& request) const;

  // Plans several projects of one tree, at most options.parallelism at a time, sharing one
  // copy of the tree under work_dir. Results are in the order of `projects`.
  std::vector<Result<TerraformPlan>> PlanAll(const std::string& tree_dir,
                                             const std::vector<std::string>& projects,
                                             const std::string& work_dir) const;

  // `terraform apply -input=false <plan_file>` in plan.working_dir: applies exactly the
  // saved plan (terraform refuses a plan whose state has moved on). A failed apply is a
  // result, not an error; errors mean terraform could not be run at all.
  Result<TerraformApplyResult> Apply(const TerraformPlan& plan) const;

 private:
  Result<TerraformPlan> PlanInCopy(const std::string& tree_copy, const std::string& project,
                                   const std::string& work_dir) const;
  enum class Step { kInit, kPlan, kApply };
  Result<process::ProcessResult> Terraform(const std::string& cwd, std::vector<std::string> args,
                                           const std::string& work_dir, Step step) const;
  // Runs one terraform command; a failure becomes StepFailed. Output over the cap is an
  // error only when `need_all` (the JSON plan); otherwise it is cut with a marker.
  Result<std::string> RunStep(const std::string& cwd, std::vector<std::string> args,
                              const std::string& work_dir, Step step, const std::string& what,
                              bool need_all) const;
  Status Prepare(const std::string& work_dir) const;
  // `terraform init` in `dir`, one at a time per plugin cache; stored in the init cache.
  Status Init(const std::string& dir, const std::string& work_dir, const std::string& key,
              const std::string& what) const;

  process::ProcessRunner& runner_;
  const process::Masker& masker_;
  TerraformPlannerOptions options_;
};

// The Terraform projects under `roots` of a tree: the directories (relative to tree_dir,
// sorted) that hold at least one *.tf file, skipping hidden directories and .terraform.
// Roots must be relative paths (CheckRelativePath); a missing root has no projects.
Result<std::vector<std::string>> FindTerraformProjects(const std::string& tree_dir,
                                                       const std::vector<std::string>& roots);

}  // namespace datamcp::plan
