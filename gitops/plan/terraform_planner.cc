#include "gitops/plan/terraform_planner.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>

#include "gitops/common/digest.h"
#include "gitops/plan/terraform_init_cache.h"
#include "gitops/plan/workspace.h"
#include "gitops/process/bounded_parallel.h"

namespace datamcp::plan {
namespace {

namespace fs = std::filesystem;

// A file name for the project's plan: readable, and unique even for "a/b" and "a_b".
std::string Slug(const std::string& project) {
  std::string slug = project;
  std::replace(slug.begin(), slug.end(), '/', '_');
  return slug + "-" + Sha256Hex(project).substr(0, 12);
}

bool HasTfFiles(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".tf") return true;
  }
  return false;
}

Result<fs::path> ProjectDir(const std::string& tree_copy, const std::string& project) {
  DATAMCP_RETURN_IF_ERROR(CheckRelativePath(project, "terraform project path"));
  fs::path dir = fs::path(tree_copy) / project;
  std::error_code ec;
  if (fs::is_symlink(dir, ec) || !fs::is_directory(dir, ec)) {
    return NotFound("terraform project '" + project + "' is not a directory in the tree");
  }
  if (!HasTfFiles(dir)) {
    return InvalidArgument("'" + project + "' holds no *.tf file: it is not a Terraform project");
  }
  return dir;
}

// Terraform does not promise that concurrent `init`s may share a plugin cache: inits on one
// cache run one at a time in this process (planners are made per project), plans in parallel.
std::mutex& InitMutex(const std::string& plugin_cache_dir) {
  static std::mutex registry_mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard lock(registry_mu);
  auto& mu = mutexes[plugin_cache_dir];
  if (!mu) mu = std::make_unique<std::mutex>();
  return *mu;
}

// `terraform plan -out` ends with where it saved the plan and how to apply it: not for
// reviewers (and it names a scratch path).
std::string WithoutSavedPlanFooter(std::string text) {
  std::size_t saved = text.rfind("\nSaved the plan to: ");
  if (saved == std::string::npos) return text;
  text.erase(saved + 1);
  // The rule terraform prints above it.
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::size_t rule = text.rfind('\n');
  if (rule != std::string::npos && text.compare(rule + 1, 3, "\xe2\x94\x80") == 0) text.erase(rule);
  return text + "\n";
}

}  // namespace

TerraformPlanner::TerraformPlanner(process::ProcessRunner& runner, const process::Masker& masker,
                                   TerraformPlannerOptions options)
    : runner_(runner), masker_(masker), options_(std::move(options)) {
  options_.env["TF_CLI_CONFIG_FILE"] = "/dev/null";  // an empty CLI configuration
  options_.env["TF_PLUGIN_CACHE_DIR"] = options_.plugin_cache_dir;
  options_.env["CHECKPOINT_DISABLE"] = "1";
  options_.env["TF_IN_AUTOMATION"] = "1";
  options_.env["TF_INPUT"] = "0";
}

Status TerraformPlanner::Prepare(const std::string& work_dir) const {
  if (options_.plugin_cache_dir.empty()) {
    return InvalidArgument("terraform plugin cache directory is not set");
  }
  std::error_code ec;
  fs::create_directories(options_.plugin_cache_dir, ec);
  if (ec) {
    return Internal("cannot create terraform plugin cache '" + options_.plugin_cache_dir +
                    "': " + ec.message());
  }
  if (!options_.state_dir.empty()) fs::create_directories(options_.state_dir, ec);
  if (ec) return Internal("cannot create state directory '" + options_.state_dir + "'");
  fs::create_directories(fs::path(work_dir) / "plans", ec);
  if (ec) return Internal("cannot create work directory '" + work_dir + "': " + ec.message());
  return Status::Ok();
}

