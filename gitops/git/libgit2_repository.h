#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/git/repository.h"
#include "gitops/process/posix_process_runner.h"

// libgit2's types, declared only: the engine's sources include <git2.h>, users of this class
// never see it.
struct git_repository;
struct git_oid;

namespace datamcp::git {

struct Libgit2RepositoryOptions {
  std::string mirror_path;  // the bare mirror; created by Mirror() when missing
  RemoteOptions remote;
  Identity committer;                          // the bot: committer of every commit it writes
  std::string default_branch = "main";         // never pushed to directly
  std::string bot_branch_prefix = "datamcp/";  // branches the bot owns (CommitAndPush only)
  std::vector<std::string> allowed_roots;      // paths a change set may touch; empty: anywhere
  std::string notes_ref = "refs/notes/datamcp";
  int max_push_attempts = 3;      // CommitAndPush tries when the remote branch moved
  int max_note_attempts = 10;     // AddNote tries when another writer moved the notes ref
  size_t max_pooled_handles = 8;  // idle git_repository handles kept warm (object cache)
  // Runs `git receive-pack` for file:// remotes; null: a PosixProcessRunner of its own.
  process::ProcessRunner* runner = nullptr;
};

// Repository on libgit2 1.5 over a bare mirror in the work directory.
//
// Layout of the mirror: refs/remotes/origin/* (the remote's branches, fetched with prune),
// refs/notes/datamcp (the remote's notes ref), refs/datamcp/push/* (short-lived push sources).
// Pushes over git://, http://, https:// and file:// send a pack built from exactly the new objects
// (push_pack.h, send_pack.h): libgit2 1.5's own push walks the whole tree of every advertised
// ref, O(repository). ssh:// uses libgit2's push (same results, slower on large repositories).
// file:// runs `git receive-pack` (hooks apply; libgit2's local transport would skip them).
//
// Thread-safety: all methods may run concurrently. Each call borrows a git_repository handle
// from a small pool (a handle is used by one thread at a time, and kept warm for the next
// call); no libgit2 object outlives a call. Fetches (which rewrite remote-tracking refs) are
// serialized; notes updates are serialized (one writer of the notes ref per process, other
// processes are handled by fetch-merge-retry); CommitAndPush calls on the same branch are
// serialized. Everything else, pushes of different branches included, runs in parallel.
class Libgit2Repository final : public Repository {
 public:
  Libgit2Repository(Libgit2RepositoryOptions options, Clock& clock);
  ~Libgit2Repository() override;

  Status Mirror() override;
  Status Fetch() override;

  Result<std::string> ResolveRef(const std::string& ref) override;
  Result<std::string> ReadFile(const std::string& commit, const std::string& path) override;
  Result<std::vector<TreeEntryInfo>> ListTree(const std::string& commit,
                                              const std::string& dir) override;
  Result<std::vector<CommitInfo>> Log(const std::string& commit,
                                      const std::vector<std::string>& paths,
                                      int max_count) override;
  Result<std::vector<ChangedPath>> ChangedPaths(const std::string& from,
                                                const std::string& to) override;
  Result<std::string> MergeBase(const std::string& a, const std::string& b) override;
  Result<std::string> MergeCommits(const std::string& base, const std::string& head) override;
  Result<std::string> ExportTree(const std::string& commit, const std::string& parent_dir) override;
  Result<RebuildResult> RebuildBranch(const std::string& branch, const std::string& head,
                                      const std::string& onto, const std::string& message) override;

  Result<std::string> CreateCommit(const std::string& base, const ChangeSet& changes,
                                   const CommitMeta& meta) override;
  Result<PushResult> PushBranch(const std::string& branch, const std::string& commit,
                                const std::string& expected_remote) override;
  Result<ProposeResult> CommitAndPush(const std::string& branch, const std::string& base_ref,
                                      const ChangeSet& changes, const CommitMeta& meta) override;

  Status AddNote(const std::string& commit, const std::string& json) override;
  Result<std::vector<std::string>> ReadNotes(const std::string& commit) override;

 private:
  struct HandleFree {
    void operator()(git_repository* repo) const;
  };
  using Handle = std::unique_ptr<git_repository, HandleFree>;
  // Where commits are looked up, for NotFound messages.
  static constexpr std::string_view kInMirror = "in the mirror; fetch first or check the id";

  // A pooled git_repository handle, used by one thread until it is destroyed.
  class Lease {
   public:
    Lease(Libgit2Repository* owner, Handle repo) : owner_(owner), repo_(std::move(repo)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (repo_) owner_->Release(std::move(repo_));
    }
    git_repository* get() const { return repo_.get(); }

   private:
    Libgit2Repository* owner_;
    Handle repo_;
  };
  Result<Lease> Acquire();
  void Release(Handle repo);

  // Empty `refspecs`: the mirror's (branches to refs/remotes/origin/*, the notes ref).
  Status FetchRefspecs(git_repository* repo, const std::vector<std::string>& refspecs, bool prune);
  Result<std::string> ResolveIn(git_repository* repo, const std::string& ref);
  // Pushes local commit `commit` to `remote_ref` (via a temporary local ref), checking that
  // the remote ref is at `expected` first. Transport errors are a non-OK status; a refusal by
  // the server is a PushResult with ok == false. `replace`: the new commit need not descend
  // from `expected` (RebuildBranch only).
  Result<PushResult> PushCommit(git_repository* repo, const std::string& commit,
                                const std::string& remote_ref, const std::string& expected,
                                bool replace = false);
  // Sets refs/remotes/origin/<branch> after a push (a concurrent fetch may hold its lock:
  // then the next fetch sets it).
  void TrackPushed(git_repository* repo, const std::string& branch, const git_oid* commit);
  Result<std::string> CommitOnce(const std::string& branch, const std::string& base_ref,
                                 const ChangeSet& changes, const CommitMeta& meta,
                                 std::string* remote_tip);
  Result<std::string> WriteNoteCommit(git_repository* repo, const std::string& commit,
                                      const std::string& json, std::string* parent);

  // One lock per branch for CommitAndPush: proposals to the same branch in this process
  // take turns instead of racing each other into retries.
  std::shared_ptr<std::mutex> BranchLock(const std::string& branch);
  Result<ProposeResult> CommitAndPushLocked(const std::string& branch, const std::string& base_ref,
                                            const ChangeSet& changes, const CommitMeta& meta);
  void ReleaseBranchLock(const std::string& branch);
  // Points the mirror's `name` at `target` after a push, taking turns with fetches.
  Status UpdateMirrorRef(git_repository* repo, const std::string& name, const git_oid* target,
                         const char* log_message);

  Libgit2RepositoryOptions options_;
  Clock& clock_;
  std::mutex pool_mu_;
  std::vector<Handle> pool_;
  // Held by whatever writes the mirror's remote-tracking and notes refs: fetches, and the
  // updates after a push (UpdateMirrorRef). Two writers of one ref at once make the second
  // fail on its lock file.
  std::mutex fetch_mu_;
  std::mutex notes_mu_;
  std::mutex branch_mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> branch_locks_;
  std::atomic<uint64_t> push_counter_{0};
  process::PosixProcessRunner own_runner_;
};

}  // namespace datamcp::git
