#pragma once

#include <nlohmann/json.hpp>

#include "gitops/common/result.h"
#include "gitops/forge/forge.h"

// GitHub REST JSON -> forge structs. Missing or mistyped required fields are Internal errors
// naming the field; optional ones (nullable in GitHub's schema) default to empty.
namespace datamcp::forge::github_json {

// Accepts both the full pull request and the list ("simple") shape; `merged` is derived from
// merged_at when the field is absent.
Result<PullRequest> ParsePullRequest(const nlohmann::json& j);
Result<Review> ParseReview(const nlohmann::json& j);
Result<PullRequestFile> ParsePullRequestFile(const nlohmann::json& j);
// "admin" | "maintain" | "write" | "triage" | "read" | "none" (unknown: kNone).
Permission ParsePermission(const std::string& s);

// Safe field access (never throws): "" / 0 when `key` is absent, null or of another type.
std::string String(const nlohmann::json& j, const char* key);
long long Int(const nlohmann::json& j, const char* key);

}  // namespace datamcp::forge::github_json
