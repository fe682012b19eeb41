#include "gitops/forge/github_forge.h"

#include <map>
#include <regex>

#include "gitops/common/log.h"
#include "gitops/forge/github_json.h"

namespace datamcp::forge {
namespace {

using nlohmann::json;

template <typename T>
Result<std::vector<T>> ParseList(const json& list, Result<T> (*parse)(const json&)) {
  std::vector<T> out;
  for (const json& item : list) {
    DATAMCP_ASSIGN_OR_RETURN(T value, parse(item));
    out.push_back(std::move(value));
  }
  return out;
}

std::string Utf8Prefix(const std::string& s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string MarkerLine(std::string_view marker, std::size_t part) {
  return "<!-- " + std::string(marker) + " part " + std::to_string(part) + " -->\n";
}

// The part number of a bot comment for `marker`, or 0 when `body` is not one.
std::size_t PartOf(const std::string& body, std::string_view marker) {
  std::string prefix = "<!-- " + std::string(marker) + " part ";
  if (body.rfind(prefix, 0) != 0) return 0;
  std::size_t end = body.find(" -->\n", prefix.size());
  if (end == std::string::npos || end - prefix.size() > 6) return 0;
  std::string digits = body.substr(prefix.size(), end - prefix.size());
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoul(digits);
}

Status CheckCommentParts(std::string_view marker, const std::vector<std::string>& parts) {
  static const std::regex kMarker(R"(^[a-z0-9:._\-]{1,64}$)");
  if (!std::regex_match(std::string(marker), kMarker)) {
    return InvalidArgument("comment marker '" + std::string(marker) +
                           "' must match [a-z0-9:._-]{1,64}");
  }
  if (parts.empty()) return InvalidArgument("a bot comment needs at least one part");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size() > kMaxCommentPartBytes) {
      return InvalidArgument("comment part " + std::to_string(i + 1) + " is " +
                             std::to_string(parts[i].size()) + " bytes; the limit is " +
                             std::to_string(kMaxCommentPartBytes) + " (split it first)");
    }
  }
  return Status::Ok();
}

struct BotComments {
  std::map<std::size_t, json> parts;  // part number -> the first comment holding it
  std::vector<long long> surplus;     // duplicates and parts beyond the new count
};

BotComments FindBotComments(const json& comments, std::string_view marker, std::size_t count,
                            const std::string& bot_login) {
  BotComments bot;
  for (const json& c : comments) {
    std::size_t part = PartOf(github_json::String(c, "body"), marker);
    if (part == 0) continue;
    const json& user = c.is_object() && c.contains("user") ? c["user"] : json();
    if (!bot_login.empty() && github_json::String(user, "login") != bot_login) continue;
    if (part > count || bot.parts.count(part)) {
      bot.surplus.push_back(github_json::Int(c, "id"));
    } else {
      bot.parts[part] = c;
    }
  }
  return bot;
}

}  // namespace

Result<std::unique_ptr<GithubForge>> GithubForge::Create(const GithubForgeOptions& options,
                                                         const GithubAuth& auth, Clock& clock) {
  static const std::regex kRepo(R"(^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+$)");
  if (!std::regex_match(options.repository, kRepo)) {
    return InvalidArgument("forge.github_repository '" + options.repository +
                           "' is not of the form owner/name");
  }
  bool app =
      !auth.app_id.empty() || !auth.installation_id.empty() || !auth.app_private_key_pem.empty();
  if (app == !auth.token.empty()) {
    return InvalidArgument(
        "GitHub forge needs exactly one of forge.github_token or a GitHub App "
        "(forge.github_app_id, forge.github_installation_id, forge.github_app_private_key)");
  }
  std::unique_ptr<GithubForge> forge(new GithubForge(options));
  forge->repo_path_ = "/repos/" + options.repository;
  DATAMCP_ASSIGN_OR_RETURN(forge->http_, GithubHttp::Create(options.http, clock));
  if (app) {
    forge->app_id_ = auth.app_id;
    DATAMCP_ASSIGN_OR_RETURN(
        forge->tokens_, AppTokenSource::Create(*forge->http_, clock, auth.app_id,
                                               auth.installation_id, auth.app_private_key_pem));
  } else {
    forge->tokens_ = std::make_unique<StaticTokenSource>(auth.token);
  }
  return forge;
}

