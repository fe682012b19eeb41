#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gitops/plan/classification.h"

namespace datamcp::apply {

// One resource a drift plan would change: its address and the action (create, update,
// delete, replace) that would bring the real state back to the code.
struct DriftedResource {
  std::string address;
  std::string action;
  bool operator==(const DriftedResource&) const = default;
};

// The result of one drift check of one project at the default branch's tip, kept as a JSON
// document of type "drift" in the note on that commit (refs/notes/datamcp), next to apply
// records. Readers of apply records skip it (IsApplyRecord wants type "apply").
struct DriftRecord {
  std::string project;  // e.g. infra/terraform/envs/dev
  std::string env;
  std::string commit;  // the tip planned
  // drifted: the plan is not empty; clean: it is empty and the previous check was clean too
  // (or there was none); resolved: it is empty after a drifted check; failed: no plan.
  std::string result;
  std::vector<DriftedResource> resources;  // sorted by address; empty unless drifted
  std::string summary;                     // the plan's one line ("+1 ~0 -0")
  std::string error;                       // why it did not plan (masked), when failed
  long long checked_at = 0;                // Unix seconds

  bool drifted() const { return result == "drifted"; }
};

inline constexpr const char* kDriftRecordType = "drift";

// The resources `changes` (a plan's classification) lists, each with its action, by address.
std::vector<DriftedResource> DriftedResources(const plan::Classification& changes);

// The result of a check that found `resources` (or failed), given the previous check's
// result ("" when none): drifted, clean, resolved or failed.
std::string DriftResult(bool planned, const std::vector<DriftedResource>& resources,
                        const std::string& previous);

nlohmann::json ToJson(const DriftRecord& record);

// Reads a drift record: an object with type "drift", non-empty string project and result,
// commit equal to `commit` (a document copied from another commit records nothing there),
// resources an array of {address, action} strings. Anything else is nullopt. Never throws.
std::optional<DriftRecord> ParseDriftRecord(const nlohmann::json& note, const std::string& commit);

// The newest drift record of `project` among the notes of `commit`.
std::optional<DriftRecord> FindDriftRecord(const std::vector<std::string>& notes,
                                           const std::string& commit, const std::string& project);

}  // namespace datamcp::apply
