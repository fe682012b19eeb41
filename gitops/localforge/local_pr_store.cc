#include "gitops/localforge/local_pr_store.h"

#include <map>
#include <mutex>
#include <optional>

#include "gitops/common/json_parse.h"
#include "gitops/common/record_text.h"
#include "gitops/git/local_repository.h"
#include "gitops/localforge/forge_ref.h"

namespace datamcp::localforge {
namespace {

struct Snapshot {
  ForgeRefState ref;
  std::map<int, PullRecord> prs;
};

Result<Snapshot> ReadSnapshot(const git::LocalRepository& repo) {
  Snapshot snap;
  DATAMCP_ASSIGN_OR_RETURN(snap.ref, ReadForgeRef(repo));
  DATAMCP_ASSIGN_OR_RETURN(auto files, ReadForgeDir(repo, snap.ref, "prs"));
  for (const auto& [name, text] : files) {
    auto j = ParseJsonOrDiscarded(text);
    DATAMCP_ASSIGN_OR_RETURN(PullRecord pr, PullRecordFromJson(j));
    // An open pull request's head is its branch, wherever it moved since the record was
    // written (a push, a refresh): the plan, the statuses and the merge gate follow it. A
    // branch that cannot be read leaves the recorded head.
    if (pr.state == "open") {
      auto branch_tip = repo.ReadRef("refs/heads/" + pr.head_ref);
      if (branch_tip.ok() && *branch_tip) pr.head_sha = **branch_tip;
    }
    snap.prs[pr.number] = std::move(pr);
  }
  return snap;
}

// Writes `pr` into a new forge commit on top of `snap` and moves the ref if nobody else
// did meanwhile. Conflict means: read again and retry.
Status WriteRecord(git::LocalRepository& repo, const Snapshot& snap, const PullRecord& pr,
                   const std::string& message, const git::Signature& sig) {
  return WriteForgeFile(repo, snap.ref, "prs/" + std::to_string(pr.number) + ".json",
                        ToJson(pr).dump(2) + "\n", message, sig);
}

}  // namespace

LocalPrStore::LocalPrStore(std::string repo_path, const Clock& clock, Identity identity)
    : repo_path_(std::move(repo_path)), clock_(clock), identity_(std::move(identity)) {}

Result<PullRecord> LocalPrStore::Open(const std::string& head_ref, const std::string& base_ref,
                                      const std::string& title, const std::string& body,
                                      const std::string& author) {
  DATAMCP_RETURN_IF_ERROR(CheckRecordTitle("the pull request title", title));
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  Result<std::optional<std::string>> head = repo.ReadRef("refs/heads/" + head_ref);
  if (!head.ok()) return head.status().WithContext("pull request head branch '" + head_ref + "'");
  if (!*head) {
    return NotFound("pull request head branch '" + head_ref +
                    "' does not exist in the repository; push it first");
  }
  git::Signature sig = ForgeSignature(identity_.name, identity_.email, clock_);
  std::lock_guard writer(ForgeWriterMutex(repo_path_));
  return RetryForgeWrite("open the pull request", [&]() -> std::optional<Result<PullRecord>> {
    DATAMCP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot(repo));
    for (const auto& [n, pr] : snap.prs) {
      if (pr.state == "open" && pr.head_ref == head_ref) return pr;
    }
    PullRecord pr;
    pr.number = snap.prs.empty() ? 1 : snap.prs.rbegin()->first + 1;
    pr.title = title;
    pr.body = body;
    pr.head_ref = head_ref;
    pr.head_sha = **head;
    pr.base_ref = base_ref;
    pr.author = author;
    pr.created_at = pr.updated_at = clock_.UnixSeconds();
    Status s =
        WriteRecord(repo, snap, pr, "open #" + std::to_string(pr.number) + ": " + title, sig);
    if (LostRace(s)) return std::nullopt;
    if (!s.ok()) return s;
    return pr;
  });
}

Result<PullRecord> LocalPrStore::Get(int number) const {
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  DATAMCP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot(repo));
  auto it = snap.prs.find(number);
  if (it == snap.prs.end()) {
    return NotFound("pull request #" + std::to_string(number) +
                    " does not exist; `datamcp prs --all` lists them");
  }
  return it->second;
}

Result<std::vector<PullRecord>> LocalPrStore::List(bool open_only) const {
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  DATAMCP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot(repo));
  std::vector<PullRecord> out;
  for (auto& [n, pr] : snap.prs) {
    if (!open_only || pr.state == "open") out.push_back(pr);
  }
  return out;
}

Result<PullRecord> LocalPrStore::Update(int number, const std::string& action,
                                        const std::function<Status(PullRecord&)>& mutate) {
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  git::Signature sig = ForgeSignature(identity_.name, identity_.email, clock_);
  std::lock_guard writer(ForgeWriterMutex(repo_path_));
  return RetryForgeWrite(
      "update pull request #" + std::to_string(number), [&]() -> std::optional<Result<PullRecord>> {
        DATAMCP_ASSIGN_OR_RETURN(Snapshot snap, ReadSnapshot(repo));
        auto it = snap.prs.find(number);
        if (it == snap.prs.end()) {
          return NotFound("pull request #" + std::to_string(number) + " does not exist");
        }
        PullRecord pr = it->second;
        DATAMCP_RETURN_IF_ERROR(mutate(pr));
        pr.updated_at = clock_.UnixSeconds();
        Status s = WriteRecord(repo, snap, pr, action + " #" + std::to_string(number), sig);
        if (LostRace(s)) return std::nullopt;
        if (!s.ok()) return s;
        return pr;
      });
}

}  // namespace datamcp::localforge
