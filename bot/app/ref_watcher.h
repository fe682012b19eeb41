#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "gitops/common/status.h"

namespace datamcp::bot {

// Calls `on_change` soon after a ref of a bare repository on this machine changes: the local
// forge's merge (`datamcp merge`, another process) moves refs/heads/<default> and
// refs/datamcp/forge, and the server should apply at once rather than at its next poll.
// Uses inotify on refs/heads, refs/datamcp and the repository directory (packed-refs); git
// writes a ref as a lock file renamed into place, so a rename or write there is a change.
// A missed event only delays the work until the next periodic pass. `on_change` runs on the
// watcher's thread and must be cheap (e.g. Reconciler::Poke).
class RefWatcher {
 public:
  RefWatcher() = default;
  ~RefWatcher();
  RefWatcher(const RefWatcher&) = delete;
  RefWatcher& operator=(const RefWatcher&) = delete;

  // Errors (Unavailable) when inotify or the directories cannot be watched.
  Status Start(const std::string& bare_repo, std::function<void()> on_change);
  void Stop();

 private:
  void Loop();

  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // eventfd written by Stop()
  std::function<void()> on_change_;
  std::thread thread_;
};

}  // namespace datamcp::bot