Result<process::ProcessResult> TerraformPlanner::Terraform(const std::string& cwd,
                                                           std::vector<std::string> args,
                                                           const std::string& work_dir,
                                                           Step step) const {
  process::ProcessRequest req;
  req.argv.push_back(options_.terraform_bin);
  for (std::string& a : args) req.argv.push_back(std::move(a));
  req.cwd = cwd;
  req.env = options_.env;
  for (const auto& [k, v] : step == Step::kApply ? options_.apply_env : options_.plan_env) {
    req.env[k] = v;
  }
  process::SandboxPolicy policy;
  policy.network = true;  // registries and cloud APIs, when the operator allows a network
  policy.writable.push_back(work_dir);
  (step == Step::kInit ? policy.writable : policy.read_only).push_back(options_.plugin_cache_dir);
  if (!options_.state_dir.empty()) {
    (step == Step::kApply ? policy.writable : policy.read_only).push_back(options_.state_dir);
  }
  req.sandbox = std::move(policy);
  req.timeout = options_.timeout;
  req.max_output_bytes = options_.max_output_bytes;
  auto result = runner_.Run(req);
  if (!result.ok()) return ToolNotFound(result.status(), "terraform", "plan.terraform_bin");
  return result;
}

Result<std::string> TerraformPlanner::RunStep(const std::string& cwd, std::vector<std::string> args,
                                              const std::string& work_dir, Step step,
                                              const std::string& what, bool need_all) const {
  DATAMCP_ASSIGN_OR_RETURN(process::ProcessResult r,
                           Terraform(cwd, std::move(args), work_dir, step));
  if (!r.Succeeded()) {
    return StepFailed(what, r, masker_.Mask(r.stderr_text + r.stdout_text));
  }
  if (r.truncated && !need_all) {
    r.stdout_text += "\n[output truncated at " + std::to_string(options_.max_output_bytes) +
                     " bytes: plan.max_output_bytes]\n";
  } else if (r.truncated) {
    return ResourceExhausted(what + " printed more than " +
                             std::to_string(options_.max_output_bytes) +
                             " bytes (plan.max_output_bytes); raise the limit or split the "
                             "project");
  }
  return std::move(r.stdout_text);
}

Result<TerraformPlan> TerraformPlanner::PlanInCopy(const std::string& tree_copy,
                                                   const std::string& project,
                                                   const std::string& work_dir) const {
  DATAMCP_ASSIGN_OR_RETURN(fs::path dir, ProjectDir(tree_copy, project));
  std::string in = " in project '" + project + "'";
  TerraformPlan plan;
  plan.project = project;
  plan.working_dir = dir.string();
  plan.plan_file = (fs::path(work_dir) / "plans" / (Slug(project) + ".tfplan")).string();
  // The init cache's key covers what init depends on; the backend arguments come from the
  // environment (TF_CLI_ARGS_init).
  TerraformInitCache cache(options_.init_cache_dir);
  auto init_args = options_.env.find("TF_CLI_ARGS_init");
  std::string key =
      cache.Key(tree_copy, plan.working_dir,
                options_.terraform_bin + "\n" +
                    (init_args == options_.env.end() ? std::string() : init_args->second));
  bool restored = cache.Restore(key, plan.working_dir);
  if (!restored) {
    DATAMCP_RETURN_IF_ERROR(Init(plan.working_dir, work_dir, key, "terraform init" + in));
  }
  std::vector<std::string> plan_args = {"plan", "-input=false", "-no-color", "-lock=false",
                                        "-out=" + plan.plan_file};
  // The state is read-only in the plan's sandbox: plans never take the lock.
  Result<std::string> text =
      RunStep(plan.working_dir, plan_args, work_dir, Step::kPlan, "terraform plan" + in, false);
  if (!text.ok() && restored &&
      text.status().message().find("terraform init") != std::string::npos) {
    // The cache's key missed something init depends on: init after all.
    std::error_code ec;
    fs::remove_all(dir / ".terraform", ec);
    cache.Forget(key);
    DATAMCP_RETURN_IF_ERROR(Init(plan.working_dir, work_dir, key, "terraform init" + in));
    text =
        RunStep(plan.working_dir, plan_args, work_dir, Step::kPlan, "terraform plan" + in, false);
  }
  DATAMCP_RETURN_IF_ERROR(text.status());
  DATAMCP_ASSIGN_OR_RETURN(std::string json,
                           RunStep(plan.working_dir, {"show", "-json", plan.plan_file}, work_dir,
                                   Step::kPlan, "terraform show -json" + in, true));
  auto digest = DigestTerraformPlanJson(json);
  if (!digest.ok()) return digest.status().WithContext("project '" + project + "'");
  plan.summary = std::move(digest->summary);
  plan.changes = std::move(digest->changes);
  plan.fingerprint = std::move(digest->fingerprint);
  plan.text = masker_.Mask(WithoutSavedPlanFooter(std::move(text).value()));
  return plan;
}

