#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/config/config.h"
#include "gitops/forge/forge.h"
#include "gitops/forge/github_app_token.h"
#include "gitops/forge/github_http.h"

namespace datamcp::forge {

struct GithubForgeOptions {
  GithubHttpOptions http;
  std::string repository;  // owner/name
  // When set, only comments by this login count as the bot's (recommended with a token;
  // a GitHub App comments as "<app-slug>[bot]"). Empty: the hidden marker alone decides.
  std::string bot_login;
};

// Exactly one of: a token, or a GitHub App (id, installation id, private key PEM).
struct GithubAuth {
  Secret token;
  std::string app_id;
  std::string installation_id;
  Secret app_private_key_pem;
};

// The Forge on GitHub's REST API (github.com or GitHub Enterprise Server through
// options.http.api_url). Retries, rate limits and pagination are GithubHttp's; a 401 with a
// GitHub App token drops the cached token and retries once. Thread-safe.
class GithubForge final : public Forge {
 public:
  // Validates options and auth (InvalidArgument naming the bad field); makes no request.
  static Result<std::unique_ptr<GithubForge>> Create(const GithubForgeOptions& options,
                                                     const GithubAuth& auth, Clock& clock);
  // The same from the process configuration (forge.*).
  static Result<std::unique_ptr<GithubForge>> FromConfig(const config::ForgeConfig& config,
                                                         Clock& clock);

  Result<OpenedPullRequest> OpenOrReusePullRequest(const PullRequestDraft& draft) override;
  Result<PullRequest> GetPullRequest(int number) override;
  Result<std::vector<PullRequest>> ListOpenPullRequests() override;
  Result<std::string> UpsertBotComment(int number, std::string_view marker,
                                       const std::vector<std::string>& parts) override;
  Status SetCommitStatus(const std::string& sha, const CommitState& state) override;
  // In github_checks.cc.
  Result<std::string> UpsertCheckRun(const std::string& sha, const CheckRun& run) override;
  Result<std::vector<Review>> ListReviews(int number) override;
  Result<Permission> GetPermission(const std::string& user) override;
  Result<std::vector<PullRequestFile>> ListPullRequestFiles(int number) override;
  Status AddCommentReaction(long long comment_id, Reaction reaction) override;
  Status ClosePullRequest(int number, const std::string& comment) override;
  // In github_drift.cc: one issue per project, labelled kDriftIssueLabel, its body starting
  // with the project's hidden marker. An issue counts as the bot's only when the bot wrote
  // it: its author is bot_login when set, else (a token) the login GET /user names, or (a
  // GitHub App) it was performed via this App.
  Result<std::string> UpsertDriftReport(const DriftReport& report) override;
  Result<bool> ResolveDriftReport(const std::string& project, const std::string& commit) override;

 private:
  explicit GithubForge(const GithubForgeOptions& options) : options_(options) {}
  // `path` relative to /repos/{owner}/{name}.
  Result<nlohmann::json> Call(std::string_view method, const std::string& path,
                              const nlohmann::json* body = nullptr);
  // `path` relative to the API root ("/user").
  Result<nlohmann::json> CallRoot(std::string_view method, const std::string& path);
  // The open drift issues of `project` the bot wrote, oldest first.
  Result<std::vector<nlohmann::json>> FindDriftIssues(const std::string& project);
  // Comments `comment` on a drift issue and closes it as completed.
  Status CloseDriftIssue(const nlohmann::json& issue, const std::string& comment);
  // Whether the bot wrote `issue` (see UpsertDriftReport).
  Result<bool> WroteIssue(const nlohmann::json& issue);
  Result<nlohmann::json> GetAll(const std::string& path);
  Result<std::vector<PullRequest>> FindOpen(const std::string& head, const std::string& base);

  GithubForgeOptions options_;
  std::string repo_path_;  // "/repos/owner/name"
  std::unique_ptr<GithubHttp> http_;
  std::unique_ptr<TokenSource> tokens_;
  std::string app_id_;  // set for a GitHub App
  std::mutex self_mu_;
  std::string self_login_;  // GET /user's login, once asked (token auth); guarded by self_mu_
};

}  // namespace datamcp::forge
