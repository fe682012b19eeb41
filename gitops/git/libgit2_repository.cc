#include "gitops/git/libgit2_repository.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "gitops/common/log.h"
#include "gitops/common/repo_path.h"
#include "gitops/git/objects.h"
#include "gitops/git/remote_session.h"
#include "gitops/git/tree_read.h"

namespace datamcp::git {

Libgit2Repository::Libgit2Repository(Libgit2RepositoryOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  EnsureLibgit2();
}

Libgit2Repository::~Libgit2Repository() = default;

Result<Libgit2Repository::Lease> Libgit2Repository::Acquire() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!pool_.empty()) {
      Handle repo = std::move(pool_.back());
      pool_.pop_back();
      return Lease(this, std::move(repo));
    }
  }
  git_repository* raw = nullptr;
  int rc = git_repository_open_bare(&raw, options_.mirror_path.c_str());
  if (rc < 0) {
    return FailedPrecondition("the git mirror at '" + options_.mirror_path +
                              "' cannot be opened (" + GitStatus(rc, "open").message() +
                              "); call Mirror() first");
  }
  return Lease(this, Handle(raw));
}

void Libgit2Repository::HandleFree::operator()(git_repository* repo) const {
  git_repository_free(repo);
}

void Libgit2Repository::Release(Handle repo) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.size() < options_.max_pooled_handles) pool_.push_back(std::move(repo));
}

namespace {

// Where the mirror keeps the remote's branches (its config says the same, for `git` users).
constexpr const char* kBranchesRefspec = "+refs/heads/*:refs/remotes/origin/*";

Status InitMirror(const std::string& path, const std::string& url, const std::string& notes_ref) {
  std::string tmp = path + ".init-" + std::to_string(getpid());
  std::error_code ec;
  std::filesystem::remove_all(tmp, ec);
  git_repository* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_repository_init(&raw, tmp.c_str(), 1), "init mirror " + tmp));
  RepositoryPtr repo(raw);
  git_remote* remote = nullptr;
  Status s = GitStatus(git_remote_create_with_fetchspec(&remote, repo.get(), "origin", url.c_str(),
                                                        kBranchesRefspec),
                       "configure remote");
  RemotePtr remote_ptr(remote);
  std::string notes_spec = "+" + notes_ref + ":" + notes_ref;
  if (s.ok()) {
    s = GitStatus(git_remote_add_fetch(repo.get(), "origin", notes_spec.c_str()),
                  "add notes refspec");
  }
  repo.reset();
  if (s.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Internal("cannot move the new mirror to '" + path + "': " + std::strerror(errno));
  }
  if (!s.ok()) std::filesystem::remove_all(tmp, ec);
  return s;
}

}  // namespace

Status Libgit2Repository::Mirror() {
  if (options_.remote.url.empty())
    return InvalidArgument("the remote url is empty; set repository.url");
  {
    std::lock_guard<std::mutex> lock(fetch_mu_);
    git_repository* raw = nullptr;
    if (git_repository_open_bare(&raw, options_.mirror_path.c_str()) == 0) {
      RepositoryPtr repo(raw);
      DATAMCP_RETURN_IF_ERROR(GitStatus(
          git_remote_set_url(repo.get(), "origin", options_.remote.url.c_str()), "set remote url"));
    } else {
      std::error_code ec;
      if (std::filesystem::exists(options_.mirror_path, ec) &&
          !std::filesystem::is_empty(options_.mirror_path, ec)) {
        return FailedPrecondition(
            "'" + options_.mirror_path +
            "' exists but is not a git mirror; remove it or pick another work_dir");
      }
      std::filesystem::remove(options_.mirror_path, ec);
      DATAMCP_RETURN_IF_ERROR(
          InitMirror(options_.mirror_path, options_.remote.url, options_.notes_ref));
    }
  }
  return Fetch();
}

Status Libgit2Repository::Fetch() {
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  return FetchRefspecs(lease.get(), {}, true);
}

