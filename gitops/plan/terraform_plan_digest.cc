#include "gitops/plan/terraform_plan_digest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "gitops/common/digest.h"
#include "gitops/common/json_parse.h"

namespace datamcp::plan {
namespace {

using nlohmann::json;

constexpr std::string_view kTerraformFingerprintTag = "datamcp-terraform-fingerprint-v1\n";

bool IsNoOp(const json& actions) {
  return !actions.is_array() || actions.empty() || actions == json::array({"no-op"});
}

bool Has(const json& actions, std::string_view action) {
  return std::any_of(actions.begin(), actions.end(), [&](const json& a) {
    return a.is_string() && a.get<std::string>() == action;
  });
}

// Copies the listed keys of `from` that are present into a new object.
json Pick(const json& from, std::initializer_list<const char*> keys) {
  json out = json::object();
  for (const char* k : keys) {
    if (from.contains(k)) out[k] = from[k];
  }
  return out;
}

json NormalizeResourceChange(const json& rc) {
  json out = Pick(rc, {"address", "previous_address", "deposed", "action_reason"});
  const json& change = rc.value("change", json::object());
  out["change"] = Pick(change, {"actions", "before", "after", "after_unknown", "before_sensitive",
                                "after_sensitive", "replace_paths", "importing"});
  return out;
}

void Count(const std::string& address, const json& actions, TerraformSummary* s) {
  bool create = Has(actions, "create"), del = Has(actions, "delete");
  if (create) ++s->add;
  if (del) ++s->destroy;
  if (Has(actions, "update")) ++s->change;
  if (create && del) s->replaced.push_back(address);
}

Status CheckShape(const json& plan) {
  if (plan.is_discarded() || !plan.is_object()) {
    return InvalidArgument("terraform show -json output is not a JSON object");
  }
  if (plan.contains("resource_changes") && !plan["resource_changes"].is_array()) {
    return InvalidArgument("terraform show -json output: resource_changes is not an array");
  }
  if (!plan.contains("format_version")) {
    return InvalidArgument("terraform show -json output has no format_version: not a plan");
  }
  return Status::Ok();
}

TerraformPlanDigest Digest(const json& plan) {
  TerraformPlanDigest digest;
  json changes = json::array();
  for (const json& rc : plan.value("resource_changes", json::array())) {
    if (!rc.is_object()) continue;
    const json& actions = rc.value("change", json::object()).value("actions", json());
    if (IsNoOp(actions)) continue;
    changes.push_back(NormalizeResourceChange(rc));
    Count(rc.value("address", ""), actions, &digest.summary);
    std::string address = rc.value("address", "");
    if (rc.contains("deposed") && rc["deposed"].is_string()) {
      address += " (deposed " + rc["deposed"].get<std::string>() + ")";
    }
    digest.changes.AddTerraformActions(address, actions);
  }
  std::sort(changes.begin(), changes.end(), [](const json& a, const json& b) {
    return std::pair(a.value("address", ""), a.value("deposed", "")) <
           std::pair(b.value("address", ""), b.value("deposed", ""));
  });
  json outputs = json::object();
  const json output_changes = plan.value("output_changes", json::object());
  for (const auto& [name, change] : output_changes.items()) {
    if (change.is_object() && !IsNoOp(change.value("actions", json()))) {
      outputs[name] = Pick(change, {"actions", "before", "after", "after_unknown",
                                    "before_sensitive", "after_sensitive"});
    }
  }
  std::sort(digest.summary.replaced.begin(), digest.summary.replaced.end());
  json normalized = {{"resource_changes", changes}, {"output_changes", outputs}};
  digest.normalized = normalized.dump(-1, ' ', false, json::error_handler_t::replace);
  digest.fingerprint = Sha256Hex(std::string(kTerraformFingerprintTag) + digest.normalized);
  return digest;
}

}  // namespace

std::string TerraformSummary::ToString() const {
  if (NoChanges()) return "No changes.";
  std::string s = "Plan: " + std::to_string(add) + " to add, " + std::to_string(change) +
                  " to change, " + std::to_string(destroy) + " to destroy.";
  if (!replaced.empty()) {
    s += " Replaced:";
    for (const std::string& a : replaced) s += " " + a;
  }
  return s;
}

Result<TerraformPlanDigest> DigestTerraformPlanJson(std::string_view show_json) {
  json plan = ParseJsonOrDiscarded(show_json);
  DATAMCP_RETURN_IF_ERROR(CheckShape(plan));
  try {
    return Digest(plan);
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("terraform show -json output has an unexpected shape: ") +
                           e.what());
  }
}

}  // namespace datamcp::plan
