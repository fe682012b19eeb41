#pragma once

#include <string>

#include "gitops/common/status.h"
#include "gitops/git/local_repository.h"

namespace datamcp::git {

// Repositories made from nothing on this machine: the template bootstrap of `datamcp
// init-repo` and the embedded repository of a server without repository.url.

// Makes the existing directory `dir` a git repository (with a worktree) whose `branch` holds
// one commit, by `sig` as author and committer with `message` as given, of every file in
// `dir` that its .gitignore files do not ignore; HEAD names `branch`. AlreadyExists when
// `dir` is a repository already.
[[nodiscard]] Status CommitDirectory(const std::string& dir, const std::string& branch,
                                     const std::string& message, const Signature& sig);

// Clones the repository at `source_dir` into a new bare repository at `dest` (as `git clone
// --bare file://<source_dir>`). On error `dest` may be left partly written: the caller
// removes it.
[[nodiscard]] Status CloneBare(const std::string& source_dir, const std::string& dest);

}  // namespace datamcp::git
