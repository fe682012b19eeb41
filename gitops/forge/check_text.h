#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gitops/forge/forge.h"

namespace datamcp::forge {

// The details of a check run as markdown: `plain` shown verbatim in a code fence longer than
// any backtick run inside it, in at most `limit` bytes. When it does not fit, it is cut at the
// last line end that fits (a single longer line at a UTF-8 character boundary), the fence is
// closed, and a note outside it says that it was cut and how much is shown. "" for an empty
// `plain`. `limit` below kMinCheckTextLimit is raised to it.
std::string FenceCheckText(std::string_view plain, std::size_t limit = kMaxCheckOutputBytes);

inline constexpr std::size_t kMinCheckTextLimit = 1024;
// How the cut note starts (tests and readers look for it).
inline constexpr std::string_view kCheckTextCutNote = "*(Plan cut to fit";

}  // namespace datamcp::forge
