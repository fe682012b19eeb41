// Notes of Libgit2Repository: JSON records on commits under refs/notes/datamcp.
//
// A note holds a JSON array of documents. AddNote fetches the notes ref, appends to the
// note on top of the remote's notes commit and pushes with a compare-and-swap on the old
// value; when another writer got there first it fetches and re-applies, so no record is lost.
#include <nlohmann/json.hpp>

#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"
#include "gitops/git/libgit2_repository.h"
#include "gitops/git/objects.h"

namespace datamcp::git {
namespace {

using json = nlohmann::json;

// The records in the note on `target` in notes commit `notes` (null: none yet).
Result<json> ReadRecords(git_repository* repo, git_commit* notes, const git_oid& target) {
  json records = json::array();
  if (!notes) return records;
  git_note* raw = nullptr;
  int rc = git_note_commit_read(&raw, repo, notes, &target);
  if (rc == GIT_ENOTFOUND) return records;
  DATAMCP_RETURN_IF_ERROR(GitStatus(rc, "read note"));
  NotePtr note(raw);
  json parsed = ParseJsonOrDiscarded(git_note_message(raw));
  if (parsed.is_discarded()) {
    records.push_back(git_note_message(raw));  // a note someone else wrote as text: keep it
  } else if (parsed.is_array()) {
    records = std::move(parsed);
  } else {
    records.push_back(std::move(parsed));
  }
  return records;
}

}  // namespace

Result<std::string> Libgit2Repository::WriteNoteCommit(git_repository* repo,
                                                       const std::string& commit,
                                                       const std::string& document,
                                                       std::string* parent) {
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr target, LookupCommit(repo, commit, kInMirror));
  CommitPtr notes;
  Result<std::string> tip = ResolveIn(repo, options_.notes_ref);
  *parent = tip.ok() ? *tip : "";
  if (tip.ok()) {
    DATAMCP_ASSIGN_OR_RETURN(notes, LookupCommit(repo, *tip, kInMirror));
  }
  DATAMCP_ASSIGN_OR_RETURN(json records,
                           ReadRecords(repo, notes.get(), *git_commit_id(target.get())));
  records.push_back(ParseJsonOrDiscarded(document));
  std::string text = records.dump(2) + "\n";
  git_signature* sig_raw = nullptr;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_signature_new(&sig_raw, options_.committer.name.c_str(),
                                  options_.committer.email.c_str(), clock_.UnixSeconds(), 0),
                "notes signature"));
  SignaturePtr sig(sig_raw);
  git_oid notes_commit, notes_blob;
  DATAMCP_RETURN_IF_ERROR(
      GitStatus(git_note_commit_create(&notes_commit, &notes_blob, repo, notes.get(), sig.get(),
                                       sig.get(), git_commit_id(target.get()), text.c_str(), 1),
                "write note on " + commit));
  return OidHex(notes_commit);
}

Status Libgit2Repository::AddNote(const std::string& commit, const std::string& document) {
  json parsed = ParseJsonOrDiscarded(document);
  if (parsed.is_discarded()) {
    return InvalidArgument("the note for " + commit + " is not valid JSON; give one JSON document");
  }
  std::lock_guard<std::mutex> lock(notes_mu_);
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  git_repository* repo = lease.get();
  const std::string spec = "+" + options_.notes_ref + ":" + options_.notes_ref;
  Status last;
  for (int attempt = 1; attempt <= options_.max_note_attempts; ++attempt) {
    DATAMCP_RETURN_IF_ERROR(FetchRefspecs(repo, {spec}, false));
    std::string parent;
    DATAMCP_ASSIGN_OR_RETURN(std::string notes_commit,
                             WriteNoteCommit(repo, commit, document, &parent));
    Result<PushResult> pushed = PushCommit(repo, notes_commit, options_.notes_ref, parent);
    if (pushed.ok() && pushed->ok) {
      git_oid id;
      git_oid_fromstr(&id, notes_commit.c_str());
      return UpdateMirrorRef(repo, options_.notes_ref, &id, "datamcp note");
    }
    if (!pushed.ok() && pushed.status().code() != StatusCode::kConflict) return pushed.status();
    last = pushed.ok()
               ? Conflict("the remote rejected " + options_.notes_ref + ": " + pushed->message)
               : pushed.status();
    if (pushed.ok() && pushed->message.find("hook") != std::string::npos) {
      return PermissionDenied(last.message());
    }
    log::Info("git_notes_retry",
              {{"commit", commit}, {"attempt", attempt}, {"reason", last.message()}});
  }
  return last.WithContext("note on " + commit + " not recorded after retries");
}

Result<std::vector<std::string>> Libgit2Repository::ReadNotes(const std::string& commit) {
  DATAMCP_ASSIGN_OR_RETURN(Lease lease, Acquire());
  git_repository* repo = lease.get();
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr target, LookupCommit(repo, commit, kInMirror));
  std::vector<std::string> out;
  Result<std::string> tip = ResolveIn(repo, options_.notes_ref);
  if (!tip.ok()) return out;
  DATAMCP_ASSIGN_OR_RETURN(CommitPtr notes, LookupCommit(repo, *tip, kInMirror));
  DATAMCP_ASSIGN_OR_RETURN(json records,
                           ReadRecords(repo, notes.get(), *git_commit_id(target.get())));
  for (const json& r : records) out.push_back(r.dump());
  return out;
}

}  // namespace datamcp::git
