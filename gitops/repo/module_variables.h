#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::repo {

// One `variable "name" { ... }` block of a module's variables.tf.
struct ModuleVariable {
  std::string name;
  std::string type;         // the type expression as written ("string", "map(string)"); "" = any
  std::string description;  // the string literal, unescaped only for \" and \\ (may be "")
  bool required = true;     // false when the block has a top-level `default` attribute
  bool sensitive = false;
};

// Scans variables.tf text for top-level `variable "name" { ... }` blocks. It is a small
// scanner, not an HCL parser: it skips comments (#, //, /* */), quoted strings (with
// escapes and ${...} templates) and heredocs while matching braces, and reads only the
// block's own top-level `type`, `description`, `default` and `sensitive` attributes
// (nested `validation` blocks are skipped). It does not evaluate expressions, handle
// JSON-syntax files (*.tf.json), or a `type` split across lines beyond its first line.
// Errors (kInvalidArgument, naming `what` and the line): unbalanced braces, unterminated
// string or heredoc, a variable block without a quoted name, duplicate names.
Result<std::vector<ModuleVariable>> ParseModuleVariables(std::string_view variables_tf,
                                                         std::string_view what);

}  // namespace datamcp::repo
