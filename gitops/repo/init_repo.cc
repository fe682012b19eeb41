#include "gitops/repo/init_repo.h"

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "gitops/git/new_repository.h"

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
  const Clock& clock = options.clock ? *options.clock : SystemClock::Instance();
  git::Signature sig{{options.committer_name, options.committer_email}, clock.UnixSeconds()};
  return git::CommitDirectory(dir.string(), options.branch, options.message + "\n", sig);
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
  Status s = CopyTree(template_dir, tmp);
  if (s.ok()) s = CommitAll(tmp, options);
  if (s.ok()) {
    fs::rename(tmp, dest, ec);  // replaces an empty directory atomically
    if (ec) s = Internal("init-repo: moving the new repository into place: " + ec.message());
  }
  if (!s.ok()) fs::remove_all(tmp, ec);
  return s;
}

}  // namespace datamcp::repo