Status TerraformPlanner::Init(const std::string& dir, const std::string& work_dir,
                              const std::string& key, const std::string& what) const {
  std::lock_guard<std::mutex> lock(InitMutex(options_.plugin_cache_dir));
  DATAMCP_RETURN_IF_ERROR(
      RunStep(dir, {"init", "-input=false", "-no-color"}, work_dir, Step::kInit, what, false)
          .status());
  TerraformInitCache(options_.init_cache_dir).Store(key, dir);
  return Status::Ok();
}

Result<TerraformPlan> TerraformPlanner::Plan(const TerraformPlanRequest& request) const {
  std::vector<Result<TerraformPlan>> all =
      PlanAll(request.tree_dir, {request.project}, request.work_dir);
  return std::move(all.front());
}

std::vector<Result<TerraformPlan>> TerraformPlanner::PlanAll(
    const std::string& tree_dir, const std::vector<std::string>& projects,
    const std::string& work_dir) const {
  std::string abs_work = fs::absolute(work_dir).lexically_normal().string();
  std::string tree_copy = abs_work + "/tree";
  Status ready = Prepare(abs_work);
  if (ready.ok()) ready = CopyTree(tree_dir, tree_copy);
  std::vector<std::optional<Result<TerraformPlan>>> slots(projects.size());
  process::RunBounded(projects.size(), options_.parallelism, [&](std::size_t i) {
    if (!ready.ok()) {
      slots[i].emplace(ready);
    } else {
      slots[i].emplace(PlanInCopy(tree_copy, projects[i], abs_work));
    }
  });
  std::vector<Result<TerraformPlan>> out;
  out.reserve(slots.size());
  for (auto& slot : slots) out.push_back(std::move(*slot));
  return out;
}

Result<TerraformApplyResult> TerraformPlanner::Apply(const TerraformPlan& plan) const {
  std::error_code ec;
  if (!fs::is_regular_file(plan.plan_file, ec) || !fs::is_directory(plan.working_dir, ec)) {
    return NotFound("saved plan '" + plan.plan_file + "' of project '" + plan.project +
                    "' or its working directory is gone: plan again before applying");
  }
  // The plan file lives in <work_dir>/plans/.
  std::string work_dir = fs::path(plan.plan_file).parent_path().parent_path().string();
  DATAMCP_ASSIGN_OR_RETURN(
      process::ProcessResult r,
      Terraform(plan.working_dir,
                {"apply", "-input=false", "-no-color", "-lock-timeout=60s", plan.plan_file},
                work_dir, Step::kApply));
  TerraformApplyResult out;
  out.succeeded = r.Succeeded();
  out.exit_code = r.exit_code;
  out.timed_out = r.timed_out || r.cancelled;
  out.how = r.Describe();
  out.output = masker_.Mask(r.stdout_text + r.stderr_text);
  if (r.truncated) out.output += "\n[output truncated: " + r.Describe() + "]";
  out.duration = r.duration;
  return out;
}

Result<std::vector<std::string>> FindTerraformProjects(const std::string& tree_dir,
                                                       const std::vector<std::string>& roots) {
  std::set<std::string> found;
  for (const std::string& root : roots) {
    DATAMCP_RETURN_IF_ERROR(CheckRelativePath(root, "terraform root"));
    std::error_code ec;
    fs::path start = fs::path(tree_dir) / root;
    if (!fs::is_directory(start, ec) || fs::is_symlink(start, ec)) continue;
    if (HasTfFiles(start)) found.insert(root);
    for (auto it = fs::recursive_directory_iterator(start, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
      if (it->path().filename().string().starts_with(".")) {
        it.disable_recursion_pending();
        continue;
      }
      if (HasTfFiles(it->path())) {
        found.insert(it->path().lexically_relative(tree_dir).string());
      }
    }
    if (ec) return Internal("listing '" + start.string() + "' failed: " + ec.message());
  }
  return std::vector<std::string>(found.begin(), found.end());
}

}  // namespace datamcp::plan
