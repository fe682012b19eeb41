#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::repo {

// The `source` of every top-level `module "name" { ... }` block of one .tf file, in file
// order. A small scanner on LexHcl, not an HCL parser: only the block's own top-level
// `source = "..."` attribute counts (comments, other attributes, nested blocks and strings
// elsewhere are ignored); a source that is not one plain string literal (a template
// "${...}", an escape, an expression) is left out. Errors (kInvalidArgument, naming `what`
// and the line): what LexHcl refuses, and unbalanced braces.
Result<std::vector<std::string>> ParseModuleSources(std::string_view tf, std::string_view what);

// True for a local module source: it starts with "./" or "../" (Terraform's rule).
bool IsLocalModuleSource(std::string_view source);

// The repository path of the directory a local `source` names, resolved against `dir`
// (the directory of the .tf file). nullopt when the source is not local, leaves the
// repository root, or is not a valid repository path (ValidateRepoPath). "" never
// results: a source naming the repository root is refused too.
std::optional<std::string> ResolveLocalModuleSource(std::string_view dir, std::string_view source);

}  // namespace datamcp::repo
