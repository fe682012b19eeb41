#include "gitops/git/tree_edit.h"

#include <cctype>
#include <map>
#include <memory>

#include "gitops/git/git_ptr.h"

namespace datamcp::git {
namespace {

// The changes below one directory, grouped by name.
struct DirNode {
  std::map<std::string, const FileChange*> files;
  std::map<std::string, std::unique_ptr<DirNode>> dirs;
};

Status Insert(DirNode* root, const FileChange& change) {
  DirNode* node = root;
  std::size_t start = 0;
  std::size_t slash;
  while ((slash = change.path.find('/', start)) != std::string::npos) {
    std::string name = change.path.substr(start, slash - start);
    if (node->files.count(name)) {
      return InvalidArgument("change set path '" + change.path + "' needs '" +
                             change.path.substr(0, slash) +
                             "' to be a directory, but it also changes it as a file");
    }
    auto& child = node->dirs[name];
    if (!child) child = std::make_unique<DirNode>();
    node = child.get();
    start = slash + 1;
  }
  std::string name = change.path.substr(start);
  if (node->files.count(name)) {
    return InvalidArgument("change set names '" + change.path + "' twice; merge the two changes");
  }
  if (node->dirs.count(name)) {
    return InvalidArgument("change set path '" + change.path + "' is also used as a directory");
  }
  node->files[name] = &change;
  return Status::Ok();
}

Status ApplyFile(git_repository* repo, git_treebuilder* builder, const std::string& name,
                 const FileChange& change) {
  const git_tree_entry* existing = git_treebuilder_get(builder, name.c_str());
  if (change.mode == FileMode::kDelete) {
    if (!existing || git_tree_entry_type(existing) != GIT_OBJECT_BLOB) {
      return NotFound("cannot delete '" + change.path + "': no such file at the base commit");
    }
    return GitStatus(git_treebuilder_remove(builder, name.c_str()), "delete " + change.path);
  }
  if (existing && git_tree_entry_type(existing) == GIT_OBJECT_TREE) {
    return InvalidArgument("cannot write file '" + change.path + "': it is a directory");
  }
  git_oid blob;
  if (change.content) {
    DATAMCP_RETURN_IF_ERROR(GitStatus(
        git_blob_create_from_buffer(&blob, repo, change.content->data(), change.content->size()),
        "write blob for " + change.path));
  } else if (existing && git_tree_entry_type(existing) == GIT_OBJECT_BLOB) {
    git_oid_cpy(&blob, git_tree_entry_id(existing));
  } else {
    return NotFound("cannot change the mode of '" + change.path +
                    "': no such file at the base commit; give its content");
  }
  git_filemode_t mode =
      change.mode == FileMode::kExecutable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
  return GitStatus(git_treebuilder_insert(nullptr, builder, name.c_str(), &blob, mode),
                   "add " + change.path);
}

// Rewrites `base` (may be null: a new directory) with `node` applied. `*empty` is set when
// the result has no entries (the caller drops it).
Result<git_oid> Build(git_repository* repo, const git_tree* base, const DirNode& node,
                      const std::string& prefix, bool* empty);

Status ApplyDir(git_repository* repo, git_treebuilder* builder, const std::string& name,
                const DirNode& child, const std::string& path) {
  const git_tree_entry* existing = git_treebuilder_get(builder, name.c_str());
  TreePtr subtree;
  if (existing) {
    if (git_tree_entry_type(existing) != GIT_OBJECT_TREE) {
      return InvalidArgument("'" + path +
                             "' is a file at the base commit; cannot create files under it");
    }
    git_tree* raw = nullptr;
    DATAMCP_RETURN_IF_ERROR(
        GitStatus(git_tree_lookup(&raw, repo, git_tree_entry_id(existing)), "read tree " + path));
    subtree.reset(raw);
  }
  bool empty = false;
  DATAMCP_ASSIGN_OR_RETURN(git_oid oid, Build(repo, subtree.get(), child, path + "/", &empty));
  if (empty) {
    if (!existing) return Status::Ok();
    return GitStatus(git_treebuilder_remove(builder, name.c_str()), "remove " + path);
  }
  return GitStatus(git_treebuilder_insert(nullptr, builder, name.c_str(), &oid, GIT_FILEMODE_TREE),
                   "add tree " + path);
}

Result<git_oid> Build(git_repository* repo, const git_tree* base, const DirNode& node,
                      const std::string& prefix, bool* empty) {
  git_treebuilder* raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(GitStatus(git_treebuilder_new(&raw, repo, base), "open tree " + prefix));
  TreeBuilderPtr builder(raw);
  for (const auto& [name, child] : node.dirs) {
    DATAMCP_RETURN_IF_ERROR(ApplyDir(repo, builder.get(), name, *child, prefix + name));
  }
  for (const auto& [name, change] : node.files) {
    DATAMCP_RETURN_IF_ERROR(ApplyFile(repo, builder.get(), name, *change));
  }
  git_oid oid;
  *empty = git_treebuilder_entrycount(builder.get()) == 0;
  if (*empty && !prefix.empty()) return oid;  // the root is written even when empty
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_treebuilder_write(&oid, builder.get()), "write tree " + prefix));
  return oid;
}

bool ValidTrailerKey(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
  }
  return true;
}

bool OneLine(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

}  // namespace

Result<git_oid> ApplyChangeSet(git_repository* repo, const git_tree* base_tree,
                               const ChangeSet& changes) {
  if (changes.empty()) return InvalidArgument("the change set is empty; give at least one file");
  DirNode root;
  for (const FileChange& change : changes) DATAMCP_RETURN_IF_ERROR(Insert(&root, change));
  bool empty = false;
  DATAMCP_ASSIGN_OR_RETURN(git_oid oid, Build(repo, base_tree, root, "", &empty));
  return oid;
}

Result<std::string> BuildCommitMessage(const CommitMeta& meta) {
  std::string message = meta.message;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.empty()) return InvalidArgument("the commit message is empty; give a summary line");
  std::vector<std::pair<std::string, std::string>> trailers;
  if (meta.requester_as_coauthor) {
    trailers.emplace_back("Co-authored-by", meta.author.name + " <" + meta.author.email + ">");
  }
  trailers.insert(trailers.end(), meta.trailers.begin(), meta.trailers.end());
  if (trailers.empty()) return message + "\n";
  message += "\n\n";
  for (const auto& [key, value] : trailers) {
    if (!ValidTrailerKey(key)) {
      return InvalidArgument("trailer key '" + key + "' is invalid; use letters, digits and '-'");
    }
    if (!OneLine(value)) {
      return InvalidArgument("trailer '" + key + "' has a multi-line value; give one line");
    }
    message += key + ": " + value + "\n";
  }
  return message;
}

}  // namespace datamcp::git
