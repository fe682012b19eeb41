#include "gitops/proposal/approvals.h"

#include <algorithm>
#include <map>
#include <optional>

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"

namespace datamcp::proposal {

using nlohmann::json;

namespace {

// The fingerprint of `project` in one plan note, if it planned it successfully.
std::optional<std::string> ProjectFingerprint(const json& note, const std::string& project) {
  for (const auto& p : json_fields::Array(note, "projects")) {
    std::string fingerprint = json_fields::String(p, "fingerprint");
    if (json_fields::String(p, "project") == project && json_fields::Bool(p, "ok") &&
        !fingerprint.empty()) {
      return fingerprint;
    }
  }
  return std::nullopt;
}

std::string Short(const std::string& text) { return text.empty() ? "none" : text.substr(0, 12); }

}  // namespace

std::string FingerprintAt(const std::vector<std::string>& notes, const std::string& project,
                          long long at) {
  std::string before, after;
  for (const auto& text : notes) {
    json note = ParseJsonOrDiscarded(text);
    if (json_fields::String(note, "type") != "plan") continue;
    auto fingerprint = ProjectFingerprint(note, project);
    if (!fingerprint) continue;
    if (at == 0 || json_fields::Int(note, "at") <= at) {
      before = *fingerprint;  // notes are oldest first: the last one wins
    } else if (after.empty()) {
      after = *fingerprint;
    }
  }
  return before.empty() ? after : before;
}

std::string ApprovalBinding::DescribeStale() const {
  std::string out;
  for (const auto& s : stale) {
    out += (out.empty() ? "" : "; ") + s.user + " approved plan " + Short(s.fingerprint) +
           " (commit " + Short(s.commit) + "), not this one";
  }
  return out;
}

json ApprovalBinding::StaleJson() const {
  json out = json::array();
  for (const auto& s : stale) {
    out.push_back({{"user", s.user}, {"commit", s.commit}, {"fingerprint", s.fingerprint}});
  }
  return out;
}

Result<ApprovalBinding> BindApprovals(const std::vector<forge::Review>& reviews,
                                      const std::string& author, const std::string& project,
                                      const std::string& fingerprint, const NotesOf& notes_of) {
  std::map<std::string, const forge::Review*> latest;
  for (const auto& r : reviews) {
    if (r.state != forge::ReviewState::kCommented && r.state != forge::ReviewState::kPending) {
      latest[r.user] = &r;
    }
  }
  std::map<std::string, std::vector<std::string>> notes;  // per reviewed commit, read once
  ApprovalBinding out;
  for (const auto& [user, review] : latest) {
    if (review->state != forge::ReviewState::kApproved || user == author || user.empty()) continue;
    std::string given;
    if (auto it = review->fingerprints.find(project); it != review->fingerprints.end()) {
      given = it->second;
    } else if (!review->commit_sha.empty()) {
      if (!notes.contains(review->commit_sha)) {
        DATAMCP_ASSIGN_OR_RETURN(notes[review->commit_sha], notes_of(review->commit_sha));
      }
      given = FingerprintAt(notes[review->commit_sha], project, review->submitted_at);
    }
    if (!fingerprint.empty() && given == fingerprint) {
      out.current.push_back(user);
    } else {
      out.stale.push_back({user, review->commit_sha, given});
    }
  }
  return out;
}

}  // namespace datamcp::proposal
