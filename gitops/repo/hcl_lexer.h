#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::repo {

// The tokens of Terraform's native syntax that the small scanners of this folder need
// (module_variables, module_sources). Not an HCL parser: comments (#, //, /* */) are
// dropped; a quoted string (with escapes and ${...}/%{...} templates, which may nest
// strings) is one kString token; a heredoc is one kOther "<<" token; brackets are
// kOpen/kClose; a lone `=` (not ==, =>, !=, <=, >=) is kEquals; newlines are kept.

enum class HclTok { kIdent, kString, kOpen, kClose, kEquals, kNewline, kOther };

struct HclToken {
  HclTok kind;
  std::string text;  // identifier, or string contents (raw, escapes and templates kept)
  int line;
  std::size_t begin, end;  // byte offsets in the source
};

// Errors (kInvalidArgument, naming `what` and the line): unterminated string, template,
// heredoc or /* comment.
Result<std::vector<HclToken>> LexHcl(std::string_view src, std::string_view what);

}  // namespace datamcp::repo
