#pragma once

#include <string>

#include "gitops/common/result.h"

namespace datamcp::plan {

// What `terraform init` left in a working copy (.terraform and .terraform.lock.hcl), kept
// under a directory of the server's and keyed by what init depends on, so that a plan of a
// project whose providers, modules and backend have not changed skips init.
//
// The key hashes the project's path, the lock file, every line of the project's *.tf files
// (and of the local modules it calls, followed recursively inside the tree) that names a
// source, a version, a provider, a module, a backend or the terraform block, and `extra`
// (the backend arguments and the terraform binary). It is a cheap approximation: the planner
// runs init after all when a plan on a restored copy asks for it. A tree that already holds
// a .terraform entry (committed by a proposal) is never cached or restored. Safe to use from
// several threads and processes: entries are written to a temporary name and renamed.
class TerraformInitCache {
 public:
  // `dir` empty: disabled (Key returns "", Restore false, Store nothing).
  explicit TerraformInitCache(std::string dir) : dir_(std::move(dir)) {}

  // The key for the project at `project_dir` of the tree copied at `tree_root`; "" when
  // the project cannot be cached (disabled, or a .terraform entry in the tree).
  std::string Key(const std::string& tree_root, const std::string& project_dir,
                  const std::string& extra) const;
  // Copies the cached init of `key` into `project_dir`; false when there is none.
  bool Restore(const std::string& key, const std::string& project_dir) const;
  // Keeps what init left in `project_dir` under `key`. Failures only cost a later init.
  void Store(const std::string& key, const std::string& project_dir) const;
  // Drops the entry of `key` (its init turned out not to fit).
  void Forget(const std::string& key) const;

 private:
  std::string dir_;
};

}  // namespace datamcp::plan
