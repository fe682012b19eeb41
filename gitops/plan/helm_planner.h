#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/plan/classification.h"
#include "gitops/plan/helm_objects.h"
#include "gitops/process/masker.h"
#include "gitops/process/process_runner.h"

namespace datamcp::plan {

struct HelmPlannerOptions {
  std::string helm_bin = "helm";  // config plan.helm_bin
  // Base environment of every helm run (PATH finds helm_bin, HOME...), built by the caller
  // with process::AllowlistedEnv. The planner adds HELM_CACHE_HOME, HELM_CONFIG_HOME and
  // HELM_DATA_HOME under the request's work_dir and KUBECONFIG=/dev/null (no cluster).
  std::map<std::string, std::string> env;
  std::chrono::milliseconds timeout{std::chrono::seconds(300)};  // per helm command
  std::size_t max_output_bytes = 8u << 20;
};

// One side (base or head) of a release.
struct HelmSource {
  // Absolute path of the chart directory in an exported tree. Empty on the base side when
  // the chart is new (everything is added).
  std::string chart_dir;
  // Absolute paths of values files (e.g. in the exported tree), passed with -f in order.
  std::vector<std::string> values_files;
  // Values given inline (untrusted text is fine): written to a file under work_dir and
  // passed last with -f, never on the command line.
  std::string values_yaml;
};

struct HelmPlanRequest {
  std::string release;         // [a-z0-9-], starts and ends alphanumeric, at most 53 characters
  std::string namespace_name;  // [a-z0-9-], starts and ends alphanumeric, at most 63
  HelmSource base;
  HelmSource head;
  std::string work_dir;  // scratch directory the caller owns and removes
};

struct HelmPlan {
  std::string release;
  std::vector<ObjectChange> changes;  // sorted by key
  int added = 0, removed = 0, changed = 0;
  Classification classification;  // removed objects are deletes: the render is destructive
  std::size_t head_objects = 0;
  // FingerprintObjects of the rendered head objects: what "the reviewed render" means.
  std::string fingerprint;
  std::string lint_output;  // helm lint --strict output for head, masked
  // "Helm release 'r' in namespace 'n': 1 added, 0 removed, 2 changed" then every change's
  // unified diff, masked.
  std::string text;
};

// Lints and renders Helm charts with the helm CLI through a ProcessRunner: `helm lint
// --strict` of head, `helm template <release> <chart> -n <namespace> -f ...` of base and
// head, and the diff of the rendered objects keyed by kind/namespace/name. Nothing is
// written to the charts. Every helm command runs in the runner's sandbox, which sees the
// charts and values files (read-only) and work_dir, nothing else. Thread-safe. The runner and
// masker must outlive the planner.
class HelmPlanner {
 public:
  HelmPlanner(process::ProcessRunner& runner, const process::Masker& masker,
              HelmPlannerOptions options);

  // Errors: InvalidArgument (bad release or namespace name, relative paths, a chart with a
  // symbolic link leading outside it, a rendered document that is not an object), NotFound (missing
  // chart or values file; helm itself, naming plan.helm_bin), FailedPrecondition (lint or template
  // failed: helm's masked message is quoted), DeadlineExceeded (timeout).
  Result<HelmPlan> Plan(const HelmPlanRequest& request) const;

 private:
  Result<process::ProcessResult> Helm(const std::string& work_dir, std::vector<std::string> args,
                                      const HelmSource& source) const;
  Result<std::vector<std::string>> ValuesArgs(const HelmSource& source, const std::string& work_dir,
                                              const std::string& side) const;
  Result<std::string> Lint(const HelmPlanRequest& request, const std::string& work_dir) const;
  Result<RenderedObjects> Render(const HelmPlanRequest& request, const HelmSource& source,
                                 const std::string& work_dir, const std::string& side) const;

  process::ProcessRunner& runner_;
  const process::Masker& masker_;
  HelmPlannerOptions options_;
};

}  // namespace datamcp::plan
