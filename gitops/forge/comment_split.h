#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/forge/forge.h"

namespace datamcp::forge {

// One block of plan output (e.g. "terraform plan: envs/prod"), shown folded.
struct PlanSection {
  std::string title;  // one line of plain text; HTML-escaped, newlines become spaces,
                      // cut to kMaxSectionTitleBytes
  std::string body;   // raw text, shown verbatim in a fenced code block
};

struct PlanComment {
  std::string summary;  // markdown, shown first and never cut
  std::vector<PlanSection> sections;
};

inline constexpr std::size_t kMaxSectionTitleBytes = 200;

// Splits a plan comment into parts, each at most `limit` bytes of UTF-8 (bytes, not
// characters: GitHub counts characters and a character is never fewer than one byte, so a
// part that fits in bytes always fits).
//
// Layout: part 1 starts with the summary, verbatim. Each section is
//   <details><summary>TITLE</summary>\n\n FENCE\n BODY FENCE\n\n</details>\n\n
// where FENCE is a run of backticks longer than any backtick run in the fenced text, so
// nothing inside can close it. Bodies are cut only at line ends; a single line that does not
// fit in a part is cut at a UTF-8 character boundary and the piece is followed (outside the
// fence) by kLineContinues. A section continued in a later part reopens its <details> with
// "TITLE (continued)". When there is more than one part, each part says "(part i of n)":
// part 1 at its end, later parts at their start. Every part is balanced markdown on its own.
// A body that does not end in a newline is shown as if it did.
//
// Errors: InvalidArgument when the summary (plus the part note) does not fit in one part, or
// when `limit` is too small to hold a section at all (< 1024).
Result<std::vector<std::string>> SplitPlanComment(const PlanComment& comment,
                                                  std::size_t limit = kMaxCommentPartBytes);

// The largest n' <= n that does not split a UTF-8 character of s (s.size() when n is past it).
std::size_t Utf8Floor(std::string_view s, std::size_t n);
// The backtick fence for `text`: longer than any backtick run in it, at least 3.
std::size_t FenceLength(std::string_view text);

// The line after a fenced piece whose last line continues in the next piece.
inline constexpr std::string_view kLineContinues = "*(this line continues in the next part)*";

}  // namespace datamcp::forge
