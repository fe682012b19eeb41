#pragma once

#include <string>

#include "gitops/forge/forge.h"
#include "gitops/localforge/local_drift_reports.h"
#include "gitops/localforge/local_pr_store.h"

namespace datamcp::localforge {

// The embedded default forge: pull requests, comments, reviews and statuses are records in
// the GitOps repository itself (LocalPrStore). Humans review and merge with the CLI
// (`datamcp prs`, `review`, `merge`); everyone on the machine is treated as an admin of
// the repository, since the repository's files are theirs anyway. Thread-safe.
class LocalForge final : public forge::Forge {
 public:
  explicit LocalForge(LocalPrStore& store)
      : store_(store),
        drift_(store.repo_path(), store.clock(), store.identity().name, store.identity().email) {}

  Result<forge::OpenedPullRequest> OpenOrReusePullRequest(
      const forge::PullRequestDraft& draft) override;
  Result<forge::PullRequest> GetPullRequest(int number) override;
  Result<std::vector<forge::PullRequest>> ListOpenPullRequests() override;
  Result<std::string> UpsertBotComment(int number, std::string_view marker,
                                       const std::vector<std::string>& parts) override;
  Status SetCommitStatus(const std::string& sha, const forge::CommitState& state) override;
  // Recorded as a status of the pull request whose head is `sha` (context run.name, state
  // the conclusion, description the title), which `datamcp pr N` lists; returns "" (no page
  // of its own), so the plan text stays in the comment.
  Result<std::string> UpsertCheckRun(const std::string& sha, const forge::CheckRun& run) override;
  Result<std::vector<forge::Review>> ListReviews(int number) override;
  Result<forge::Permission> GetPermission(const std::string& user) override;
  Result<std::vector<forge::PullRequestFile>> ListPullRequestFiles(int number) override;
  // Local comments are never commands (humans use the CLI), so there is nothing to
  // acknowledge: does nothing and returns OK.
  Status AddCommentReaction(long long comment_id, forge::Reaction reaction) override;
  // Closed by the bot (closed_by "datamcp"), the comment kept in the record.
  Status ClosePullRequest(int number, const std::string& comment) override;
  // A LocalDriftReports record, which `datamcp prs` lists; returns "datamcp prs".
  Result<std::string> UpsertDriftReport(const forge::DriftReport& report) override;
  Result<bool> ResolveDriftReport(const std::string& project, const std::string& commit) override;

  // The comment author the bot writes as.
  static constexpr const char* kBotUser = "datamcp";

 private:
  // Replaces the status of status.context on status.sha in every record holding that commit.
  Status RecordStatus(const CommitStatus& status);

  LocalPrStore& store_;
  LocalDriftReports drift_;
};

forge::PullRequest ToForge(const PullRecord& record);
// The record's reviews as the forge reports them: each on the head it was given on (the
// record's head for reviews written before that was kept), with its time and fingerprints.
std::vector<forge::Review> ToForgeReviews(const PullRecord& record);

}  // namespace datamcp::localforge
