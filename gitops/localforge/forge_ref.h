#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/git/local_repository.h"

namespace datamcp::localforge {

// The local forge's records live on one ref of the GitOps repository: refs/datamcp/forge
// points at a commit whose tree holds them as JSON files (prs/<number>.json,
// drift/<project>.json), and every change is one more commit on it, so the forge's history
// is itself an audit trail. Writers move the ref with compare-and-swap and retry on Conflict.
inline constexpr const char* kForgeRef = "refs/datamcp/forge";

// The ref as read: the commit it points at, "" when it does not exist yet.
struct ForgeRefState {
  std::string commit;
  bool exists() const { return !commit.empty(); }
};

Result<ForgeRefState> ReadForgeRef(const git::LocalRepository& repo);

// The files directly under `dir` in the tree of `state`'s commit: file name -> content.
// Empty when the ref or the directory does not exist.
Result<std::map<std::string, std::string>> ReadForgeDir(const git::LocalRepository& repo,
                                                        const ForgeRefState& state,
                                                        const std::string& dir);

// A commit on top of `base` whose tree is base's with `path` set to `text`; the ref moves
// to it unless another writer moved it first (Conflict: read again and retry).
Status WriteForgeFile(git::LocalRepository& repo, const ForgeRefState& base,
                      const std::string& path, const std::string& text, const std::string& message,
                      const git::Signature& signature);

// How many times a writer reads the ref again after losing it to another writer.
inline constexpr int kMaxForgeWriteAttempts = 20;

// The one retry loop of forge writers. `attempt` reads the ref afresh, decides, and writes
// with WriteForgeFile; it returns std::nullopt when that write lost the race to another writer
// (LostRace), and anything else (a value, an error of its own, a Conflict that is not a lost
// race) ends the loop. After kMaxForgeWriteAttempts lost races: Conflict "could not <what>: the
// forge ref kept moving; retry". `attempt` returns std::optional<Result<T>> or
// std::optional<Status>, and so does this.
template <typename Attempt>
auto RetryForgeWrite(const std::string& what, Attempt attempt) ->
    typename std::invoke_result_t<Attempt>::value_type {
  for (int i = 0; i < kMaxForgeWriteAttempts; ++i) {
    if (auto done = attempt()) return *std::move(done);
  }
  return Conflict("could not " + what + ": the forge ref kept moving; retry");
}

// True when WriteForgeFile's answer means another writer moved the ref first.
inline bool LostRace(const Status& write) { return write.code() == StatusCode::kConflict; }

// The committer of forge commits, dated now by `clock`.
git::Signature ForgeSignature(const std::string& name, const std::string& email,
                              const Clock& clock);

// Writers in this process take turns per repository; compare-and-swap still guards against
// writers in other processes (the human CLI), which are rare enough for plain retries.
std::mutex& ForgeWriterMutex(const std::string& repo_path);

}  // namespace datamcp::localforge
