#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "gitops/common/result.h"

// UTC times as ISO 8601 / RFC 3339 text: the one home for writing and reading them.
namespace datamcp {

// "2016-07-11T22:14:10Z" for Unix seconds.
std::string FormatUtcIso8601(long long unix_seconds);

// "2016-07-11T22:14:10.123Z": with milliseconds, as log lines carry them.
std::string FormatUtcIso8601Millis(std::chrono::system_clock::time_point t);

// Unix seconds of "2016-07-11T22:14:10Z" (exactly that form, UTC, as GitHub writes it).
// InvalidArgument naming the text and the expected form otherwise.
Result<long long> ParseUtcIso8601(std::string_view text);

// Unix seconds of a day "2016-07-11" (its midnight, UTC) or of a time as above.
Result<long long> ParseUtcDateOrTime(std::string_view text);

}  // namespace datamcp
