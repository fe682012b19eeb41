#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/plan/helm_objects.h"

namespace datamcp::plan {

// What a project's plan does to what exists, counted per resource (Terraform) or rendered
// object (Helm, Argo CD): the one place that says whether a plan is *destructive*. A plan
// that deletes or replaces anything is; creates and in-place updates are not. Plain value
// type.
struct Classification {
  int creates = 0;
  int updates = 0;
  int deletes = 0;
  int replaces = 0;
  std::vector<std::string> deleted;   // addresses / object keys, sorted
  std::vector<std::string> replaced;  // addresses, sorted
  // What is created and updated in place, sorted: what plan policies (proposal/policy_check)
  // judge besides the destroys.
  std::vector<std::string> created;
  std::vector<std::string> updated;

  bool Destructive() const { return deletes > 0 || replaces > 0; }
  // "deletes terraform_data.a; replaces terraform_data.b" (at most `max_names` names, then
  // "and N more"), or "" when nothing is deleted or replaced.
  std::string DescribeDestroys(std::size_t max_names = 20) const;
  bool operator==(const Classification&) const = default;

  // Adds one Terraform resource change by its `change.actions`: ["create"], ["update"],
  // ["delete"], ["delete","create"] or ["create","delete"] (replace); "no-op", "read" and
  // "forget" (removed from state, left in place) are not counted. Keeps the lists sorted.
  void AddTerraformActions(const std::string& address, const nlohmann::json& actions);
  // Adds one rendered object: added (create), changed (update) or removed (delete).
  void AddObjectChange(const ObjectChange& change);
  // Adds everything `other` counts (a chart's render into its Application's plan).
  void Add(const Classification& other);
  // Adds an object deleted as a whole (an Argo CD Application removed from the repository).
  void AddDeleted(const std::string& key);
  // Adds an object created or updated as a whole (an Argo CD Application).
  void AddCreated(const std::string& key);
  void AddUpdated(const std::string& key);
};

// {"destructive":bool,"creates":n,"updates":n,"deletes":n,"replaces":n,"deleted":[..],
//  "replaced":[..],"created":[..],"updated":[..]}: how plan notes and tool results carry it.
nlohmann::json ToJson(const Classification& c);
// The inverse of ToJson for a record someone else may have written: a missing or mistyped
// field reads as zero or empty, never as a throw.
Classification ClassificationFromJson(const nlohmann::json& j);

}  // namespace datamcp::plan
