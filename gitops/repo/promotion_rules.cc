#include "gitops/repo/promotion_rules.h"

#include "gitops/common/yaml_reader.h"

namespace datamcp::repo {
namespace {

constexpr std::size_t kMaxPromotionRules = 200;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

bool AnyMatch(const std::vector<std::string>& patterns, std::string_view text) {
  for (const auto& p : patterns) {
    if (GlobMatch(p, text)) return true;
  }
  return false;
}

Status ParseRule(const YamlMapReader& r, PromotionRule* rule) {
  DATAMCP_RETURN_IF_ERROR(r.Check({"repository", "workflow", "ref", "environment", "images", "tags",
                                   "releases", "environments"}));
  DATAMCP_RETURN_IF_ERROR(r.String("repository", &rule->repository, /*required=*/true));
  if (rule->repository.empty()) {
    return InvalidArgument(r.KeyPath("repository") + ": must name owner/name (globs allowed)");
  }
  DATAMCP_RETURN_IF_ERROR(r.String("workflow", &rule->workflow));
  DATAMCP_RETURN_IF_ERROR(r.String("ref", &rule->ref));
  DATAMCP_RETURN_IF_ERROR(r.String("environment", &rule->environment));
  DATAMCP_RETURN_IF_ERROR(r.StringList("images", &rule->images, /*required=*/true));
  DATAMCP_RETURN_IF_ERROR(r.String("tags", &rule->tags));
  DATAMCP_RETURN_IF_ERROR(r.StringList("releases", &rule->releases, /*required=*/true));
  DATAMCP_RETURN_IF_ERROR(r.StringList("environments", &rule->environments, /*required=*/true));
  for (const char* key : {"images", "releases", "environments"}) {
    const auto& list = std::string_view(key) == "images"     ? rule->images
                       : std::string_view(key) == "releases" ? rule->releases
                                                             : rule->environments;
    if (list.empty()) return InvalidArgument(r.KeyPath(key) + ": must list at least one");
  }
  return Status::Ok();
}

// The first field of `rule` that does not match, as a sentence; empty when all match.
std::string Mismatch(const PromotionRule& rule, const std::string& at, const CiIdentity& who,
                     const PromotionTarget& what) {
  auto claim = [&](const char* key, const std::string& pattern, const std::string& value,
                   const char* claim_name) -> std::string {
    if (GlobMatch(pattern, value)) return "";
    return at + "." + key + " allows '" + pattern + "', not the token's " + claim_name + " '" +
           value + "'";
  };
  auto list = [&](const char* key, const std::vector<std::string>& patterns,
                  const std::string& value) -> std::string {
    if (AnyMatch(patterns, value)) return "";
    return at + "." + key + " allows [" + Join(patterns) + "], not '" + value + "'";
  };
  for (std::string why :
       {claim("workflow", rule.workflow, who.job_workflow_ref, "job_workflow_ref"),
        claim("ref", rule.ref, who.ref, "ref"),
        claim("environment", rule.environment, who.environment, "environment"),
        list("images", rule.images, what.image), list("releases", rule.releases, what.release),
        list("environments", rule.environments, what.env)}) {
    if (!why.empty()) return why;
  }
  if (!what.tag.empty() && !GlobMatch(rule.tags, what.tag)) {
    return at + ".tags allows '" + rule.tags + "', not the tag '" + what.tag + "'";
  }
  if (what.tag.empty() && rule.tags != "*") {
    return at + ".tags allows '" + rule.tags + "' only: give the tag with the digest";
  }
  return "";
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Status ParsePromotionRules(const YamlMapReader& promotion, std::vector<PromotionRule>* rules) {
  DATAMCP_RETURN_IF_ERROR(promotion.Check({"rules"}));
  YAML::Node list = promotion.Child("rules");
  if (!list.IsDefined() || list.IsNull()) return Status::Ok();
  if (!list.IsSequence()) {
    return InvalidArgument(promotion.KeyPath("rules") + ": must be a list of rules, got " +
                           std::string(YamlKindName(list)));
  }
  if (list.size() > kMaxPromotionRules) {
    return InvalidArgument(promotion.KeyPath("rules") + ": more than 200 rules");
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    PromotionRule rule;
    DATAMCP_RETURN_IF_ERROR(ParseRule(
        YamlMapReader(list[i], promotion.KeyPath("rules") + "[" + std::to_string(i) + "]"), &rule));
    rules->push_back(std::move(rule));
  }
  return Status::Ok();
}

Result<std::size_t> AuthorizePromotion(const std::vector<PromotionRule>& rules,
                                       const CiIdentity& who, const PromotionTarget& what) {
  std::string reasons;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!GlobMatch(rules[i].repository, who.repository)) continue;
    std::string why = Mismatch(rules[i], "promotion.rules[" + std::to_string(i) + "]", who, what);
    if (why.empty()) return i;
    reasons += (reasons.empty() ? "" : "; ") + why;
  }
  std::string wanted = "'" + who.repository + "' to promote " + what.image +
                       (what.tag.empty() ? "" : ":" + what.tag) +
                       (what.digest.empty() ? "" : "@" + what.digest) + " into release '" +
                       what.release + "' in environment '" + what.env + "'";
  if (reasons.empty()) {
    return PermissionDenied("no rule in datamcp.yaml's promotion.rules allows repository " +
                            wanted + "; add a rule with repository: " + who.repository +
                            " on the default branch (promotion is denied by default)");
  }
  return PermissionDenied("no rule in datamcp.yaml's promotion.rules allows repository " + wanted +
                          ": " + reasons +
                          "; change a rule on the default branch if this promotion is intended");
}

}  // namespace datamcp::repo
