// LocalPrStore::Merge: the local forge's merge button.
#include <git2.h>

#include <algorithm>
#include <vector>

#include "gitops/common/record_text.h"
#include "gitops/git/git_ptr.h"
#include "gitops/localforge/local_pr_store.h"

namespace datamcp::localforge {
namespace {

using git::GitStatus;

Result<git::CommitPtr> LookupCommit(git_repository* repo, const std::string& ref) {
  git_oid id;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_reference_name_to_id(&id, repo, ref.c_str()), "resolve " + ref));
  git_commit* c = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&c, repo, &id), "commit of " + ref));
  return git::CommitPtr(c);
}

// What `gate` finds missing for merging `head_sha`, one item each; empty: mergeable.
Result<std::vector<std::string>> MissingForMerge(const PullRecord& pr, const std::string& head_sha,
                                                 const MergeGate& gate) {
  std::vector<std::string> missing;
  if (!gate.enforce) return missing;
  const CommitStatus* plan = nullptr;
  for (const auto& s : pr.statuses) {
    if (s.context == "datamcp/plan" && s.sha == head_sha) plan = &s;
  }
  std::string head = head_sha.substr(0, 12);
  if (!plan) {
    missing.push_back("the plan check has not run on head " + head +
                      " (wait for the server to plan it)");
  } else if (plan->state != "success") {
    missing.push_back("the plan check is " + plan->state + " on head " + head + ": " +
                      FirstLineOf(plan->description));
  }
  int approvals = 0;
  for (const auto& user : pr.Approvers()) approvals += user != pr.author ? 1 : 0;
  if (approvals < gate.required_approvals) {
    missing.push_back(std::to_string(approvals) + " of " + std::to_string(gate.required_approvals) +
                      " approval(s) by someone other than the author (`datamcp review " +
                      std::to_string(pr.number) + " --approve --as USER`)");
  }
  if (gate.more) {
    DATAMCP_ASSIGN_OR_RETURN(std::vector<std::string> more, gate.more(pr, head_sha));
    missing.insert(missing.end(), more.begin(), more.end());
  }
  return missing;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

// Creates the merge commit of `head` into `base` and moves the base branch from exactly
// `base`'s commit. Returns the merge commit id.
Result<std::string> MergeInto(git_repository* repo, const PullRecord& pr, git_commit* base,
                              git_commit* head, const git_signature* sig,
                              const std::string& merged_by, const std::string& forced) {
  git_index* raw_index = nullptr;
  git_merge_options opts = GIT_MERGE_OPTIONS_INIT;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_merge_commits(&raw_index, repo, base, head, &opts), "merge"));
  git::IndexPtr index(raw_index);
  if (git_index_has_conflicts(index.get())) {
    return FailedPrecondition("pull request #" + std::to_string(pr.number) + " conflicts with " +
                              pr.base_ref + " in: " + git::ConflictPaths(index.get()) +
                              "; update the branch and retry");
  }
  git_oid tree_id;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_index_write_tree_to(&tree_id, index.get(), repo), "merge tree"));
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&t, repo, &tree_id), "merge tree"));
  git::TreePtr tree(t);
  std::string message = "Merge pull request #" + std::to_string(pr.number) + " from " +
                        pr.head_ref + "\n\n" + FirstLineOf(pr.title) +
                        "\n\nDatamcp-Pull-Request: " + std::to_string(pr.number) +
                        "\nDatamcp-Merged-By: " + merged_by + "\n" +
                        (forced.empty() ? "" : "Datamcp-Forced-Merge: " + forced + "\n");
  const git_commit* parents[] = {base, head};
  git_oid merge_id;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_create(&merge_id, repo, nullptr, sig, sig, nullptr,
                                                      message.c_str(), tree.get(), 2, parents),
                                    "merge commit"));
  git_reference* ref = nullptr;
  std::string base_ref = "refs/heads/" + pr.base_ref;
  int rc = git_reference_create_matching(&ref, repo, base_ref.c_str(), &merge_id, 1,
                                         git_commit_id(base), message.c_str());
  git::ReferencePtr owned(ref);
  if (rc == GIT_EMODIFIED || rc == GIT_ELOCKED) return Conflict(base_ref + " moved");
  DATAMCP_RETURN_IF_ERROR(GitStatus(rc, "update " + base_ref));
  return std::string(git_oid_tostr_s(&merge_id));
}

// The diff of a pull request: from the merge base of its base and head, to its head. The
// repository comes first so that it outlives the diff.
struct PrDiff {
  git::RepositoryPtr repo;
  git::DiffPtr diff;
};

