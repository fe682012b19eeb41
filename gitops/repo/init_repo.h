#pragma once

#include <string>

#include "gitops/common/clock.h"
#include "gitops/common/status.h"

namespace datamcp::repo {

struct InitRepoOptions {
  std::string committer_name = "DataMCP";
  std::string committer_email = "datamcp@localhost";
  std::string branch = "main";
  std::string message = "chore: bootstrap GitOps repository from the DataMCP template";
  const Clock* clock = nullptr;  // commit time; nullptr: SystemClock::Instance()
};

// `datamcp init-repo DEST`: makes `dest_dir` a new git repository holding a copy of
// `template_dir` (repo-template/) with one commit on `options.branch`, written by
// `options.committer_*` as author and committer.
// - `dest_dir` must not exist or be an empty directory (kAlreadyExists otherwise); its
//   parent must exist (kNotFound).
// - Nothing partial is left behind: the copy and commit happen in a temporary sibling
//   directory that is renamed to `dest_dir` only when complete, and removed on failure.
// - Copies regular files and directories; skips `.git`, `.terraform`, `*.tfstate*` and
//   files the template's .gitignore ignores are copied but not committed. A symlink in the
//   template is an error (kInvalidArgument) rather than something to follow.
// Not thread-safe with respect to the same dest_dir.
Status InitRepo(const std::string& template_dir, const std::string& dest_dir,
                const InitRepoOptions& options = {});

}  // namespace datamcp::repo
