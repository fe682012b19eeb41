#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/status.h"

namespace datamcp::git {

// Checks a repository-relative path that came from outside (a tool argument, a change set)
// before it touches a tree or the filesystem. Rejects, with an InvalidArgument naming the path:
// empty paths, absolute paths, backslashes, empty components ("a//b", trailing "/"), "." and
// ".." components, any ".git" component (case-insensitive, also ".git " and "git~1" forms that
// alias it on other filesystems), NUL and other control characters, and paths longer than
// 4096 bytes. When `allowed_roots` is not empty the path must equal a root or lie under one
// ("envs/prod" allows "envs/prod/main.tf", not "envs/production/x"); roots are themselves
// relative paths without a trailing slash. Pure function, thread-safe.
Status ValidateRepoPath(std::string_view path, const std::vector<std::string>& allowed_roots);

}  // namespace datamcp::git
