#include "gitops/repo/plan_rules.h"

#include <algorithm>

namespace datamcp::repo {
namespace {

constexpr int kMaxRuleApprovals = 100;
constexpr int kMaxPlanRules = 100;
const std::vector<std::string> kActions = {"create", "update", "delete", "replace"};

Status ParseActions(const YamlMapReader& r, PlanRule* rule) {
  YAML::Node node = r.Child("deny");
  if (node.IsScalar()) {
    std::string one;
    DATAMCP_RETURN_IF_ERROR(r.String("deny", &one));
    rule->actions = {one};
  } else {
    DATAMCP_RETURN_IF_ERROR(r.StringList("deny", &rule->actions, /*required=*/true));
  }
  if (rule->actions.empty()) {
    return InvalidArgument(r.KeyPath("deny") +
                           ": name at least one action (create, update, "
                           "delete or replace)");
  }
  for (const auto& action : rule->actions) {
    if (std::find(kActions.begin(), kActions.end(), action) == kActions.end()) {
      return InvalidArgument(r.KeyPath("deny") + ": '" + action +
                             "' is not an action; use create, update, delete or replace");
    }
  }
  return Status::Ok();
}

Status ParseRule(const YamlMapReader& r, PlanRule* rule) {
  DATAMCP_RETURN_IF_ERROR(
      r.Check({"deny", "max_changes", "require_approvals", "resource_types", "message"}));
  int kinds = r.Has("deny") + r.Has("max_changes") + r.Has("require_approvals");
  if (kinds != 1) {
    return InvalidArgument(rule->where +
                           ": a rule has exactly one of deny, max_changes, require_approvals" +
                           (kinds == 0 ? " (it has none)" : " (it has several: one rule each)"));
  }
  if (r.Has("deny")) {
    rule->kind = PlanRule::Kind::kDeny;
    DATAMCP_RETURN_IF_ERROR(ParseActions(r, rule));
  } else if (r.Has("max_changes")) {
    rule->kind = PlanRule::Kind::kMaxChanges;
    DATAMCP_RETURN_IF_ERROR(r.Int("max_changes", &rule->limit, 0, 1000000));
  } else {
    rule->kind = PlanRule::Kind::kRequireApprovals;
    DATAMCP_RETURN_IF_ERROR(r.Int("require_approvals", &rule->limit, 1, kMaxRuleApprovals));
  }
  if (r.Has("resource_types")) {
    DATAMCP_RETURN_IF_ERROR(r.StringList("resource_types", &rule->resource_types, true));
    if (rule->resource_types.empty()) {
      return InvalidArgument(r.KeyPath("resource_types") +
                             ": list at least one type, or leave the key out for every type");
    }
    for (const auto& type : rule->resource_types) {
      if (type.empty()) return InvalidArgument(r.KeyPath("resource_types") + ": empty type");
    }
    if (rule->kind == PlanRule::Kind::kMaxChanges) {
      return InvalidArgument(r.KeyPath("resource_types") +
                             ": max_changes counts every resource; it takes no resource_types");
    }
  }
  return r.String("message", &rule->message);
}

}  // namespace

Status ParsePlanRules(const YamlMapReader& env, std::vector<PlanRule>* out) {
  if (!env.Has("policies")) return Status::Ok();
  YAML::Node list = env.Child("policies");
  std::string key = env.KeyPath("policies");
  if (!list.IsSequence()) {
    return InvalidArgument(key + ": must be a list of rules, got " +
                           std::string(YamlKindName(list)));
  }
  if (list.size() > kMaxPlanRules) {
    return InvalidArgument(key + ": at most " + std::to_string(kMaxPlanRules) + " rules");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    PlanRule rule;
    rule.where = key + "[" + std::to_string(i) + "]";
    if (!list[i].IsMap()) {
      return InvalidArgument(rule.where +
                             ": must be a map (deny, max_changes or "
                             "require_approvals), got " +
                             std::string(YamlKindName(list[i])));
    }
    DATAMCP_RETURN_IF_ERROR(ParseRule(YamlMapReader(list[i], rule.where), &rule));
    out->push_back(std::move(rule));
  }
  return Status::Ok();
}

}  // namespace datamcp::repo
