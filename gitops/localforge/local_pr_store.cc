#include "gitops/localforge/local_pr_store.h"

#include <git2.h>

#include <map>
#include <mutex>

#include "gitops/common/json_parse.h"
#include "gitops/common/record_text.h"
#include "gitops/git/git_ptr.h"

namespace datamcp::localforge {
namespace {

using git::GitStatus;
constexpr int kMaxAttempts = 20;

// Writers in this process take turns per repository; compare-and-swap still guards against
// writers in other processes (the human CLI), which are rare enough for plain retries.
std::mutex& WriterMutex(const std::string& repo_path) {
  static std::mutex registry_mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard lock(registry_mu);
  auto& mu = mutexes[repo_path];
  if (!mu) mu = std::make_unique<std::mutex>();
  return *mu;
}

struct Snapshot {
  git_oid commit{};
  bool exists = false;
  std::map<int, PullRecord> prs;
};

Result<git::RepositoryPtr> OpenRepo(const std::string& path) {
  static const int init = git_libgit2_init();
  (void)init;
  git_repository* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_repository_open_bare(&raw, path.c_str()), "open repository " + path));
  return git::RepositoryPtr(raw);
}

Result<Snapshot> ReadSnapshot(git_repository* repo) {
  Snapshot snap;
  int rc = git_reference_name_to_id(&snap.commit, repo, LocalPrStore::kRef);
  if (rc == GIT_ENOTFOUND) return snap;
  DATAMCP_RETURN_IF_ERROR(GitStatus(rc, "read " + std::string(LocalPrStore::kRef)));
  snap.exists = true;
  git_commit* c = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&c, repo, &snap.commit), "forge commit"));
  git::CommitPtr commit(c);
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&t, commit.get()), "forge tree"));
  git::TreePtr tree(t);
  git_tree_entry* e = nullptr;
  if (git_tree_entry_bypath(&e, tree.get(), "prs") != 0) return snap;
  git::TreeEntryPtr prs_entry(e);
  git_tree* pt = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_tree_lookup(&pt, repo, git_tree_entry_id(prs_entry.get())), "prs tree"));
  git::TreePtr prs(pt);
  for (size_t i = 0; i < git_tree_entrycount(prs.get()); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(prs.get(), i);
    git_blob* b = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_blob_lookup(&b, repo, git_tree_entry_id(entry)), "pr"));
    git::BlobPtr blob(b);
    std::string text(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     git_blob_rawsize(blob.get()));
    auto j = ParseJsonOrDiscarded(text);
    DATAMCP_ASSIGN_OR_RETURN(PullRecord pr, PullRecordFromJson(j));
    // An open pull request's head is its branch, wherever it moved since the record was
    // written (a push, a refresh): the plan, the statuses and the merge gate follow it.
    git_oid tip;
    if (pr.state == "open" &&
        git_reference_name_to_id(&tip, repo, ("refs/heads/" + pr.head_ref).c_str()) == 0) {
      pr.head_sha = git_oid_tostr_s(&tip);
    }
    snap.prs[pr.number] = std::move(pr);
  }
  return snap;
}

Result<git::SignaturePtr> Signature(const LocalPrStore::Identity& id, const Clock& clock) {
  git_signature* s = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_signature_new(&s, id.name.c_str(), id.email.c_str(), clock.UnixSeconds(), 0),
                "signature"));
  return git::SignaturePtr(s);
}

// Writes `pr` into a new forge commit on top of `snap` and moves the ref if nobody else
// did meanwhile. Conflict means: read again and retry.
Status WriteRecord(git_repository* repo, const Snapshot& snap, const PullRecord& pr,
                   const std::string& message, const git_signature* sig) {
  std::string text = ToJson(pr).dump(2) + "\n";
  git_oid blob_id;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_blob_create_from_buffer(&blob_id, repo, text.data(), text.size()), "blob"));
  git::CommitPtr parent;
  git::TreePtr base_tree;
  if (snap.exists) {
    git_commit* c = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&c, repo, &snap.commit), "parent"));
    parent.reset(c);
    git_tree* t = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&t, parent.get()), "parent tree"));
    base_tree.reset(t);
  }
  std::string path = "prs/" + std::to_string(pr.number) + ".json";
  git_tree_update update{GIT_TREE_UPDATE_UPSERT, blob_id, GIT_FILEMODE_BLOB, path.c_str()};
  git_oid tree_id;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_tree_create_updated(&tree_id, repo, base_tree.get(), 1, &update), "forge tree"));
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&t, repo, &tree_id), "forge tree"));
  git::TreePtr tree(t);
  const git_commit* parents[] = {parent.get()};
  git_oid commit_id;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_commit_create(&commit_id, repo, nullptr, sig, sig, nullptr, message.c_str(),
                                  tree.get(), snap.exists ? 1 : 0, parents),
                "forge commit"));
  git_reference* ref = nullptr;
  int rc = snap.exists ? git_reference_create_matching(&ref, repo, LocalPrStore::kRef, &commit_id,
                                                       1, &snap.commit, message.c_str())
                       : git_reference_create(&ref, repo, LocalPrStore::kRef, &commit_id, 0,
                                              message.c_str());
  git::ReferencePtr owned(ref);
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
    return Conflict("forge ref moved");
  }
  return GitStatus(rc, "update " + std::string(LocalPrStore::kRef));
}

}  // namespace

