#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/status.h"

namespace datamcp::repo {

// Checks a path inside the repository that came from configuration or a tool argument:
// non-empty, relative, '/'-separated, no empty, "." or ".." segments, no ".git" segment
// (any case), no backslash, NUL or control characters, at most 4096 bytes. A single
// trailing '/' is allowed. `what` names the input in the error.
Status ValidateRepoPath(std::string_view path, std::string_view what);

// The path without a trailing '/'.
std::string NormalizeRepoPath(std::string_view path);

// True when `path` is `root` or below it, segment-wise ("helm/values2" is not under
// "helm/values"). Both must already be valid repository paths.
bool IsUnderRoot(std::string_view path, std::string_view root);

// The relative path from directory `from_dir` to `to` ("infra/terraform/envs/dev",
// "infra/terraform/modules/gcs" -> "../../modules/gcs").
std::string RelativePath(std::string_view from_dir, std::string_view to);

}  // namespace datamcp::repo