Result<std::unique_ptr<GithubForge>> GithubForge::FromConfig(const config::ForgeConfig& config,
                                                             Clock& clock) {
  GithubForgeOptions options;
  options.http.api_url = config.github_api_url;
  options.http.ca_file = config.ca_file;
  options.repository = config.github_repository;
  GithubAuth auth{config.github_token, config.github_app_id, config.github_installation_id,
                  config.github_app_private_key};
  return Create(options, auth, clock);
}

Result<json> GithubForge::Call(std::string_view method, const std::string& path, const json* body) {
  for (int attempt = 0;; ++attempt) {
    DATAMCP_ASSIGN_OR_RETURN(Secret token, tokens_->Token());
    Result<json> r = http_->Call(method, repo_path_ + path, body, token);
    if (r.ok() || r.status().code() != StatusCode::kUnauthenticated || attempt > 0 ||
        !tokens_->Invalidate()) {
      return r;
    }
  }
}

Result<json> GithubForge::CallRoot(std::string_view method, const std::string& path) {
  for (int attempt = 0;; ++attempt) {
    DATAMCP_ASSIGN_OR_RETURN(Secret token, tokens_->Token());
    Result<json> r = http_->Call(method, path, nullptr, token);
    if (r.ok() || r.status().code() != StatusCode::kUnauthenticated || attempt > 0 ||
        !tokens_->Invalidate()) {
      return r;
    }
  }
}

Result<json> GithubForge::GetAll(const std::string& path) {
  for (int attempt = 0;; ++attempt) {
    DATAMCP_ASSIGN_OR_RETURN(Secret token, tokens_->Token());
    Result<json> r = http_->GetAll(repo_path_ + path, token);
    if (r.ok() || r.status().code() != StatusCode::kUnauthenticated || attempt > 0 ||
        !tokens_->Invalidate()) {
      return r;
    }
  }
}

Result<std::vector<PullRequest>> GithubForge::FindOpen(const std::string& head,
                                                       const std::string& base) {
  std::string owner = options_.repository.substr(0, options_.repository.find('/'));
  DATAMCP_ASSIGN_OR_RETURN(json list, GetAll("/pulls?state=open&head=" + UrlEncode(owner) + ":" +
                                             UrlEncode(head) + "&base=" + UrlEncode(base)));
  return ParseList<PullRequest>(list, &github_json::ParsePullRequest);
}

Result<OpenedPullRequest> GithubForge::OpenOrReusePullRequest(const PullRequestDraft& draft) {
  if (draft.head_ref.empty() || draft.base_ref.empty() || draft.title.empty()) {
    return InvalidArgument("a pull request needs a head branch, a base branch and a title");
  }
  DATAMCP_ASSIGN_OR_RETURN(std::vector<PullRequest> open, FindOpen(draft.head_ref, draft.base_ref));
  if (open.empty()) {
    json body = {{"title", draft.title},
                 {"head", draft.head_ref},
                 {"base", draft.base_ref},
                 {"body", draft.body}};
    Result<json> created = Call("POST", "/pulls", &body);
    if (created.ok()) {
      DATAMCP_ASSIGN_OR_RETURN(PullRequest pr, github_json::ParsePullRequest(*created));
      log::Info("github_pull_request_opened", {{"number", pr.number}, {"head", pr.head_ref}});
      return OpenedPullRequest{std::move(pr), true};
    }
    // A concurrent writer may have opened it between our list and create.
    if (created.status().code() != StatusCode::kInvalidArgument) return created.status();
    DATAMCP_ASSIGN_OR_RETURN(open, FindOpen(draft.head_ref, draft.base_ref));
    if (open.empty()) return created.status();
  }
  PullRequest pr = std::move(open.front());
  if (pr.title != draft.title || pr.body != draft.body) {
    json body = {{"title", draft.title}, {"body", draft.body}};
    DATAMCP_ASSIGN_OR_RETURN(json updated,
                             Call("PATCH", "/pulls/" + std::to_string(pr.number), &body));
    DATAMCP_ASSIGN_OR_RETURN(pr, github_json::ParsePullRequest(updated));
  }
  return OpenedPullRequest{std::move(pr), false};
}

Result<PullRequest> GithubForge::GetPullRequest(int number) {
  DATAMCP_ASSIGN_OR_RETURN(json j, Call("GET", "/pulls/" + std::to_string(number)));
  return github_json::ParsePullRequest(j);
}

Result<std::vector<PullRequest>> GithubForge::ListOpenPullRequests() {
  DATAMCP_ASSIGN_OR_RETURN(json list, GetAll("/pulls?state=open&sort=created&direction=asc"));
  return ParseList<PullRequest>(list, &github_json::ParsePullRequest);
}