Status Libgit2Repository::FetchRefspecs(git_repository* repo,
                                        const std::vector<std::string>& refspecs, bool prune) {
  std::lock_guard<std::mutex> lock(fetch_mu_);
  DATAMCP_ASSIGN_OR_RETURN(RemotePtr remote, OpenRemote(repo, options_.remote.url));
  RemoteSession session(options_.remote);
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  session.Fill(&opts.callbacks);
  opts.prune = prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  opts.update_fetchhead = 0;
  const std::vector<std::string> mirror = {kBranchesRefspec,
                                           "+" + options_.notes_ref + ":" + options_.notes_ref};
  std::vector<const char*> specs;
  for (const std::string& s : refspecs.empty() ? mirror : refspecs) specs.push_back(s.c_str());
  git_strarray arr = {const_cast<char**>(specs.data()), specs.size()};
  int rc = git_remote_fetch(remote.get(), &arr, &opts, nullptr);
  if (rc < 0) return session.Error(rc, "fetch from " + RedactUrl(options_.remote.url));
  return Status::Ok();
}

Result<std::string> Libgit2Repository::ResolveIn(git_repository* repo, const std::string& ref) {
  if (ref.size() == GIT_OID_HEXSZ &&
      ref.find_first_not_of("0123456789abcdef") == std::string::npos) {
    DATAMCP_ASSIGN_OR_RETURN(CommitPtr c, LookupCommit(repo, ref, kInMirror));
    return OidHex(*git_commit_id(c.get()));
  }
  std::vector<std::string> candidates;
  if (ref.rfind("refs/", 0) == 0) {
    candidates.push_back(ref);
  } else {
    candidates.push_back("refs/remotes/origin/" + ref);
  }
  for (const std::string& name : candidates) {
    int valid = 0;
    if (git_reference_name_is_valid(&valid, name.c_str()) < 0 || !valid) {
      return InvalidArgument("'" + ref + "' is not a valid branch or ref name");
    }
    git_reference* raw = nullptr;
    if (git_reference_lookup(&raw, repo, name.c_str()) < 0) continue;
    ReferencePtr reference(raw);
    git_object* obj = nullptr;
    DATAMCP_RETURN_IF_ERROR(
        GitStatus(git_reference_peel(&obj, reference.get(), GIT_OBJECT_COMMIT), "peel " + name));
    ObjectPtr object(obj);
    return OidHex(*git_object_id(obj));
  }
  return NotFound("ref '" + ref + "' does not exist in the mirror of " +
                  RedactUrl(options_.remote.url) +
                  " (branches are looked up as the remote has them; fetch first)");
}

Result<std::string> Libgit2Repository::ResolveRef(const std::string& ref) {
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  return ResolveIn(lease.get(), ref);
}

Result<std::string> Libgit2Repository::ReadFile(const std::string& commit,
                                                const std::string& path) {
  DATAMCP_RETURN_IF_ERROR(ValidateChangePath(path, {}));
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  DATAMCP_ASSIGN_OR_RETURN(TreePtr tree, TreeOfCommit(lease.get(), commit, kInMirror));
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree.get(), path.c_str()) < 0) {
    return NotFound("file '" + path + "' does not exist at " + commit);
  }
  TreeEntryPtr entry(raw);
  if (git_tree_entry_type(raw) != GIT_OBJECT_BLOB) {
    return InvalidArgument("'" + path + "' is a directory at " + commit + "; use ListTree");
  }
  git_blob* blob_raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_blob_lookup(&blob_raw, lease.get(), git_tree_entry_id(raw)), "read " + path));
  BlobPtr blob(blob_raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob_raw)),
                     static_cast<size_t>(git_blob_rawsize(blob_raw)));
}

Result<std::vector<TreeEntryInfo>> Libgit2Repository::ListTree(const std::string& commit,
                                                               const std::string& dir) {
  if (!dir.empty()) DATAMCP_RETURN_IF_ERROR(ValidateChangePath(dir, {}));
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  DATAMCP_ASSIGN_OR_RETURN(TreePtr tree, TreeOfCommit(lease.get(), commit, kInMirror));
  if (dir.empty()) return ListEntries(tree.get(), "");
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree.get(), dir.c_str()) < 0) {
    return NotFound("directory '" + dir + "' does not exist at " + commit);
  }
  TreeEntryPtr entry(raw);
  if (git_tree_entry_type(raw) != GIT_OBJECT_TREE) {
    return InvalidArgument("'" + dir + "' is a file at " + commit + "; use ReadFile");
  }
  git_tree* sub = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_tree_lookup(&sub, lease.get(), git_tree_entry_id(raw)), "read " + dir));
  TreePtr subtree(sub);
  return ListEntries(sub, dir + "/");
}

