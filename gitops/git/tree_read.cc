#include "gitops/git/tree_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "gitops/git/git_ptr.h"

namespace datamcp::git {
namespace {

EntryKind KindOf(const git_tree_entry* e) {
  switch (git_tree_entry_filemode(e)) {
    case GIT_FILEMODE_TREE:
      return EntryKind::kTree;
    case GIT_FILEMODE_COMMIT:
      return EntryKind::kSubmodule;
    case GIT_FILEMODE_LINK:
      return EntryKind::kSymlink;
    default:
      return EntryKind::kBlob;
  }
}

std::string Hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), oid);
  return buf;
}

std::map<std::string, const git_tree_entry*> ByName(const git_tree* tree) {
  std::map<std::string, const git_tree_entry*> out;
  if (!tree) return out;
  size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    out[git_tree_entry_name(e)] = e;
  }
  return out;
}

Result<TreePtr> SubTree(git_repository* repo, const git_tree_entry* e) {
  if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE) return TreePtr();
  git_tree* t = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_tree_lookup(&t, repo, git_tree_entry_id(e)), "read tree"));
  return TreePtr(t);
}

bool IsFile(const git_tree_entry* e) { return e && git_tree_entry_type(e) == GIT_OBJECT_BLOB; }

Status Diff(git_repository* repo, const git_tree* from, const git_tree* to,
            const std::string& prefix, std::vector<ChangedPath>* out);

Status DiffEntry(git_repository* repo, const std::string& path, const git_tree_entry* a,
                 const git_tree_entry* b, std::vector<ChangedPath>* out) {
  if (a && b && git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)) &&
      git_tree_entry_filemode(a) == git_tree_entry_filemode(b)) {
    return Status::Ok();
  }
  if (IsFile(a) && IsFile(b)) {
    out->push_back({path, ChangeKind::kModified});
    return Status::Ok();
  }
  if (IsFile(a)) out->push_back({path, ChangeKind::kDeleted});
  if (IsFile(b)) out->push_back({path, ChangeKind::kAdded});
  DATAMCP_ASSIGN_OR_RETURN(TreePtr ta, SubTree(repo, a));
  DATAMCP_ASSIGN_OR_RETURN(TreePtr tb, SubTree(repo, b));
  if (!ta && !tb) return Status::Ok();
  return Diff(repo, ta.get(), tb.get(), path + "/", out);
}

Status Diff(git_repository* repo, const git_tree* from, const git_tree* to,
            const std::string& prefix, std::vector<ChangedPath>* out) {
  auto a = ByName(from);
  auto b = ByName(to);
  for (const auto& [name, ea] : a) {
    auto it = b.find(name);
    DATAMCP_RETURN_IF_ERROR(
        DiffEntry(repo, prefix + name, ea, it == b.end() ? nullptr : it->second, out));
  }
  for (const auto& [name, eb] : b) {
    if (!a.count(name)) DATAMCP_RETURN_IF_ERROR(DiffEntry(repo, prefix + name, nullptr, eb, out));
  }
  return Status::Ok();
}

Status WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(std::string("write failed: ") + std::strerror(errno));
    data += n;
    len -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status WriteBlob(git_repository* repo, const git_tree_entry* e, const std::string& path) {
  git_blob* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_blob_lookup(&raw, repo, git_tree_entry_id(e)), "read blob"));
  BlobPtr blob(raw);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  size_t size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  if (git_tree_entry_filemode(e) == GIT_FILEMODE_LINK) {
    std::string target(data, size);
    if (target.empty() || target[0] == '/' || target.find("..") != std::string::npos) {
      return Status::Ok();  // a link that could leave the export: skipped
    }
    if (symlink(target.c_str(), path.c_str()) != 0) {
      return Internal("cannot create symlink " + path + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }
  mode_t mode = git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE ? 0555 : 0444;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Internal("cannot create " + path + ": " + std::strerror(errno));
  Status s = WriteAll(fd, data, size);
  close(fd);
  return s;
}

}  // namespace

Result<std::vector<ChangedPath>> DiffTrees(git_repository* repo, const git_tree* from,
                                           const git_tree* to) {
  std::vector<ChangedPath> out;
  DATAMCP_RETURN_IF_ERROR(Diff(repo, from, to, "", &out));
  return out;
}

Status WriteTree(git_repository* repo, const git_tree* tree, const std::string& dir) {
  size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    std::string name = git_tree_entry_name(e);
    if (name == ".git" || name == "." || name == ".." || name.find('/') != std::string::npos) {
      continue;
    }
    std::string path = dir + "/" + name;
    if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      if (mkdir(path.c_str(), 0755) != 0) {
        return Internal("cannot create directory " + path + ": " + std::strerror(errno));
      }
      DATAMCP_ASSIGN_OR_RETURN(TreePtr sub, SubTree(repo, e));
      DATAMCP_RETURN_IF_ERROR(WriteTree(repo, sub.get(), path));
    } else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
      DATAMCP_RETURN_IF_ERROR(WriteBlob(repo, e, path));
    }
  }
  return Status::Ok();
}

std::vector<TreeEntryInfo> ListEntries(const git_tree* tree, const std::string& prefix) {
  std::vector<TreeEntryInfo> out;
  size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    TreeEntryInfo info;
    info.name = git_tree_entry_name(e);
    info.path = prefix + info.name;
    info.oid = Hex(git_tree_entry_id(e));
    info.kind = KindOf(e);
    info.mode = static_cast<uint32_t>(git_tree_entry_filemode(e));
    out.push_back(std::move(info));
  }
  return out;
}

bool PathChanged(const git_tree* a, const git_tree* b, const std::string& path) {
  git_tree_entry* ea = nullptr;
  git_tree_entry* eb = nullptr;
  if (a) git_tree_entry_bypath(&ea, a, path.c_str());
  if (b) git_tree_entry_bypath(&eb, b, path.c_str());
  TreeEntryPtr pa(ea), pb(eb);
  if (!ea || !eb) return (ea == nullptr) != (eb == nullptr);
  return !git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) ||
         git_tree_entry_filemode(ea) != git_tree_entry_filemode(eb);
}

}  // namespace datamcp::git
