#include "gitops/plan/helm_planner.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "gitops/plan/workspace.h"

namespace datamcp::plan {
namespace {

namespace fs = std::filesystem;

Status CheckName(const std::string& name, const char* what, std::size_t max) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  bool ok = !name.empty() && name.size() <= max && alnum(name.front()) && alnum(name.back());
  for (char c : name) ok = ok && (alnum(c) || c == '-');
  if (ok) return Status::Ok();
  return InvalidArgument(std::string(what) + " '" + name + "' is not valid: use lower-case " +
                         "letters, digits and '-', starting and ending with a letter or digit, " +
                         "at most " + std::to_string(max) + " characters");
}

Status CheckFile(const std::string& path, const char* what, bool directory) {
  std::error_code ec;
  if (path.empty() || path.front() != '/') {
    return InvalidArgument(std::string(what) + " '" + path + "' must be an absolute path");
  }
  bool ok = directory ? fs::is_regular_file(fs::path(path) / "Chart.yaml", ec)
                      : fs::is_regular_file(path, ec);
  if (!ok) {
    return NotFound(std::string(what) + " '" + path + "' does not exist" +
                    (directory ? " or has no Chart.yaml" : ""));
  }
  return Status::Ok();
}

// A chart could render any file of the server through a symlink (.Files.Get): refuse links
// that lead outside the chart directory.
Status CheckNoEscapingSymlinks(const std::string& chart_dir) {
  std::error_code ec;
  fs::path root = fs::weakly_canonical(chart_dir, ec);
  for (auto it = fs::recursive_directory_iterator(chart_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    fs::path target = fs::weakly_canonical(it->path(), ec);
    auto rel = target.lexically_relative(root);
    if (ec || rel.empty() || *rel.begin() == "..") {
      return InvalidArgument("chart '" + chart_dir + "' holds symbolic link '" +
                             it->path().lexically_relative(chart_dir).string() +
                             "' that leads outside the chart: replace it with the file itself");
    }
  }
  if (ec) return Internal("cannot list chart '" + chart_dir + "': " + ec.message());
  return Status::Ok();
}

std::string Summary(const HelmPlanRequest& request, const HelmPlan& plan) {
  return "Helm release '" + request.release + "' in namespace '" + request.namespace_name +
         "': " + std::to_string(plan.added) + " added, " + std::to_string(plan.removed) +
         " removed, " + std::to_string(plan.changed) + " changed\n";
}

}  // namespace

HelmPlanner::HelmPlanner(process::ProcessRunner& runner, const process::Masker& masker,
                         HelmPlannerOptions options)
    : runner_(runner), masker_(masker), options_(std::move(options)) {}

Result<process::ProcessResult> HelmPlanner::Helm(const std::string& work_dir,
                                                 std::vector<std::string> args,
                                                 const HelmSource& source) const {
  process::ProcessRequest req;
  req.argv.push_back(options_.helm_bin);
  for (std::string& a : args) req.argv.push_back(std::move(a));
  req.cwd = work_dir;
  req.env = options_.env;
  req.env["HELM_CACHE_HOME"] = work_dir + "/helm-home/cache";
  req.env["HELM_CONFIG_HOME"] = work_dir + "/helm-home/config";
  req.env["HELM_DATA_HOME"] = work_dir + "/helm-home/data";
  req.env["KUBECONFIG"] = "/dev/null";
  process::SandboxPolicy policy;  // no network: rendering needs none
  policy.writable.push_back(work_dir);
  policy.read_only.push_back(source.chart_dir);
  for (const std::string& file : source.values_files) policy.read_only.push_back(file);
  req.sandbox = std::move(policy);
  req.timeout = options_.timeout;
  req.max_output_bytes = options_.max_output_bytes;
  auto result = runner_.Run(req);
  if (!result.ok()) return ToolNotFound(result.status(), "helm", "plan.helm_bin");
  return result;
}

Result<std::vector<std::string>> HelmPlanner::ValuesArgs(const HelmSource& source,
                                                         const std::string& work_dir,
                                                         const std::string& side) const {
  std::vector<std::string> args;
  for (const std::string& file : source.values_files) {
    DATAMCP_RETURN_IF_ERROR(CheckFile(file, "values file", false));
    args.insert(args.end(), {"-f", file});
  }
  if (!source.values_yaml.empty()) {
    std::string file = work_dir + "/" + side + "-values.yaml";
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << source.values_yaml;
    if (!out.flush()) return Internal("cannot write values file '" + file + "'");
    args.insert(args.end(), {"-f", file});
  }
  return args;
}

Result<std::string> HelmPlanner::Lint(const HelmPlanRequest& request,
                                      const std::string& work_dir) const {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<std::string> values,
                           ValuesArgs(request.head, work_dir, "head"));
  std::vector<std::string> args = {"lint", "--strict", request.head.chart_dir, "--namespace",
                                   request.namespace_name};
  args.insert(args.end(), values.begin(), values.end());
  DATAMCP_ASSIGN_OR_RETURN(process::ProcessResult r, Helm(work_dir, std::move(args), request.head));
  std::string output = masker_.Mask(r.stdout_text + r.stderr_text);
  if (!r.Succeeded()) {
    return StepFailed("helm lint --strict of chart '" + request.head.chart_dir + "'", r, output);
  }
  return output;
}

