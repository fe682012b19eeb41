#include "gitops/proposal/policy_check.h"

#include <algorithm>

#include "gitops/common/json_fields.h"

namespace datamcp::proposal {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxNamed = 5;

// The address split at dots outside brackets: `module.a["x.y"].t.n` -> module, a["x.y"], t, n.
std::vector<std::string> AddressParts(const std::string& address) {
  std::vector<std::string> parts(1);
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < address.size(); ++i) {
    char c = address[i];
    if (quoted) {
      if (c == '\\' && i + 1 < address.size()) {
        parts.back() += c;
        c = address[++i];
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      depth = std::max(0, depth - 1);
    } else if (c == '.' && depth == 0) {
      parts.emplace_back();
      continue;
    }
    parts.back() += c;
  }
  return parts;
}

std::string StripIndex(const std::string& part) { return part.substr(0, part.find('[')); }

bool TypeMatches(const repo::PlanRule& rule, const std::string& address) {
  if (rule.resource_types.empty()) return true;
  std::string type = ResourceType(address);
  return std::find(rule.resource_types.begin(), rule.resource_types.end(), type) !=
         rule.resource_types.end();
}

// The addresses of `list` the rule's types match.
std::vector<std::string> Matching(const repo::PlanRule& rule,
                                  const std::vector<std::string>& list) {
  std::vector<std::string> out;
  for (const auto& address : list) {
    if (TypeMatches(rule, address)) out.push_back(address);
  }
  return out;
}

std::string Names(const std::vector<std::string>& list) {
  std::string s;
  for (std::size_t i = 0; i < list.size() && i < kMaxNamed; ++i) s += (i ? ", " : "") + list[i];
  if (list.size() > kMaxNamed) s += " and " + std::to_string(list.size() - kMaxNamed) + " more";
  return s;
}

std::string Join(const std::vector<std::string>& list, const char* sep) {
  std::string s;
  for (const auto& item : list) s += (s.empty() ? "" : sep) + item;
  return s;
}

std::string OfTypes(const repo::PlanRule& rule) {
  return rule.resource_types.empty() ? "" : " of " + Join(rule.resource_types, ", ");
}

std::string Because(const repo::PlanRule& rule) {
  return rule.message.empty() ? "" : " (" + rule.message + ")";
}

// What `action` covers: a replace deletes too, so `delete` covers replaced resources.
std::vector<std::string> ListFor(const plan::Classification& c, const std::string& action) {
  if (action == "create") return c.created;
  if (action == "update") return c.updated;
  if (action == "replace") return c.replaced;
  std::vector<std::string> out = c.deleted;
  out.insert(out.end(), c.replaced.begin(), c.replaced.end());
  return out;
}

}  // namespace

std::string ResourceType(const std::string& address) {
  if (auto space = address.find(' '); space != std::string::npos) return address.substr(0, space);
  if (auto slash = address.find('/'); slash != std::string::npos) return address.substr(0, slash);
  std::vector<std::string> parts = AddressParts(address);
  std::size_t i = 0;
  while (i + 1 < parts.size() && parts[i] == "module") i += 2;
  if (i + 1 < parts.size() && parts[i] == "data") ++i;
  return i < parts.size() ? StripIndex(parts[i]) : address;
}

json PolicyVerdict::ToJson() const {
  return {{"denied", denied}, {"approvals", approvals}, {"requirements", requirements}};
}

PolicyVerdict EvaluatePolicies(const std::vector<repo::PlanRule>& rules,
                               const plan::Classification& changes) {
  PolicyVerdict v;
  for (const auto& rule : rules) {
    switch (rule.kind) {
      case repo::PlanRule::Kind::kDeny: {
        std::vector<std::string> hit;
        for (const auto& action : rule.actions) {
          for (auto& a : Matching(rule, ListFor(changes, action))) hit.push_back(action + " " + a);
        }
        if (!hit.empty()) {
          v.denied.push_back(rule.where + ": deny " + Join(rule.actions, "/") + OfTypes(rule) +
                             ": " + Names(hit) + Because(rule));
        }
        break;
      }
      case repo::PlanRule::Kind::kMaxChanges: {
        int total = changes.creates + changes.updates + changes.deletes + changes.replaces;
        if (total > rule.limit) {
          v.denied.push_back(rule.where + ": at most " + std::to_string(rule.limit) +
                             " resource(s) changed at once; this plan changes " +
                             std::to_string(total) + Because(rule));
        }
        break;
      }
      case repo::PlanRule::Kind::kRequireApprovals: {
        std::vector<std::string> touched;
        for (const auto* list :
             {&changes.created, &changes.updated, &changes.deleted, &changes.replaced}) {
          for (auto& a : Matching(rule, *list)) touched.push_back(a);
        }
        bool any = rule.resource_types.empty()
                       ? changes.creates + changes.updates + changes.deletes + changes.replaces > 0
                       : !touched.empty();
        if (!any) break;
        v.approvals = std::max(v.approvals, rule.limit);
        v.requirements.push_back(rule.where + ": " + std::to_string(rule.limit) +
                                 " approval(s) for changes" + OfTypes(rule) +
                                 (touched.empty() ? "" : ": " + Names(touched)) + Because(rule));
        break;
      }
    }
  }
  return v;
}

PolicyVerdict PolicyVerdictFromJson(const json& j) {
  using namespace json_fields;
  PolicyVerdict v;
  for (const auto& d : Array(j, "denied")) {
    if (d.is_string()) v.denied.push_back(d.get<std::string>());
  }
  for (const auto& r : Array(j, "requirements")) {
    if (r.is_string()) v.requirements.push_back(r.get<std::string>());
  }
  std::int64_t n = Int(j, "approvals");
  v.approvals = n < 0 || n > 1000 ? 0 : static_cast<int>(n);
  return v;
}

}  // namespace datamcp::proposal
