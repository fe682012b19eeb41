#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp {
class YamlMapReader;
}

namespace datamcp::repo {

// Who may promote which image into which Helm releases and environments from CI, as
// datamcp.yaml's `promotion.rules` says (read from the default branch only). Every string
// is a glob where `*` matches any run of characters (including '/'); a rule's unset claim
// fields match anything. Deny by default: a promotion needs one rule that matches all of it.
struct PromotionRule {
  std::string repository;                 // claim `repository` (owner/name); required
  std::string workflow = "*";             // claim `job_workflow_ref` (owner/repo/path@ref)
  std::string ref = "*";                  // claim `ref` (refs/heads/main, refs/tags/v1.2.3)
  std::string environment = "*";          // claim `environment` (GitHub deployment environment)
  std::vector<std::string> images;        // image repositories, e.g. ghcr.io/acme/events-api
  std::string tags = "*";                 // the tag; a digest alone needs tags: "*"
  std::vector<std::string> releases;      // Helm release names
  std::vector<std::string> environments;  // environments of datamcp.yaml
};

// The verified identity of a CI job: the GitHub Actions OIDC token's claims.
struct CiIdentity {
  std::string repository;        // "acme/events-api"
  std::string job_workflow_ref;  // "acme/events-api/.github/workflows/release.yml@refs/heads/main"
  std::string ref;               // "refs/heads/main"
  std::string environment;       // "" when the job has no deployment environment
  std::string actor;             // who triggered the run (informative)
  std::string run_id;            // informative
};

// What CI asks to promote.
struct PromotionTarget {
  std::string image;   // repository, no tag
  std::string tag;     // may be empty when digest is set
  std::string digest;  // sha256:<64 hex>, may be empty
  std::string release;
  std::string env;
};

// Parses `promotion:` ({rules: [...]}) at `node` (key path "promotion"). Errors name the key.
Status ParsePromotionRules(const YamlMapReader& promotion, std::vector<PromotionRule>* rules);

// The first rule allowing `who` to promote `what`, or PermissionDenied saying what no rule
// allows: with no rule for the repository, which rule to add; otherwise, for each rule of
// that repository, the first field that did not match ("promotion.rules[0].environments
// allows [dev], not 'prod'").
Result<std::size_t> AuthorizePromotion(const std::vector<PromotionRule>& rules,
                                       const CiIdentity& who, const PromotionTarget& what);

// `*` globs: `*` matches any run of characters; everything else matches itself. Iterative,
// linear in the inputs for one star and O(n*m) at worst.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace datamcp::repo
