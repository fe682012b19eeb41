#include "gitops/localforge/local_forge.h"

#include <algorithm>

namespace datamcp::localforge {

forge::PullRequest ToForge(const PullRecord& r) {
  forge::PullRequest pr;
  pr.number = r.number;
  pr.title = r.title;
  pr.body = r.body;
  pr.head_ref = r.head_ref;
  pr.head_sha = r.head_sha;
  pr.base_ref = r.base_ref;
  pr.state = r.state == "open" ? forge::PullRequestState::kOpen : forge::PullRequestState::kClosed;
  pr.merged = r.merged;
  pr.merge_commit_sha = r.merge_commit_sha;
  pr.mergeable = true;
  pr.author = r.author;
  pr.merged_by = r.merged_by;
  pr.html_url = "datamcp pr " + std::to_string(r.number);
  return pr;
}

Result<forge::OpenedPullRequest> LocalForge::OpenOrReusePullRequest(
    const forge::PullRequestDraft& draft) {
  DATAMCP_ASSIGN_OR_RETURN(auto open, store_.List(true));
  for (const auto& r : open) {
    if (r.head_ref == draft.head_ref && r.base_ref == draft.base_ref) {
      return forge::OpenedPullRequest{ToForge(r), false};
    }
  }
  DATAMCP_ASSIGN_OR_RETURN(PullRecord created, store_.Open(draft.head_ref, draft.base_ref,
                                                           draft.title, draft.body, kBotUser));
  return forge::OpenedPullRequest{ToForge(created), true};
}

Result<forge::PullRequest> LocalForge::GetPullRequest(int number) {
  DATAMCP_ASSIGN_OR_RETURN(PullRecord r, store_.Get(number));
  return ToForge(r);
}

Result<std::vector<forge::PullRequest>> LocalForge::ListOpenPullRequests() {
  DATAMCP_ASSIGN_OR_RETURN(auto open, store_.List(true));
  std::vector<forge::PullRequest> out;
  for (const auto& r : open) out.push_back(ToForge(r));
  return out;
}

Result<std::string> LocalForge::UpsertBotComment(int number, std::string_view marker,
                                                 const std::vector<std::string>& parts) {
  if (parts.empty()) return InvalidArgument("parts: at least one comment part is needed");
  for (const auto& p : parts) {
    if (p.size() > forge::kMaxCommentPartBytes) {
      return InvalidArgument("parts: a part is larger than " +
                             std::to_string(forge::kMaxCommentPartBytes) + " bytes");
    }
  }
  const std::string tag = "<!-- " + std::string(marker) + " -->";
  DATAMCP_RETURN_IF_ERROR(
      store_
          .Update(number, "comment",
                  [&](PullRecord& r) {
                    std::erase_if(r.comments, [&](const Comment& c) {
                      return c.author == kBotUser && c.body.starts_with(tag);
                    });
                    long long id = 1;
                    for (const auto& c : r.comments) id = std::max(id, c.id + 1);
                    for (const auto& part : parts) {
                      r.comments.push_back({id++, kBotUser, tag + "\n" + part, r.updated_at});
                    }
                    return Status::Ok();
                  })
          .status());
  return "datamcp pr " + std::to_string(number);
}

Status LocalForge::SetCommitStatus(const std::string& sha, const forge::CommitState& state) {
  return RecordStatus({sha, state.context, std::string(forge::CommitStateKindName(state.state)),
                       state.description});
}

Result<std::string> LocalForge::UpsertCheckRun(const std::string& sha, const forge::CheckRun& run) {
  if (run.name.empty()) return InvalidArgument("a check run needs a name");
  std::string title = run.title;
  for (char& c : title) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  DATAMCP_RETURN_IF_ERROR(RecordStatus(
      {sha, run.name, std::string(forge::CheckConclusionName(run.conclusion)), title}));
  return std::string();  // no page of its own: the plan text stays in the comment
}

Status LocalForge::RecordStatus(const CommitStatus& status) {
  DATAMCP_ASSIGN_OR_RETURN(auto all, store_.List(false));
  for (const auto& r : all) {
    if (r.head_sha != status.sha && r.merge_commit_sha != status.sha) continue;
    DATAMCP_RETURN_IF_ERROR(store_
                                .Update(r.number, "status",
                                        [&](PullRecord& rec) {
                                          std::erase_if(rec.statuses, [&](const CommitStatus& s) {
                                            return s.sha == status.sha &&
                                                   s.context == status.context;
                                          });
                                          rec.statuses.push_back(status);
                                          return Status::Ok();
                                        })
                                .status());
  }
  return Status::Ok();
}

std::vector<forge::Review> ToForgeReviews(const PullRecord& r) {
  std::vector<forge::Review> out;
  for (const auto& review : r.reviews) {
    forge::ReviewState state = review.state == "APPROVED" ? forge::ReviewState::kApproved
                               : review.state == "CHANGES_REQUESTED"
                                   ? forge::ReviewState::kChangesRequested
                                   : forge::ReviewState::kCommented;
    out.push_back({review.user, state, review.head_sha.empty() ? r.head_sha : review.head_sha,
                   review.at, review.fingerprints});
  }
  return out;
}

Result<std::vector<forge::Review>> LocalForge::ListReviews(int number) {
  DATAMCP_ASSIGN_OR_RETURN(PullRecord r, store_.Get(number));
  return ToForgeReviews(r);
}

Result<forge::Permission> LocalForge::GetPermission(const std::string&) {
  return forge::Permission::kAdmin;
}

Result<std::vector<forge::PullRequestFile>> LocalForge::ListPullRequestFiles(int number) {
  DATAMCP_ASSIGN_OR_RETURN(auto changed, store_.ChangedFiles(number));
  std::vector<forge::PullRequestFile> out;
  for (const auto& [path, status] : changed) out.push_back({path, "", status});
  return out;
}

Status LocalForge::AddCommentReaction(long long, forge::Reaction) { return Status::Ok(); }

Status LocalForge::ClosePullRequest(int number, const std::string& comment) {
  return store_
      .Update(
          number, "close",
          [&](PullRecord& r) {
            if (r.state != "open") {
              return FailedPrecondition("pull request #" + std::to_string(number) + " is not open");
            }
            r.state = "closed";
            r.closed_by = kBotUser;
            long long id = 1;
            for (const auto& c : r.comments) id = std::max(id, c.id + 1);
            r.comments.push_back({id, kBotUser, comment, r.updated_at});
            return Status::Ok();
          })
      .status();
}

Result<std::string> LocalForge::UpsertDriftReport(const forge::DriftReport& report) {
  DATAMCP_RETURN_IF_ERROR(drift_.Upsert(report).status());
  return std::string("datamcp prs");
}

Result<bool> LocalForge::ResolveDriftReport(const std::string& project, const std::string& commit) {
  return drift_.Resolve(project, commit);
}

}  // namespace datamcp::localforge
