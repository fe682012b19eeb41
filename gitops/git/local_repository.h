#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/git/repository.h"

struct git_repository;  // libgit2's handle; only the engine's sources see its definition

namespace datamcp::git {

// Who wrote something and when (Unix seconds, UTC).
struct Signature {
  Identity who;
  int64_t time = 0;
};

// A three-way merge of two commits (from their merge base): the merged tree, or the paths
// both sides changed in ways that do not combine (then `tree` is empty).
struct TreeMerge {
  std::string tree;
  std::vector<std::string> conflicts;
};

// A bare repository on this machine, opened by path: the store of the local forge (its
// branches and the records on refs/datamcp/forge). No remote, no mirror: reads and writes go
// to the repository itself. Object ids are 40-character lowercase hex strings.
//
// Ownership and threads: an instance owns one libgit2 handle, freed with it; use it from one
// thread at a time and open one per operation (opening is cheap). Writers in other processes
// are handled by UpdateRef's compare-and-swap.
class LocalRepository {
 public:
  // NotFound when `path` holds no repository (the message names the path).
  [[nodiscard]] static Result<LocalRepository> OpenBare(const std::string& path);

  LocalRepository(LocalRepository&&) noexcept;
  LocalRepository& operator=(LocalRepository&&) noexcept;
  ~LocalRepository();

  // The commit `ref` (a full ref name) points at; nullopt when the ref does not exist.
  [[nodiscard]] Result<std::optional<std::string>> ReadRef(const std::string& ref) const;
  // A revision ("refs/heads/main", "<id>^1") to the id of the object it names.
  [[nodiscard]] Result<std::string> Resolve(const std::string& revision) const;
  // Points `ref` at `commit` only if it still points at `expected` ("" = it must not exist);
  // `log_message` goes to the reflog. Conflict ("<ref> moved") when another writer got there
  // first: read again and retry.
  [[nodiscard]] Status UpdateRef(const std::string& ref, const std::string& commit,
                                 const std::string& expected, const std::string& log_message);

  // The files directly under `dir` in `commit`'s tree, (name, content) in tree order; empty
  // when there is no such directory. An entry that is not a file is an error.
  [[nodiscard]] Result<std::vector<std::pair<std::string, std::string>>> ReadFilesIn(
      const std::string& commit, const std::string& dir) const;

  // A commit of `changes` on `parent` ("" = a root commit on the empty tree), with `sig` as
  // author and committer and `message` as given; moves no ref. Change sets as in
  // Repository::CreateCommit (paths are not validated here: the caller builds them).
  [[nodiscard]] Result<std::string> CommitChanges(const std::string& parent,
                                                  const ChangeSet& changes,
                                                  const std::string& message, const Signature& sig);
  // The three-way merge of commit `theirs` into commit `ours`; writes the merged tree when
  // there is no conflict, moves no ref.
  [[nodiscard]] Result<TreeMerge> Merge(const std::string& ours, const std::string& theirs);
  // A commit of `tree` with `parents` (in order), `sig` as author and committer.
  [[nodiscard]] Result<std::string> CommitTree(const std::string& tree,
                                               const std::vector<std::string>& parents,
                                               const std::string& message, const Signature& sig);

  [[nodiscard]] Result<std::string> MergeBase(const std::string& a, const std::string& b) const;
  // Files that differ between the trees of commits `from` and `to`, sorted by path (as `git
  // diff` lists them). Same rules as Repository::ChangedPaths (tree_read's DiffTrees).
  [[nodiscard]] Result<std::vector<ChangedPath>> ChangedPaths(const std::string& from,
                                                              const std::string& to) const;
  // The same difference as a unified patch (what `git diff from to` prints).
  [[nodiscard]] Result<std::string> Patch(const std::string& from, const std::string& to) const;

 private:
  struct Free {
    void operator()(git_repository* repo) const;
  };
  explicit LocalRepository(git_repository* repo, std::string path);

  std::unique_ptr<git_repository, Free> repo_;
  std::string path_;
};

}  // namespace datamcp::git
