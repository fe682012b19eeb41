#include "gitops/repo/module_sources.h"

#include "gitops/common/repo_path.h"
#include "gitops/repo/hcl_lexer.h"

namespace datamcp::repo {
namespace {

bool LineStart(const std::vector<HclToken>& t, std::size_t i) {
  return i == 0 || t[i - 1].kind == HclTok::kNewline || t[i - 1].text == "{";
}

// A string token usable as a path as written: no template, no escape.
bool PlainLiteral(const HclToken& tok) {
  return tok.kind == HclTok::kString && tok.text.find("${") == std::string::npos &&
         tok.text.find("%{") == std::string::npos && tok.text.find('\\') == std::string::npos;
}

// The token after `i` ends the attribute: a newline, the block's '}' or the end of input.
bool EndsAttribute(const std::vector<HclToken>& t, std::size_t i) {
  return i + 1 >= t.size() || t[i + 1].kind == HclTok::kNewline || t[i + 1].text == "}";
}

}  // namespace

Result<std::vector<std::string>> ParseModuleSources(std::string_view tf, std::string_view what) {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<HclToken> t, LexHcl(tf, what));
  std::vector<std::string> sources;
  int depth = 0;
  int module_depth = -1;  // depth inside the current module block's braces; -1 = not in one
  for (std::size_t i = 0; i < t.size(); ++i) {
    const HclToken& tok = t[i];
    if (tok.kind == HclTok::kOpen) ++depth;
    if (tok.kind == HclTok::kClose) {
      if (--depth < 0) {
        return InvalidArgument(std::string(what) + ": line " + std::to_string(tok.line) +
                               ": unbalanced '" + tok.text + "'");
      }
      if (depth == 0) module_depth = -1;
      continue;
    }
    if (tok.kind != HclTok::kIdent || !LineStart(t, i)) continue;
    if (depth == 0 && tok.text == "module" && i + 2 < t.size() &&
        t[i + 1].kind == HclTok::kString && t[i + 2].text == "{") {
      module_depth = 1;
      ++depth;  // the block's '{', consumed here
      i += 2;
      continue;
    }
    if (module_depth == 1 && depth == 1 && tok.text == "source" && i + 2 < t.size() &&
        t[i + 1].kind == HclTok::kEquals && PlainLiteral(t[i + 2]) && EndsAttribute(t, i + 2)) {
      sources.push_back(t[i + 2].text);
    }
  }
  if (depth != 0) {
    return InvalidArgument(std::string(what) + ": unbalanced braces: missing '}' at end of file");
  }
  return sources;
}

bool IsLocalModuleSource(std::string_view source) {
  return source.substr(0, 2) == "./" || source.substr(0, 3) == "../";
}

std::optional<std::string> ResolveLocalModuleSource(std::string_view dir, std::string_view source) {
  if (!IsLocalModuleSource(source)) return std::nullopt;
  std::vector<std::string> segments;
  auto push_all = [&segments](std::string_view path, bool allow_dots) {
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      std::string_view seg = path.substr(start, slash - start);
      start = slash + 1;
      if (seg.empty() || (allow_dots && seg == ".")) continue;
      if (allow_dots && seg == "..") {
        if (segments.empty()) return false;  // above the repository root
        segments.pop_back();
        continue;
      }
      segments.emplace_back(seg);
    }
    return true;
  };
  if (!push_all(dir, false) || !push_all(source, true) || segments.empty()) return std::nullopt;
  std::string out;
  for (const auto& seg : segments) out += (out.empty() ? "" : "/") + seg;
  if (!ValidateRepoPath(out, "module source").ok()) return std::nullopt;
  return out;
}

}  // namespace datamcp::repo
