#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace datamcp::repo {

// Renders JSON values as HCL2 literal expressions, laid out the way `terraform fmt` leaves
// them (two-space indent, '=' aligned within runs of single-line attributes), so generated
// files pass `terraform fmt -check` unchanged.

// A quoted HCL string: escapes \ " and control characters, and doubles the template
// introducers ("${" -> "$${", "%{" -> "%%{") so user text is never interpolated.
std::string HclQuote(std::string_view s);

// True for a valid HCL identifier: [A-Za-z_][A-Za-z0-9_-]*.
bool IsHclIdentifier(std::string_view s);

// The expression for `value` at nesting level `indent` (in units of two spaces). Objects
// become `{ key = value }` blocks over several lines (keys quoted when not identifiers),
// arrays of scalars one line, other arrays one element per line; null is `null`.
std::string HclExpression(const nlohmann::json& value, int indent);

// Attribute lines `name = expr` for each entry of `object` (in the object's order), at
// `indent`, with '=' aligned like terraform fmt. Each line ends with '\n'.
std::string HclAttributes(const nlohmann::json& object, int indent);

}  // namespace datamcp::repo