Result<std::string> GithubForge::UpsertBotComment(int number, std::string_view marker,
                                                  const std::vector<std::string>& parts) {
  DATAMCP_RETURN_IF_ERROR(CheckCommentParts(marker, parts));
  std::string issue = "/issues/" + std::to_string(number);
  DATAMCP_ASSIGN_OR_RETURN(json comments, GetAll(issue + "/comments"));
  BotComments bot = FindBotComments(comments, marker, parts.size(), options_.bot_login);
  std::string first_url;
  for (std::size_t i = 1; i <= parts.size(); ++i) {
    json body = {{"body", MarkerLine(marker, i) + parts[i - 1]}};
    json result;
    auto it = bot.parts.find(i);
    if (it == bot.parts.end()) {
      DATAMCP_ASSIGN_OR_RETURN(result, Call("POST", issue + "/comments", &body));
    } else if (github_json::String(it->second, "body") != body["body"]) {
      std::string path = "/issues/comments/" + std::to_string(github_json::Int(it->second, "id"));
      DATAMCP_ASSIGN_OR_RETURN(result, Call("PATCH", path, &body));
    } else {
      result = it->second;
    }
    if (i == 1) first_url = github_json::String(result, "html_url");
  }
  for (long long id : bot.surplus) {
    DATAMCP_RETURN_IF_ERROR(Call("DELETE", "/issues/comments/" + std::to_string(id)).status());
  }
  return first_url;
}

Status GithubForge::SetCommitStatus(const std::string& sha, const CommitState& state) {
  static const std::regex kSha("^[0-9a-f]{40}$");
  if (!std::regex_match(sha, kSha)) {
    return InvalidArgument("commit status needs a 40-hex-digit commit id, not '" + sha + "'");
  }
  if (state.context.empty()) return InvalidArgument("commit status needs a context");
  json body = {{"state", CommitStateKindName(state.state)},
               {"context", state.context},
               {"description", Utf8Prefix(state.description, 140)}};
  if (!state.target_url.empty()) body["target_url"] = state.target_url;
  return Call("POST", "/statuses/" + sha, &body).status();
}

Status GithubForge::ClosePullRequest(int number, const std::string& comment) {
  DATAMCP_ASSIGN_OR_RETURN(PullRequest pr, GetPullRequest(number));
  if (pr.state != PullRequestState::kOpen) {
    return FailedPrecondition("pull request #" + std::to_string(number) + " is not open");
  }
  std::string n = std::to_string(number);
  json note = {{"body", comment}};
  DATAMCP_RETURN_IF_ERROR(Call("POST", "/issues/" + n + "/comments", &note).status());
  json body = {{"state", "closed"}};
  return Call("PATCH", "/pulls/" + n, &body).status();
}

Result<std::vector<Review>> GithubForge::ListReviews(int number) {
  DATAMCP_ASSIGN_OR_RETURN(json list, GetAll("/pulls/" + std::to_string(number) + "/reviews"));
  return ParseList<Review>(list, &github_json::ParseReview);
}

Result<Permission> GithubForge::GetPermission(const std::string& user) {
  static const std::regex kLogin(R"(^[A-Za-z0-9](?:[A-Za-z0-9\-]{0,38})(?:\[bot\])?$)");
  if (!std::regex_match(user, kLogin)) {
    return InvalidArgument("'" + user + "' is not a GitHub login");
  }
  Result<json> j = Call("GET", "/collaborators/" + UrlEncode(user) + "/permission");
  if (!j.ok() && j.status().code() == StatusCode::kNotFound) return Permission::kNone;
  if (!j.ok()) return j.status();
  return github_json::ParsePermission(github_json::String(*j, "permission"));
}

Result<std::vector<PullRequestFile>> GithubForge::ListPullRequestFiles(int number) {
  DATAMCP_ASSIGN_OR_RETURN(json list, GetAll("/pulls/" + std::to_string(number) + "/files"));
  return ParseList<PullRequestFile>(list, &github_json::ParsePullRequestFile);
}

Status GithubForge::AddCommentReaction(long long comment_id, Reaction reaction) {
  if (comment_id <= 0) {
    return InvalidArgument("a reaction needs a comment id above 0, not " +
                           std::to_string(comment_id));
  }
  // GitHub answers 200 for a reaction the bot already gave and 201 for a new one.
  json body = {{"content", ReactionName(reaction)}};
  return Call("POST", "/issues/comments/" + std::to_string(comment_id) + "/reactions", &body)
      .status();
}

}  // namespace datamcp::forge
