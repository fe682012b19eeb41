#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gitops/forge/forge.h"

// The drift report as a GitHub issue: its title, its markdown body and the comment that
// closes it. Pure functions; GithubForge sends what they return.
namespace datamcp::forge {

// The label every drift issue carries (what the bot lists them by).
inline constexpr std::string_view kDriftIssueLabel = "datamcp-drift";

// The hidden first line of the body of the drift issue of `project`:
// "<!-- datamcp:drift project=<project, percent-encoded> -->". The body starts with it, and
// nothing a resource or project name contains can produce it anywhere else (see
// MarkdownCode).
std::string DriftIssueMarker(std::string_view project);

// True when `body` starts with DriftIssueMarker(project) and a line end.
bool IsDriftIssueBodyOf(std::string_view body, std::string_view project);

// "Drift detected: <environment> (<project>)", one line, at most 256 bytes.
std::string DriftIssueTitle(const DriftReport& report);

// The marker line, then markdown: the resources with their actions (as many as fit in
// `limit` bytes, then how many more), the tip commit, and the runbook (propose the fix, or
// roll back). Every name is a code span (MarkdownCode). At most `limit` bytes.
std::string DriftIssueBody(const DriftReport& report, std::size_t limit = kMaxCommentBytes);

// The comment that closes the issue when the check at `commit` found no drift.
std::string DriftResolvedComment(std::string_view project, std::string_view commit);

// `text` as an inline code span that shows it verbatim: a backtick fence longer than any
// backtick run in it (padded with a space when it starts or ends with a backtick), control
// characters (line ends included) replaced by U+FFFD, so it cannot end the span, the line or
// the list item it sits in, nor read as HTML (an HTML comment, a marker) or a link.
std::string MarkdownCode(std::string_view text);

}  // namespace datamcp::forge
