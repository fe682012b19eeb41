#include "gitops/localforge/forge_ref.h"

#include <memory>

namespace datamcp::localforge {

using git::GitStatus;

Result<git::RepositoryPtr> OpenForgeRepository(const std::string& path) {
  static const int init = git_libgit2_init();
  (void)init;
  git_repository* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_repository_open_bare(&raw, path.c_str()), "open repository " + path));
  return git::RepositoryPtr(raw);
}

Result<ForgeRefState> ReadForgeRef(git_repository* repo) {
  ForgeRefState state;
  int rc = git_reference_name_to_id(&state.commit, repo, kForgeRef);
  if (rc == GIT_ENOTFOUND) return state;
  DATAMCP_RETURN_IF_ERROR(GitStatus(rc, "read " + std::string(kForgeRef)));
  state.exists = true;
  return state;
}

Result<std::map<std::string, std::string>> ReadForgeDir(git_repository* repo,
                                                        const ForgeRefState& state,
                                                        const std::string& dir) {
  std::map<std::string, std::string> out;
  if (!state.exists) return out;
  git_commit* c = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&c, repo, &state.commit), "forge commit"));
  git::CommitPtr commit(c);
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&t, commit.get()), "forge tree"));
  git::TreePtr tree(t);
  git_tree_entry* e = nullptr;
  if (git_tree_entry_bypath(&e, tree.get(), dir.c_str()) != 0) return out;
  git::TreeEntryPtr dir_entry(e);
  git_tree* dt = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_tree_lookup(&dt, repo, git_tree_entry_id(dir_entry.get())), dir + " tree"));
  git::TreePtr files(dt);
  for (size_t i = 0; i < git_tree_entrycount(files.get()); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(files.get(), i);
    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) continue;
    git_blob* b = nullptr;
    DATAMCP_RETURN_IF_ERROR(
        GitStatus(git_blob_lookup(&b, repo, git_tree_entry_id(entry)), dir + " record"));
    git::BlobPtr blob(b);
    out[git_tree_entry_name(entry)] = std::string(
        static_cast<const char*>(git_blob_rawcontent(blob.get())), git_blob_rawsize(blob.get()));
  }
  return out;
}

Status WriteForgeFile(git_repository* repo, const ForgeRefState& base, const std::string& path,
                      const std::string& text, const std::string& message,
                      const git_signature* signature) {
  git_oid blob_id;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_blob_create_from_buffer(&blob_id, repo, text.data(), text.size()), "blob"));
  git::CommitPtr parent;
  git::TreePtr base_tree;
  if (base.exists) {
    git_commit* c = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_lookup(&c, repo, &base.commit), "parent"));
    parent.reset(c);
    git_tree* t = nullptr;
    DATAMCP_RETURN_IF_ERROR(GitStatus(git_commit_tree(&t, parent.get()), "parent tree"));
    base_tree.reset(t);
  }
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
      GitStatus(git_commit_create(&commit_id, repo, nullptr, signature, signature, nullptr,
                                  message.c_str(), tree.get(), base.exists ? 1 : 0, parents),
                "forge commit"));
  git_reference* ref = nullptr;
  int rc = base.exists
               ? git_reference_create_matching(&ref, repo, kForgeRef, &commit_id, 1, &base.commit,
                                               message.c_str())
               : git_reference_create(&ref, repo, kForgeRef, &commit_id, 0, message.c_str());
  git::ReferencePtr owned(ref);
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
    return Conflict("forge ref moved");
  }
  return GitStatus(rc, "update " + std::string(kForgeRef));
}

Result<git::SignaturePtr> ForgeSignature(const std::string& name, const std::string& email,
                                         const Clock& clock) {
  git_signature* s = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(
      git_signature_new(&s, name.c_str(), email.c_str(), clock.UnixSeconds(), 0), "signature"));
  return git::SignaturePtr(s);
}

std::mutex& ForgeWriterMutex(const std::string& repo_path) {
  static std::mutex registry_mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard lock(registry_mu);
  auto& mu = mutexes[repo_path];
  if (!mu) mu = std::make_unique<std::mutex>();
  return *mu;
}

}  // namespace datamcp::localforge
