#include "gitops/apply/drift_record.h"

#include <algorithm>

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"

namespace datamcp::apply {

using nlohmann::json;

std::vector<DriftedResource> DriftedResources(const plan::Classification& changes) {
  std::vector<DriftedResource> out;
  auto add = [&](const std::vector<std::string>& addresses, const char* action) {
    for (const auto& a : addresses) out.push_back({a, action});
  };
  add(changes.created, "create");
  add(changes.updated, "update");
  add(changes.deleted, "delete");
  add(changes.replaced, "replace");
  std::sort(out.begin(), out.end(), [](const DriftedResource& a, const DriftedResource& b) {
    return a.address < b.address;
  });
  return out;
}

std::string DriftResult(bool planned, const std::vector<DriftedResource>& resources,
                        const std::string& previous) {
  if (!planned) return "failed";
  if (!resources.empty()) return "drifted";
  return previous == "drifted" ? "resolved" : "clean";
}

json ToJson(const DriftRecord& r) {
  json resources = json::array();
  for (const auto& d : r.resources)
    resources.push_back({{"address", d.address}, {"action", d.action}});
  json out = {{"type", kDriftRecordType}, {"project", r.project},      {"env", r.env},
              {"commit", r.commit},       {"result", r.result},        {"resources", resources},
              {"summary", r.summary},     {"checked_at", r.checked_at}};
  if (!r.error.empty()) out["error"] = r.error;
  return out;
}

std::optional<DriftRecord> ParseDriftRecord(const json& note, const std::string& commit) {
  using namespace json_fields;
  if (String(note, "type") != kDriftRecordType || commit.empty() ||
      String(note, "commit") != commit || String(note, "project").empty() ||
      String(note, "result").empty() || !HasArray(note, "resources")) {
    return std::nullopt;
  }
  DriftRecord r{.project = String(note, "project"),
                .env = String(note, "env"),
                .commit = commit,
                .result = String(note, "result"),
                .resources = {},
                .summary = String(note, "summary"),
                .error = String(note, "error"),
                .checked_at = Int(note, "checked_at")};
  for (const auto& item : Array(note, "resources")) {
    if (!HasString(item, "address") || !HasString(item, "action")) return std::nullopt;
    r.resources.push_back({String(item, "address"), String(item, "action")});
  }
  return r;
}

std::optional<DriftRecord> FindDriftRecord(const std::vector<std::string>& notes,
                                           const std::string& commit, const std::string& project) {
  for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
    auto record = ParseDriftRecord(ParseJsonOrDiscarded(*it), commit);
    if (record && record->project == project) return record;
  }
  return std::nullopt;
}

}  // namespace datamcp::apply
