// GithubForge's drift reports: one open issue per project, labelled kDriftIssueLabel, its
// body starting with the project's hidden marker (drift_issue_text.h), found again by
// listing the label's open issues, so a restart or another replica edits the same issue.
#include "gitops/common/log.h"
#include "gitops/forge/drift_issue_text.h"
#include "gitops/forge/github_forge.h"
#include "gitops/forge/github_json.h"

namespace datamcp::forge {
namespace {

using nlohmann::json;

const json& Field(const json& j, const char* key) {
  static const json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

std::string IssuePath(const json& issue) {
  return "/issues/" + std::to_string(github_json::Int(issue, "number"));
}

}  // namespace

Result<bool> GithubForge::WroteIssue(const json& issue) {
  std::string author = github_json::String(Field(issue, "user"), "login");
  if (!options_.bot_login.empty()) return author == options_.bot_login;
  if (!app_id_.empty()) {
    // An App's issues are performed via the App; a user cannot make that so.
    const json& app = Field(issue, "performed_via_github_app");
    return app.is_object() && std::to_string(github_json::Int(app, "id")) == app_id_;
  }
  std::lock_guard lock(self_mu_);
  if (self_login_.empty()) {
    Result<json> me = CallRoot("GET", "/user");
    if (!me.ok()) {
      return me.status().WithContext(
          "cannot tell which drift issues are DataMCP's: GET /user names the token's login");
    }
    self_login_ = github_json::String(*me, "login");
    if (self_login_.empty()) return Internal("GitHub's GET /user answered without a login");
  }
  return author == self_login_;
}

Result<std::vector<json>> GithubForge::FindDriftIssues(const std::string& project) {
  DATAMCP_ASSIGN_OR_RETURN(json list,
                           GetAll("/issues?state=open&labels=" + UrlEncode(kDriftIssueLabel) +
                                  "&sort=created&direction=asc"));
  std::vector<json> ours;
  for (const json& issue : list) {
    // The issues API lists pull requests too.
    if (!Field(issue, "pull_request").is_null()) continue;
    if (!IsDriftIssueBodyOf(github_json::String(issue, "body"), project)) continue;
    DATAMCP_ASSIGN_OR_RETURN(bool wrote, WroteIssue(issue));
    if (!wrote) {
      log::Warn("github_drift_issue_not_ours",
                {{"number", github_json::Int(issue, "number")},
                 {"author", github_json::String(Field(issue, "user"), "login")}});
      continue;
    }
    ours.push_back(issue);
  }
  return ours;
}

Status GithubForge::CloseDriftIssue(const json& issue, const std::string& comment) {
  json note = {{"body", comment}};
  DATAMCP_RETURN_IF_ERROR(Call("POST", IssuePath(issue) + "/comments", &note).status());
  json body = {{"state", "closed"}, {"state_reason", "completed"}};
  DATAMCP_RETURN_IF_ERROR(Call("PATCH", IssuePath(issue), &body).status());
  log::Info("github_drift_issue_closed", {{"number", github_json::Int(issue, "number")}});
  return Status::Ok();
}

Result<std::string> GithubForge::UpsertDriftReport(const DriftReport& report) {
  DATAMCP_RETURN_IF_ERROR(CheckDriftReport(report));
  std::string title = DriftIssueTitle(report);
  std::string body = DriftIssueBody(report);
  DATAMCP_ASSIGN_OR_RETURN(std::vector<json> issues, FindDriftIssues(report.project));
  if (issues.empty()) {
    json request = {{"title", title}, {"body", body}, {"labels", {kDriftIssueLabel}}};
    DATAMCP_ASSIGN_OR_RETURN(json created, Call("POST", "/issues", &request));
    log::Info("github_drift_issue_opened",
              {{"number", github_json::Int(created, "number")}, {"project", report.project}});
    return github_json::String(created, "html_url");
  }
  // A retried create may have opened two: the oldest is the report, the others are closed.
  for (std::size_t i = 1; i < issues.size(); ++i) {
    DATAMCP_RETURN_IF_ERROR(CloseDriftIssue(
        issues[i], "A duplicate of #" + std::to_string(github_json::Int(issues[0], "number")) +
                       ", which DataMCP keeps up to date.\n"));
  }
  const json& issue = issues[0];
  if (github_json::String(issue, "title") == title && github_json::String(issue, "body") == body) {
    return github_json::String(issue, "html_url");
  }
  json request = {{"title", title}, {"body", body}};
  DATAMCP_ASSIGN_OR_RETURN(json updated, Call("PATCH", IssuePath(issue), &request));
  log::Info("github_drift_issue_updated",
            {{"number", github_json::Int(issue, "number")}, {"project", report.project}});
  return github_json::String(updated, "html_url");
}

Result<bool> GithubForge::ResolveDriftReport(const std::string& project,
                                             const std::string& commit) {
  if (project.empty()) return InvalidArgument("resolving a drift report needs a project");
  DATAMCP_ASSIGN_OR_RETURN(std::vector<json> issues, FindDriftIssues(project));
  for (const json& issue : issues) {
    DATAMCP_RETURN_IF_ERROR(CloseDriftIssue(issue, DriftResolvedComment(project, commit)));
  }
  return !issues.empty();
}

}  // namespace datamcp::forge
