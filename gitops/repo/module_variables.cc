#include "gitops/repo/module_variables.h"

#include <cctype>
#include <set>

#include "gitops/repo/hcl_lexer.h"

namespace datamcp::repo {
namespace {

using Tok = HclTok;
using Token = HclToken;

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string Unescape(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      char n = raw[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += raw[i];
    }
  }
  return out;
}

class VariableParser {
 public:
  VariableParser(std::string_view src, std::vector<Token> tokens, std::string_view what)
      : src_(src), t_(std::move(tokens)), what_(what) {}

  Result<std::vector<ModuleVariable>> Run() {
    int depth = 0;
    std::set<std::string> seen;
    for (i_ = 0; i_ < t_.size(); ++i_) {
      const Token& tok = t_[i_];
      if (tok.kind == Tok::kOpen) ++depth;
      if (tok.kind == Tok::kClose && --depth < 0)
        return Error("unbalanced '" + tok.text + "'", tok.line);
      if (depth != 0 || tok.kind != Tok::kIdent || tok.text != "variable") continue;
      if (!LineStart(i_)) continue;
      if (i_ + 2 >= t_.size() || t_[i_ + 1].kind != Tok::kString || t_[i_ + 2].text != "{") {
        return Error("expected variable \"name\" {", tok.line);
      }
      ModuleVariable var;
      var.name = t_[i_ + 1].text;
      if (!seen.insert(var.name).second)
        return Error("variable '" + var.name + "' is declared twice", tok.line);
      i_ += 3;
      DATAMCP_RETURN_IF_ERROR(ReadBody(&var));
      vars_.push_back(std::move(var));
    }
    if (depth != 0)
      return Error("unbalanced braces: missing '}' at end of file",
                   t_.empty() ? 1 : t_.back().line);
    return std::move(vars_);
  }

 private:
  Status Error(const std::string& why, int line) const {
    return InvalidArgument(std::string(what_) + ": line " + std::to_string(line) + ": " + why);
  }
  bool LineStart(std::size_t i) const {
    return i == 0 || t_[i - 1].kind == Tok::kNewline || t_[i - 1].text == "{";
  }

  // i_ is just past the block's '{'; leaves i_ on the matching '}'.
  Status ReadBody(ModuleVariable* var) {
    int depth = 0;
    int start_line = t_[i_ - 1].line;
    for (; i_ < t_.size(); ++i_) {
      const Token& tok = t_[i_];
      if (tok.kind == Tok::kOpen) ++depth;
      if (tok.kind == Tok::kClose && depth-- == 0) return Status::Ok();
      if (depth != 0 || tok.kind != Tok::kIdent || !LineStart(i_)) continue;
      if (i_ + 1 >= t_.size() || t_[i_ + 1].kind != Tok::kEquals) continue;
      std::string value = ReadExpression(i_ + 2);
      if (tok.text == "type") var->type = value;
      if (tok.text == "default") var->required = false;
      if (tok.text == "sensitive") var->sensitive = value == "true";
      if (tok.text == "description" && i_ + 2 < t_.size() && t_[i_ + 2].kind == Tok::kString)
        var->description = Unescape(t_[i_ + 2].text);
    }
    return Error("variable '" + var->name + "' has no closing '}'", start_line);
  }

  // The raw text of the expression starting at token `from`, up to the newline that ends it.
  std::string ReadExpression(std::size_t from) const {
    int depth = 0;
    std::size_t j = from;
    for (; j < t_.size(); ++j) {
      if (t_[j].kind == Tok::kOpen) ++depth;
      if (t_[j].kind == Tok::kClose && --depth < 0) break;
      if (t_[j].kind == Tok::kNewline && depth == 0) break;
    }
    if (from >= t_.size() || j == from) return "";
    return Trim(src_.substr(t_[from].begin, t_[j - 1].end - t_[from].begin));
  }

  std::string_view src_;
  std::vector<Token> t_;
  std::string_view what_;
  std::size_t i_ = 0;
  std::vector<ModuleVariable> vars_;
};

}  // namespace

Result<std::vector<ModuleVariable>> ParseModuleVariables(std::string_view variables_tf,
                                                         std::string_view what) {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<Token> tokens, LexHcl(variables_tf, what));
  return VariableParser(variables_tf, std::move(tokens), what).Run();
}

}  // namespace datamcp::repo
