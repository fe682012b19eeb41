#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "gitops/common/result.h"

// Parsing JSON that came from outside: MCP messages (HTTP and stdio), webhook bodies, tokens,
// forge and Argo CD responses, git notes. nlohmann parses iteratively, but copying a value or
// dumping it recurses once per nesting level, so a body nested 100,000 deep is a one-request
// stack overflow somewhere after the parse. Every such parse goes through here and refuses a
// document nested deeper than the limit before a value is built.
namespace datamcp {

// Arrays and objects inside each other. Real MCP messages, GitHub payloads and JWKS stay
// under 20 levels.
inline constexpr int kMaxJsonDepth = 64;

// The deepest nesting of arrays and objects in `text`, counting at most up to `stop`
// (returns `stop` as soon as it is reached). Exact for valid JSON; for invalid JSON it is a
// bound the parser will refuse anyway. Iterative, O(size).
int JsonNestingDepth(std::string_view text, int stop = kMaxJsonDepth + 1);

// `text` as one JSON document. Errors:
//  - ResourceExhausted "<what> nests arrays/objects deeper than 64 levels; ..." (nothing parsed)
//  - InvalidArgument "<what> is not valid JSON: <where>".
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what,
                                 int max_depth = kMaxJsonDepth);

// For records that are skipped when unreadable: the value, or a discarded value
// (is_discarded()) when `text` is not JSON or nests deeper than `max_depth`. Never throws.
nlohmann::json ParseJsonOrDiscarded(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace datamcp