Result<PrDiff> DiffOf(const std::string& repo_path, const PullRecord& pr) {
  git_repository* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_repository_open_bare(&raw, repo_path.c_str()), "open"));
  git::RepositoryPtr repo(raw);
  git_oid head_id, base_id, merge_base;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_oid_fromstr(&head_id, pr.head_sha.c_str()), "head"));
  std::string base_ref = pr.merged ? pr.merge_commit_sha + "^1" : "refs/heads/" + pr.base_ref;
  git_object* base_obj = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_revparse_single(&base_obj, repo.get(), base_ref.c_str()), base_ref));
  git_oid_cpy(&base_id, git_object_id(base_obj));
  git_object_free(base_obj);
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_merge_base(&merge_base, repo.get(), &base_id, &head_id), "merge base"));
  auto tree_of = [&](const git_oid* id) -> Result<git::TreePtr> {
    git_commit* c = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&c, repo.get(), id), "commit"));
    git::CommitPtr commit(c);
    git_tree* t = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&t, commit.get()), "tree"));
    return git::TreePtr(t);
  };
  DATAMCP_ASSIGN_OR_RETURN(git::TreePtr old_tree, tree_of(&merge_base));
  DATAMCP_ASSIGN_OR_RETURN(git::TreePtr new_tree, tree_of(&head_id));
  git_diff* d = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_diff_tree_to_tree(&d, repo.get(), old_tree.get(), new_tree.get(), nullptr), "diff"));
  return PrDiff{std::move(repo), git::DiffPtr(d)};
}

}  // namespace

Result<PullRecord> LocalPrStore::Merge(int number, const std::string& merged_by,
                                       const MergeGate& gate) {
  DATAMCP_ASSIGN_OR_RETURN(PullRecord pr, Get(number));
  if (pr.merged)
    return FailedPrecondition("pull request #" + std::to_string(number) + " is already merged");
  if (pr.state != "open")
    return FailedPrecondition("pull request #" + std::to_string(number) + " is closed");
  static const int init = git_libgit2_init();
  (void)init;
  git_repository* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_repository_open_bare(&raw, repo_path_.c_str()), "open"));
  git::RepositoryPtr repo(raw);
  git_signature* s = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_signature_new(&s, identity_.name.c_str(), identity_.email.c_str(),
                                  clock_.UnixSeconds(), 0),
                "signature"));
  git::SignaturePtr sig(s);
  Result<std::string> merge_id = Conflict("not attempted");
  std::string head_sha, forced;
  for (int attempt = 0; attempt < 10 && !merge_id.ok(); ++attempt) {
    DATAMCP_ASSIGN_OR_RETURN(git::CommitPtr base,
                             LookupCommit(repo.get(), "refs/heads/" + pr.base_ref));
    DATAMCP_ASSIGN_OR_RETURN(git::CommitPtr head,
                             LookupCommit(repo.get(), "refs/heads/" + pr.head_ref));
    head_sha = git_oid_tostr_s(git_commit_id(head.get()));
    DATAMCP_ASSIGN_OR_RETURN(std::vector<std::string> missing, MissingForMerge(pr, head_sha, gate));
    if (!missing.empty() && !gate.force) {
      return FailedPrecondition("pull request #" + std::to_string(number) +
                                " cannot be merged yet: " + Join(missing, "; ") +
                                ". Fix that, or merge with --force (recorded as forced)");
    }
    forced = Join(missing, "; ");
    merge_id = MergeInto(repo.get(), pr, base.get(), head.get(), sig.get(), merged_by, forced);
    if (!merge_id.ok() && merge_id.status().code() != StatusCode::kConflict) {
      return merge_id.status();
    }
  }
  if (!merge_id.ok()) return merge_id.status();
  return Update(number, "merge", [&](PullRecord& r) {
    r.state = "closed";
    r.merged = true;
    r.merge_commit_sha = *merge_id;
    r.head_sha = head_sha;
    r.merged_by = merged_by;
    if (!forced.empty()) {
      long long id = 1;
      for (const auto& c : r.comments) id = std::max(id, c.id + 1);
      r.comments.push_back(
          {id, merged_by, "Merged with --force, bypassing: " + forced, clock_.UnixSeconds()});
    }
    return Status::Ok();
  });
}

Result<std::vector<std::pair<std::string, std::string>>> LocalPrStore::ChangedFiles(
    int number) const {
  DATAMCP_ASSIGN_OR_RETURN(PullRecord pr, Get(number));
  DATAMCP_ASSIGN_OR_RETURN(PrDiff pr_diff, DiffOf(repo_path_, pr));
  git::DiffPtr& diff = pr_diff.diff;
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    std::string status = delta->status == GIT_DELTA_ADDED     ? "added"
                         : delta->status == GIT_DELTA_DELETED ? "removed"
                                                              : "modified";
    out.emplace_back(
        delta->status == GIT_DELTA_DELETED ? delta->old_file.path : delta->new_file.path, status);
  }
  return out;
}

Result<std::string> LocalPrStore::Diff(int number) const {
  DATAMCP_ASSIGN_OR_RETURN(PullRecord pr, Get(number));
  DATAMCP_ASSIGN_OR_RETURN(PrDiff pr_diff, DiffOf(repo_path_, pr));
  git_buf buf = GIT_BUF_INIT;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_diff_to_buf(&buf, pr_diff.diff.get(), GIT_DIFF_FORMAT_PATCH), "format the diff"));
  std::string text(buf.ptr ? buf.ptr : "", buf.size);
  git_buf_dispose(&buf);
  return text;
}

}  // namespace datamcp::localforge
