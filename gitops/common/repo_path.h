#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/status.h"

namespace datamcp {

// The one validator of repository paths that came from outside (configuration, tool
// arguments, change sets). A path is refused when it is empty, longer than 4096 bytes,
// absolute, holds a backslash, NUL or control character, or has an empty, "." or ".."
// segment or a segment that git or some filesystem treats as the .git directory
// (IsGitDirAlias). This is the union git's own verify_path refuses with core.protectNTFS
// and core.protectHFS. Pure functions, thread-safe.

// True for a segment that names .git somewhere: ".git" in any case followed only by dots and
// spaces (Windows drops them), up to the end or a ':' (an NTFS alternate stream,
// ".git:foo" or ".git::$INDEX_ALLOCATION"); the NTFS 8.3 short name "GIT~1" the same way;
// and any of these with the Unicode code points HFS+ ignores (zero-width joiners,
// direction marks, U+FEFF) anywhere in it.
bool IsGitDirAlias(std::string_view segment);

// For paths from configuration (directories): as above, a single trailing '/' allowed.
// `what` names the input in the error ("what: 'p' is not a valid repository path: why").
Status ValidateRepoPath(std::string_view path, std::string_view what);

// For files a change set writes: as above, no trailing '/', and when `allowed_roots` is not
// empty the path must equal a root or lie under one ("envs/prod" allows
// "envs/prod/main.tf", not "envs/production/x"). InvalidArgument naming the path.
Status ValidateChangePath(std::string_view path, const std::vector<std::string>& allowed_roots);

// The path without a trailing '/'.
std::string NormalizeRepoPath(std::string_view path);

// True when `path` is `root` or below it, segment-wise ("helm/values2" is not under
// "helm/values"). Both must already be valid repository paths.
bool IsUnderRoot(std::string_view path, std::string_view root);

// The relative path from directory `from_dir` to `to` ("infra/terraform/envs/dev",
// "infra/terraform/modules/gcs" -> "../../modules/gcs").
std::string RelativePath(std::string_view from_dir, std::string_view to);

}  // namespace datamcp
