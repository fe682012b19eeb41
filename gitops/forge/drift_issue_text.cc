#include "gitops/forge/drift_issue_text.h"

#include <algorithm>

#include "gitops/forge/comment_split.h"
#include "gitops/forge/github_http.h"

namespace datamcp::forge {
namespace {

constexpr std::size_t kMaxTitleBytes = 256;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string Runbook() {
  return "**Runbook.** Decide which side is right. If the code is right (someone changed the "
         "infrastructure by hand), propose a change to the environment (for example "
         "`propose_change` or `refresh_proposal`); its reviewed apply brings the "
         "infrastructure back. If the manual change should stay, propose it into the code "
         "(`propose_terraform_module`, `propose_change`); if a merged change caused it, roll "
         "it back with `propose_rollback`. Never apply by hand.\n";
}

std::string ResourceLine(const DriftedAddress& r) {
  return "- " + MarkdownCode(r.action) + " " + MarkdownCode(r.address) + "\n";
}

}  // namespace

std::string MarkdownCode(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      clean += kReplacement;
    } else {
      clean += c;
    }
  }
  std::size_t fence = 1;
  for (std::size_t run = 0, i = 0; i < clean.size(); ++i) {
    run = clean[i] == '`' ? run + 1 : 0;
    fence = std::max(fence, run + 1);
  }
  std::string ticks(fence, '`');
  bool pad = clean.empty() || clean.front() == '`' || clean.back() == '`';
  std::string space = pad ? " " : "";
  return ticks + space + clean + space + ticks;
}

std::string DriftIssueMarker(std::string_view project) {
  return "<!-- datamcp:drift project=" + UrlEncode(project) + " -->";
}

bool IsDriftIssueBodyOf(std::string_view body, std::string_view project) {
  std::string marker = DriftIssueMarker(project);
  if (!body.starts_with(marker)) return false;
  std::string_view rest = body.substr(marker.size());
  return rest.starts_with("\n") || rest.starts_with("\r\n");
}

std::string DriftIssueTitle(const DriftReport& report) {
  std::string title = "Drift detected: " + report.environment + " (" + report.project + ")";
  for (char& c : title) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return title.substr(0, Utf8Floor(title, kMaxTitleBytes));
}

std::string DriftIssueBody(const DriftReport& report, std::size_t limit) {
  std::size_t n = report.resources.size();
  std::string head = DriftIssueMarker(report.project) + "\n### Drift detected in " +
                     MarkdownCode(report.environment) + " (" + MarkdownCode(report.project) +
                     ")\n\nThe drift check planned the default branch's tip " +
                     MarkdownCode(report.commit) + " and found " + std::to_string(n) +
                     (n == 1 ? " resource" : " resources") +
                     " whose real state differs from the code; a plan would:\n\n";
  std::string tail = "\n" + Runbook() +
                     "\nDataMCP edits this issue when the drift changes and closes it when a "
                     "check finds none. `datamcp drift` and `get_drift` show the same check.\n";
  std::string list;
  std::size_t shown = 0;
  // Room for the "and N more" line, whatever N is.
  constexpr std::size_t kMoreReserve = 96;
  for (const auto& r : report.resources) {
    std::string line = ResourceLine(r);
    if (head.size() + list.size() + line.size() + kMoreReserve + tail.size() > limit) break;
    list += line;
    ++shown;
  }
  if (shown < n) {
    list += "- ... and " + std::to_string(n - shown) + " more (`datamcp drift` lists them all)\n";
  }
  std::string body = head + list + tail;
  return body.size() <= limit ? body : body.substr(0, Utf8Floor(body, limit));
}

std::string DriftResolvedComment(std::string_view project, std::string_view commit) {
  return "The drift check at " + MarkdownCode(commit) + " found no drift in " +
         MarkdownCode(project) +
         ": the real state matches the code again. DataMCP closes this issue; a new drift "
         "opens a new one.\n";
}

}  // namespace datamcp::forge
