#include "gitops/apply/apply_note.h"

#include <charconv>

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"

namespace datamcp::apply {

using nlohmann::json;

json ToJson(const ApplyNote& n) {
  json out = {{"type", "apply"},
              {"project", n.project},
              {"kind", n.kind},
              {"env", n.env},
              {"pull_request", n.pull_request},
              {"merge_commit", n.merge_commit},
              {"reviewed", n.reviewed},
              {"result", n.result},
              {"summary", n.summary},
              {"detail", n.detail},
              {"requester", n.requester},
              {"tool", n.tool},
              {"merged_by", n.merged_by},
              {"approvers", n.approvers},
              {"reviewed_fingerprint", n.reviewed_fingerprint},
              {"fingerprint", n.fingerprint},
              {"argocd", n.argocd.is_null() ? json::object() : n.argocd},
              {"started_at", n.started_at},
              {"finished_at", n.finished_at}};
  if (!n.resolution.is_null()) out["resolution"] = n.resolution;
  if (!n.changes.is_null()) out["changes"] = n.changes;
  if (!n.destroy.is_null()) out["destroy"] = n.destroy;
  if (!n.policy.is_null()) out["policy"] = n.policy;
  if (n.stale_approvals.is_array() && !n.stale_approvals.empty()) {
    out["stale_approvals"] = n.stale_approvals;
  }
  if (!n.forced_merge.empty()) out["forced_merge"] = n.forced_merge;
  return out;
}

bool IsApplyRecord(const json& note, const std::string& commit) {
  using namespace json_fields;
  return String(note, "type") == "apply" && !String(note, "project").empty() &&
         !String(note, "result").empty() && !commit.empty() &&
         String(note, "merge_commit") == commit;
}

std::optional<json> FindApplyNote(const std::vector<std::string>& notes, const std::string& commit,
                                  const std::string& project) {
  for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
    json note = ParseJsonOrDiscarded(*it);
    if (IsApplyRecord(note, commit) && json_fields::String(note, "project") == project) {
      return note;
    }
  }
  return std::nullopt;
}

int IgnoredApplyNotes(const std::vector<std::string>& notes, const std::string& commit) {
  int ignored = 0;
  for (const auto& text : notes) {
    json note = ParseJsonOrDiscarded(text);
    if (json_fields::String(note, "type") == "apply" && !IsApplyRecord(note, commit)) ++ignored;
  }
  return ignored;
}

namespace {

int ParseNumberAt(const std::string& s, std::size_t pos) {
  int n = 0;
  auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), n);
  return ec == std::errc() && ptr != s.data() + pos ? n : 0;
}

}  // namespace

int PullRequestOfMerge(const std::string& message) {
  const std::string merge = "Merge pull request #";
  if (message.starts_with(merge)) return ParseNumberAt(message, merge.size());
  std::string first = message.substr(0, message.find('\n'));
  while (!first.empty() && first.back() == ' ') first.pop_back();
  auto open = first.rfind("(#");
  if (open != std::string::npos && first.ends_with(")")) return ParseNumberAt(first, open + 2);
  return 0;
}

}  // namespace datamcp::apply
