#pragma once

#include <string>

#include "gitops/common/result.h"

namespace datamcp {

// Replaces `path` with `content` so that a crash (kill -9 or power loss) leaves either the
// old or the new file, never a torn one: write a temp file beside it, fsync it, rename it
// over, fsync the directory.
Status WriteFileDurably(const std::string& path, const std::string& content);

// The whole file; NotFound when it does not exist.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace datamcp
