#pragma once

#include <string>

#include "gitops/common/result.h"
#include "gitops/plan/classification.h"
#include "gitops/plan/helm_planner.h"
#include "gitops/process/masker.h"
#include "gitops/process/process_runner.h"

namespace datamcp::plan {

struct ArgoCdPlanRequest {
  std::string path;       // the Application manifest, repository-relative
  std::string base_tree;  // exported trees of base and head; the file may be on either side
  std::string head_tree;
  std::string work_dir;  // scratch directory the caller owns and removes
  // The repository's folder of in-repository charts (datamcp.yaml helm_charts): an
  // Application whose spec.source.path is under it has its chart rendered on both sides.
  std::string helm_charts;
};

struct ArgoCdPlan {
  std::string summary;      // "2 Application field(s) changed; rendered: ..."
  std::string text;         // the field diff, then the rendered objects' diff
  std::string fingerprint;  // the head manifest and its rendered chart: "the reviewed plan"
  Classification changes;
};

// Plans an Argo CD Application: the field diff of its manifest between base and head and,
// for an in-repository chart, the Helm render diff (HelmPlanner). An Application on neither
// side, or removed, plans without running anything. Errors: the head manifest is not a valid
// Application (InvalidArgument, with the path), the chart has no Chart.yaml (NotFound), or
// the Helm planner's error. Thread-safe. The runner and masker must outlive the planner.
class ArgoCdPlanner {
 public:
  ArgoCdPlanner(process::ProcessRunner& runner, const process::Masker& masker,
                HelmPlannerOptions helm);

  Result<ArgoCdPlan> Plan(const ArgoCdPlanRequest& request) const;

 private:
  const process::Masker& masker_;
  HelmPlanner helm_;
};

}  // namespace datamcp::plan