LocalPrStore::LocalPrStore(std::string repo_path, const Clock& clock, Identity identity)
    : repo_path_(std::move(repo_path)), clock_(clock), identity_(std::move(identity)) {}

Result<PullRecord> LocalPrStore::Open(const std::string& head_ref, const std::string& base_ref,
                                      const std::string& title, const std::string& body,
                                      const std::string& author) {
  DATAMCP_RETURN_IF_ERROR(CheckRecordTitle("the pull request title", title));
  DATAMCP_ASSIGN_OR_RETURN(git::RepositoryPtr repo, OpenRepo(repo_path_));
  git_oid head;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_reference_name_to_id(&head, repo.get(), ("refs/heads/" + head_ref).c_str()),
                "pull request head branch '" + head_ref + "'"));
  DATAMCP_ASSIGN_OR_RETURN(git::SignaturePtr sig, Signature(identity_, clock_));
  std::lock_guard writer(WriterMutex(repo_path_));
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    DATAMCP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot(repo.get()));
    for (const auto& [n, pr] : snap.prs) {
      if (pr.state == "open" && pr.head_ref == head_ref) return pr;
    }
    PullRecord pr;
    pr.number = snap.prs.empty() ? 1 : snap.prs.rbegin()->first + 1;
    pr.title = title;
    pr.body = body;
    pr.head_ref = head_ref;
    pr.head_sha = git_oid_tostr_s(&head);
    pr.base_ref = base_ref;
    pr.author = author;
    pr.created_at = pr.updated_at = clock_.UnixSeconds();
    Status s = WriteRecord(repo.get(), snap, pr,
                           "open #" + std::to_string(pr.number) + ": " + title, sig.get());
    if (s.ok()) return pr;
    if (s.code() != StatusCode::kConflict) return s;
  }
  return Conflict("could not open the pull request: the forge ref kept moving; retry");
}

Result<PullRecord> LocalPrStore::Get(int number) const {
  DATAMCP_ASSIGN_OR_RETURN(git::RepositoryPtr repo, OpenRepo(repo_path_));
  DATAMCP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot(repo.get()));
  auto it = snap.prs.find(number);
  if (it == snap.prs.end()) {
    return NotFound("pull request #" + std::to_string(number) +
                    " does not exist; `datamcp prs --all` lists them");
  }
  return it->second;
}

Result<std::vector<PullRecord>> LocalPrStore::List(bool open_only) const {
  DATAMCP_ASSIGN_OR_RETURN(git::RepositoryPtr repo, OpenRepo(repo_path_));
  DATAMCP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot(repo.get()));
  std::vector<PullRecord> out;
  for (auto& [n, pr] : snap.prs) {
    if (!open_only || pr.state == "open") out.push_back(pr);
  }
  return out;
}

Result<PullRecord> LocalPrStore::Update(int number, const std::string& action,
                                        const std::function<Status(PullRecord&)>& mutate) {
  DATAMCP_ASSIGN_OR_RETURN(git::RepositoryPtr repo, OpenRepo(repo_path_));
  DATAMCP_ASSIGN_OR_RETURN(git::SignaturePtr sig, Signature(identity_, clock_));
  std::lock_guard writer(WriterMutex(repo_path_));
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    DATAMCP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot(repo.get()));
    auto it = snap.prs.find(number);
    if (it == snap.prs.end()) {
      return NotFound("pull request #" + std::to_string(number) + " does not exist");
    }
    PullRecord pr = it->second;
    DATAMCP_RETURN_IF_ERROR(mutate(pr));
    pr.updated_at = clock_.UnixSeconds();
    Status s = WriteRecord(repo.get(), snap, pr, action + " #" + std::to_string(number), sig.get());
    if (s.ok()) return pr;
    if (s.code() != StatusCode::kConflict) return s;
  }
  return Conflict("could not update pull request #" + std::to_string(number) +
                  ": the forge ref kept moving; retry");
}

}  // namespace datamcp::localforge
