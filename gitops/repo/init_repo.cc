#include "gitops/repo/init_repo.h"

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "gitops/git/git_ptr.h"

namespace datamcp::repo {
namespace {

namespace fs = std::filesystem;

bool Skipped(const fs::path& p) {
  std::string name = p.filename().string();
  return name == ".git" || name == ".terraform" || name.find(".tfstate") != std::string::npos;
}

Status CopyTree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& src = it->path();
    if (Skipped(src)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    fs::path dst = to / fs::relative(src, from);
    if (it->is_symlink()) {
      return InvalidArgument("template: '" + src.string() +
                             "' is a symlink; templates hold only "
                             "regular files and directories");
    }
    if (it->is_directory()) {
      fs::create_directory(dst, ec);
    } else if (it->is_regular_file()) {
      fs::copy_file(src, dst, ec);
    }
    if (ec) return Internal("copying '" + src.string() + "': " + ec.message());
  }
  if (ec) return Internal("reading template '" + from.string() + "': " + ec.message());
  return Status::Ok();
}

Status CommitAll(const fs::path& dir, const InitRepoOptions& options) {
  git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  init.flags = GIT_REPOSITORY_INIT_NO_REINIT;
  init.initial_head = options.branch.c_str();
  git_repository* raw_repo = nullptr;
  DATAMCP_RETURN_IF_ERROR(git::GitStatus(git_repository_init_ext(&raw_repo, dir.c_str(), &init),
                                         "git init " + dir.string()));
  git::RepositoryPtr repo(raw_repo);
  git_index* raw_index = nullptr;
  DATAMCP_RETURN_IF_ERROR(git::GitStatus(git_repository_index(&raw_index, repo.get()), "index"));
  git::IndexPtr index(raw_index);
  DATAMCP_RETURN_IF_ERROR(
      git::GitStatus(git_index_add_all(index.get(), nullptr, 0, nullptr, nullptr), "git add"));
  DATAMCP_RETURN_IF_ERROR(git::GitStatus(git_index_write(index.get()), "write index"));
  git_oid tree_id, commit_id;
  DATAMCP_RETURN_IF_ERROR(
      git::GitStatus(git_index_write_tree(&tree_id, index.get()), "write tree"));
  git_tree* raw_tree = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      git::GitStatus(git_tree_lookup(&raw_tree, repo.get(), &tree_id), "lookup tree"));
  git::TreePtr tree(raw_tree);
  const Clock& clock = options.clock ? *options.clock : SystemClock::Instance();
  git_signature* raw_sig = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      git::GitStatus(git_signature_new(&raw_sig, options.committer_name.c_str(),
                                       options.committer_email.c_str(), clock.UnixSeconds(), 0),
                     "signature"));
  git::SignaturePtr sig(raw_sig);
  std::string ref = "refs/heads/" + options.branch;
  return git::GitStatus(
      git_commit_create(&commit_id, repo.get(), ref.c_str(), sig.get(), sig.get(), nullptr,
                        (options.message + "\n").c_str(), tree.get(), 0, nullptr),
      "initial commit");
}

Status CheckDestination(const fs::path& dest) {
  std::error_code ec;
  fs::path parent = dest.parent_path().empty() ? fs::path(".") : dest.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return NotFound("init-repo: parent directory '" + parent.string() + "' does not exist");
  }
  if (!fs::exists(fs::symlink_status(dest, ec))) return Status::Ok();
  if (!fs::is_directory(fs::symlink_status(dest, ec)) || !fs::is_empty(dest, ec)) {
    return AlreadyExists("init-repo: '" + dest.string() +
                         "' exists and is not an empty directory; choose a new path");
  }
  return Status::Ok();
}

}  // namespace

Status InitRepo(const std::string& template_dir, const std::string& dest_dir,
                const InitRepoOptions& options) {
  fs::path dest = fs::path(dest_dir).lexically_normal();
  if (dest.has_filename() == false) dest = dest.parent_path();
  std::error_code ec;
  if (!fs::is_directory(template_dir, ec)) {
    return NotFound("init-repo: template directory '" + template_dir + "' does not exist");
  }
  DATAMCP_RETURN_IF_ERROR(CheckDestination(dest));
  std::string tmp_pattern = dest.string() + ".init-XXXXXX";
  if (mkdtemp(tmp_pattern.data()) == nullptr) {
    return Internal("init-repo: cannot create a temporary directory next to '" + dest.string() +
                    "': " + std::strerror(errno));
  }
  fs::path tmp(tmp_pattern);
  git_libgit2_init();
  Status s = CopyTree(template_dir, tmp);
  if (s.ok()) s = CommitAll(tmp, options);
  git_libgit2_shutdown();
  if (s.ok()) {
    fs::rename(tmp, dest, ec);  // replaces an empty directory atomically
    if (ec) s = Internal("init-repo: moving the new repository into place: " + ec.message());
  }
  if (!s.ok()) fs::remove_all(tmp, ec);
  return s;
}

}  // namespace datamcp::repo
