#include "gitops/forge/github_json.h"

#include "gitops/common/utc_time.h"

namespace datamcp::forge::github_json {
namespace {

using nlohmann::json;

// The string at `key` in `j`; "" when absent or null.
std::string Str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string Login(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_object()) return "";
  return Str(j[key], "login");
}

Status Missing(const char* what, const char* field) {
  return Internal(std::string("GitHub ") + what + " lacks field '" + field + "'");
}

}  // namespace

Result<PullRequest> ParsePullRequest(const json& j) {
  if (!j.is_object() || !j.contains("number") || !j["number"].is_number_integer()) {
    return Missing("pull request", "number");
  }
  if (!j.contains("head") || !j["head"].is_object() || !j.contains("base") ||
      !j["base"].is_object()) {
    return Missing("pull request", "head/base");
  }
  PullRequest pr;
  pr.number = j["number"].get<int>();
  pr.title = Str(j, "title");
  pr.body = Str(j, "body");
  pr.head_ref = Str(j["head"], "ref");
  pr.head_sha = Str(j["head"], "sha");
  pr.base_ref = Str(j["base"], "ref");
  pr.state = Str(j, "state") == "open" ? PullRequestState::kOpen : PullRequestState::kClosed;
  if (j.contains("merged") && j["merged"].is_boolean()) {
    pr.merged = j["merged"].get<bool>();
  } else {
    pr.merged = !Str(j, "merged_at").empty();
  }
  if (pr.merged) pr.merge_commit_sha = Str(j, "merge_commit_sha");
  if (j.contains("mergeable") && j["mergeable"].is_boolean()) {
    pr.mergeable = j["mergeable"].get<bool>();
  }
  pr.author = Login(j, "user");
  pr.merged_by = Login(j, "merged_by");
  const json& head_repo = j["head"].contains("repo") ? j["head"]["repo"] : json();
  const json& base_repo = j["base"].contains("repo") ? j["base"]["repo"] : json();
  pr.from_fork =
      !head_repo.is_object() || Str(head_repo, "full_name") != Str(base_repo, "full_name");
  pr.html_url = Str(j, "html_url");
  if (pr.head_ref.empty() || pr.base_ref.empty()) return Missing("pull request", "head.ref");
  return pr;
}

Result<Review> ParseReview(const json& j) {
  if (!j.is_object() || !j.contains("state")) return Missing("review", "state");
  Review r;
  r.user = Login(j, "user");
  r.commit_sha = Str(j, "commit_id");
  if (auto at = ParseUtcIso8601(Str(j, "submitted_at")); at.ok()) r.submitted_at = *at;
  std::string s = Str(j, "state");
  if (s == "APPROVED")
    r.state = ReviewState::kApproved;
  else if (s == "CHANGES_REQUESTED")
    r.state = ReviewState::kChangesRequested;
  else if (s == "DISMISSED")
    r.state = ReviewState::kDismissed;
  else if (s == "PENDING")
    r.state = ReviewState::kPending;
  else
    r.state = ReviewState::kCommented;
  return r;
}

Result<PullRequestFile> ParsePullRequestFile(const json& j) {
  PullRequestFile f;
  f.path = Str(j, "filename");
  if (f.path.empty()) return Missing("pull request file", "filename");
  f.previous_path = Str(j, "previous_filename");
  f.status = Str(j, "status");
  return f;
}

std::string String(const json& j, const char* key) { return Str(j, key); }

long long Int(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return 0;
  return j[key].get<long long>();
}

Permission ParsePermission(const std::string& s) {
  if (s == "admin") return Permission::kAdmin;
  if (s == "write" || s == "maintain") return Permission::kWrite;
  if (s == "read" || s == "triage") return Permission::kRead;
  return Permission::kNone;
}

}  // namespace datamcp::forge::github_json
