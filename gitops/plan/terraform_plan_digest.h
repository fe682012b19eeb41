#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/plan/classification.h"

namespace datamcp::plan {

// What a plan will do, counted the way terraform's "Plan: N to add, ..." line counts: a
// replacement counts once in `add` and once in `destroy` and is listed in `replaced`.
struct TerraformSummary {
  int add = 0;
  int change = 0;
  int destroy = 0;
  std::vector<std::string> replaced;  // resource addresses, sorted

  bool NoChanges() const { return add == 0 && change == 0 && destroy == 0; }
  // "Plan: 1 to add, 0 to change, 1 to destroy (replaced: a.b)" or "No changes."
  std::string ToString() const;
  bool operator==(const TerraformSummary&) const = default;
};

struct TerraformPlanDigest {
  TerraformSummary summary;
  // Per resource: created, updated, deleted, replaced (from resource_changes[].change.actions).
  Classification changes;
  // Hex SHA-256 of `normalized` (prefixed with a format tag): what "the reviewed plan" means.
  std::string fingerprint;
  // Canonical JSON of the changes the plan makes (sorted keys, sorted by address): for each
  // resource change that is not a no-op its address, previous_address, deposed key, actions,
  // action_reason, before, after, after_unknown, before/after_sensitive, replace_paths and
  // importing; and every output change that is not a no-op. Everything else in the plan
  // (timestamp, terraform_version, configuration, prior_state, variables, drift) is left out.
  std::string normalized;
};

// Digests the output of `terraform show -json <planfile>`. InvalidArgument when the text is
// not a JSON plan (not JSON, no resource_changes array where one is expected).
Result<TerraformPlanDigest> DigestTerraformPlanJson(std::string_view show_json);

}  // namespace datamcp::plan