Result<RenderedObjects> HelmPlanner::Render(const HelmPlanRequest& request,
                                            const HelmSource& source, const std::string& work_dir,
                                            const std::string& side) const {
  DATAMCP_RETURN_IF_ERROR(CheckFile(source.chart_dir, "chart directory", true));
  DATAMCP_RETURN_IF_ERROR(CheckNoEscapingSymlinks(source.chart_dir));
  DATAMCP_ASSIGN_OR_RETURN(std::vector<std::string> values, ValuesArgs(source, work_dir, side));
  std::vector<std::string> args = {"template", request.release, source.chart_dir, "--namespace",
                                   request.namespace_name};
  args.insert(args.end(), values.begin(), values.end());
  DATAMCP_ASSIGN_OR_RETURN(process::ProcessResult r, Helm(work_dir, std::move(args), source));
  std::string what = "helm template of the " + side + " chart '" + source.chart_dir + "'";
  if (!r.Succeeded()) return StepFailed(what, r, masker_.Mask(r.stderr_text));
  if (r.truncated) {
    return ResourceExhausted(what + " printed more than " +
                             std::to_string(options_.max_output_bytes) +
                             " bytes (plan.max_output_bytes)");
  }
  auto objects = ParseRenderedObjects(r.stdout_text);
  if (!objects.ok()) return objects.status().WithContext(what);
  return objects;
}

Result<HelmPlan> HelmPlanner::Plan(const HelmPlanRequest& request) const {
  DATAMCP_RETURN_IF_ERROR(CheckName(request.release, "helm release name", 53));
  DATAMCP_RETURN_IF_ERROR(CheckName(request.namespace_name, "namespace", 63));
  DATAMCP_RETURN_IF_ERROR(CheckFile(request.head.chart_dir, "chart directory", true));
  DATAMCP_RETURN_IF_ERROR(CheckNoEscapingSymlinks(request.head.chart_dir));
  std::string work_dir = fs::absolute(request.work_dir).lexically_normal().string();
  std::error_code ec;
  fs::create_directories(work_dir, ec);
  if (ec) return Internal("cannot create work directory '" + work_dir + "': " + ec.message());

  HelmPlan plan;
  plan.release = request.release;
  DATAMCP_ASSIGN_OR_RETURN(plan.lint_output, Lint(request, work_dir));
  DATAMCP_ASSIGN_OR_RETURN(RenderedObjects head, Render(request, request.head, work_dir, "head"));
  RenderedObjects base;
  if (!request.base.chart_dir.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(base, Render(request, request.base, work_dir, "base"));
  }
  plan.changes = DiffObjects(base, head);
  plan.head_objects = head.size();
  plan.fingerprint = FingerprintObjects(head);
  std::string diffs;
  for (const ObjectChange& c : plan.changes) {
    plan.classification.AddObjectChange(c);
    (c.type == ObjectChange::Type::kAdded     ? plan.added
     : c.type == ObjectChange::Type::kRemoved ? plan.removed
                                              : plan.changed)++;
    diffs += "\n" + std::string(ChangeTypeName(c.type)) + ": " + c.key + "\n" + c.diff;
  }
  plan.text = masker_.Mask(Summary(request, plan) + diffs);
  return plan;
}

}  // namespace datamcp::plan
