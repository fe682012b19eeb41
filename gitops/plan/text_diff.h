#pragma once

#include <string>
#include <string_view>

namespace datamcp::plan {

// A unified diff (as `diff -u` prints it: "--- a", "+++ b", "@@ -l,n +l,n @@" hunks with
// `context` lines around each change) of two texts compared line by line with Myers'
// algorithm. Empty when the texts are equal. When the texts differ in more than
// kMaxEditDistance lines, the diff shows all of `before` removed and all of `after` added
// instead of searching for the shortest edit (bounded time and memory).
std::string UnifiedDiff(std::string_view before, std::string_view after,
                        std::string_view before_label, std::string_view after_label,
                        int context = 3);

inline constexpr int kMaxEditDistance = 4000;

}  // namespace datamcp::plan