namespace {

CommitInfo Describe(const git_commit* c) {
  CommitInfo info;
  info.oid = OidHex(*git_commit_id(c));
  for (unsigned i = 0; i < git_commit_parentcount(c); ++i) {
    info.parents.push_back(OidHex(*git_commit_parent_id(c, i)));
  }
  const git_signature* a = git_commit_author(c);
  const git_signature* m = git_commit_committer(c);
  info.author = {a->name, a->email};
  info.committer = {m->name, m->email};
  info.time = m->when.time;
  info.message = git_commit_message(c) ? git_commit_message(c) : "";
  return info;
}

}  // namespace

Result<std::vector<CommitInfo>> Libgit2Repository::Log(const std::string& commit,
                                                       const std::vector<std::string>& paths,
                                                       int max_count) {
  if (max_count <= 0) return InvalidArgument("max_count must be positive");
  for (const std::string& p : paths) DATAMCP_RETURN_IF_ERROR(ValidateChangePath(p, {}));
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  git_repository* repo = lease.get();
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr current, LookupCommit(repo, commit, kInMirror));
  std::vector<CommitInfo> out;
  while (current && static_cast<int>(out.size()) < max_count) {
    CommitPtr parent;
    if (git_commit_parentcount(current.get()) > 0) {
      git_commit* raw = nullptr;
      DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_parent(&raw, current.get(), 0), "read parent"));
      parent.reset(raw);
    }
    bool include = paths.empty();
    if (!include) {
      git_tree* a = nullptr;
      git_tree* b = nullptr;
      DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&a, current.get()), "read tree"));
      TreePtr ta(a), tb;
      if (parent) {
        DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&b, parent.get()), "read tree"));
        tb.reset(b);
      }
      for (const std::string& p : paths) include = include || PathChanged(ta.get(), tb.get(), p);
    }
    if (include) out.push_back(Describe(current.get()));
    current = std::move(parent);
  }
  return out;
}

Result<std::vector<ChangedPath>> Libgit2Repository::ChangedPaths(const std::string& from,
                                                                 const std::string& to) {
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  DATAMCP_ASSIGN_OR_RETURN(TreePtr a, TreeOfCommit(lease.get(), from, kInMirror));
  DATAMCP_ASSIGN_OR_RETURN(TreePtr b, TreeOfCommit(lease.get(), to, kInMirror));
  return DiffTrees(lease.get(), a.get(), b.get());
}

Result<std::string> Libgit2Repository::MergeBase(const std::string& a, const std::string& b) {
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr ca, LookupCommit(lease.get(), a, kInMirror));
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr cb, LookupCommit(lease.get(), b, kInMirror));
  git_oid base;
  int rc = git_merge_base(&base, lease.get(), git_commit_id(ca.get()), git_commit_id(cb.get()));
  if (rc == GIT_ENOTFOUND) return NotFound("commits " + a + " and " + b + " share no history");
  DATAMCP_RETURN_IF_ERROR(GitStatus(rc, "merge base of " + a + " and " + b));
  return OidHex(base);
}

Result<std::string> Libgit2Repository::ExportTree(const std::string& commit,
                                                  const std::string& parent_dir) {
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  DATAMCP_ASSIGN_OR_RETURN(TreePtr tree, TreeOfCommit(lease.get(), commit, kInMirror));
  std::string pattern = parent_dir + "/export-" + commit.substr(0, 12) + "-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    return Internal("cannot create a directory under '" + parent_dir +
                    "': " + std::strerror(errno));
  }
  Status s = WriteTree(lease.get(), tree.get(), pattern);
  if (!s.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(pattern, ec);
    return s.WithContext("export " + commit);
  }
  return pattern;
}

}  // namespace datamcp::git
