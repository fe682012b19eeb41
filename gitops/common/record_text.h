#pragma once

#include <string>
#include <string_view>

#include "gitops/common/status.h"

namespace datamcp {

// Text that a caller (an agent, a forge user) gives and that DataMCP writes into its own
// records: commit messages, pull request bodies, merge commits. Git is the audit log, so
// no such text may produce a line that reads as one of DataMCP's trailers
// ("Datamcp-Requested-By: ...") or as the identity trailers git tools honour
// ("Co-authored-by", "Signed-off-by"), and a title may not read as a merge record.

// True when `line` (leading blanks ignored) reads as a reserved trailer: a key of letters,
// digits and '-' that starts with "Datamcp-" or is "Co-authored-by" / "Signed-off-by"
// (any case), then optional blanks and ':'.
bool ReadsAsReservedTrailer(std::string_view line);

// A title is one line of printable text (no CR, LF or other control character), does not
// start with "Merge pull request #" and is not a reserved trailer. InvalidArgument names
// `field` (e.g. "arguments.title") and says what to do.
Status CheckRecordTitle(std::string_view field, std::string_view title);

// Multi-line text (a description): no line reads as a reserved trailer, and no control
// character other than tab, LF and CR. InvalidArgument names `field` and the line.
Status CheckRecordText(std::string_view field, std::string_view text);

// The first line of `text`, without trailing blanks or CR (for titles built from
// forge data).
std::string FirstLineOf(std::string_view text);

// The value of trailer `key` ("Datamcp-Tool") in the trailer block (the last paragraph) of a
// commit message, or "". The last occurrence wins; a "Key: value" line in the body is text.
std::string Trailer(const std::string& message, const std::string& key);

}  // namespace datamcp
