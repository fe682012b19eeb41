// GithubForge::UpsertCheckRun: one check run per name on a commit, through GitHub's Checks API
// (which only GitHub Apps with `checks:write` may use; a token or an App without it gets 403).
#include <regex>

#include "gitops/common/log.h"
#include "gitops/forge/check_text.h"
#include "gitops/forge/comment_split.h"
#include "gitops/forge/github_forge.h"
#include "gitops/forge/github_json.h"

namespace datamcp::forge {
namespace {

using nlohmann::json;

// GitHub keeps a check's title short; ours is one line.
constexpr std::size_t kMaxTitleBytes = 1000;

Status CheckRunInput(const std::string& sha, const CheckRun& run) {
  static const std::regex kSha("^[0-9a-f]{40}$");
  if (!std::regex_match(sha, kSha)) {
    return InvalidArgument("a check run needs a 40-hex-digit commit id, not '" + sha + "'");
  }
  if (run.name.empty() || run.name.size() > 200 ||
      run.name.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgument("a check run needs a one-line name of at most 200 bytes");
  }
  if (run.summary.size() > kMaxCheckOutputBytes) {
    return InvalidArgument("check run '" + run.name + "': the summary is " +
                           std::to_string(run.summary.size()) + " bytes; the limit is " +
                           std::to_string(kMaxCheckOutputBytes));
  }
  return Status::Ok();
}

std::string OneLine(const std::string& s) {
  std::string out = s.substr(0, Utf8Floor(s, kMaxTitleBytes));
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

json Body(const CheckRun& run) {
  // text always, even empty: an update must not leave an earlier plan's text behind.
  json output = {{"title", OneLine(run.title.empty() ? run.name : run.title)},
                 {"summary", run.summary},
                 {"text", FenceCheckText(run.text)}};
  return {{"name", run.name},
          {"status", "completed"},
          {"conclusion", CheckConclusionName(run.conclusion)},
          {"output", output}};
}

}  // namespace

Result<std::string> GithubForge::UpsertCheckRun(const std::string& sha, const CheckRun& run) {
  DATAMCP_RETURN_IF_ERROR(CheckRunInput(sha, run));
  // The newest run of this name on the commit, if any: re-plans update it in place.
  DATAMCP_ASSIGN_OR_RETURN(json found, Call("GET", "/commits/" + sha + "/check-runs?check_name=" +
                                                       UrlEncode(run.name) + "&filter=latest"));
  long long id = 0;
  if (found.is_object() && found.contains("check_runs") && found["check_runs"].is_array()) {
    for (const json& c : found["check_runs"]) {
      if (github_json::String(c, "name") == run.name) {
        id = github_json::Int(c, "id");
        break;
      }
    }
  }
  json body = Body(run);
  json result;
  if (id > 0) {
    DATAMCP_ASSIGN_OR_RETURN(result, Call("PATCH", "/check-runs/" + std::to_string(id), &body));
  } else {
    body["head_sha"] = sha;
    DATAMCP_ASSIGN_OR_RETURN(result, Call("POST", "/check-runs", &body));
    log::Info("github_check_run_created", {{"name", run.name}, {"sha", sha}});
  }
  return github_json::String(result, "html_url");
}

}  // namespace datamcp::forge
