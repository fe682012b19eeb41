#include "gitops/repo/module_variables.h"

#include <cctype>
#include <set>

namespace datamcp::repo {
namespace {

enum class Tok { kIdent, kString, kOpen, kClose, kEquals, kNewline, kOther };

struct Token {
  Tok kind;
  std::string text;  // identifier, or string contents (raw, escapes kept)
  int line;
  std::size_t begin, end;  // byte offsets in the source
};

class Lexer {
 public:
  Lexer(std::string_view src, std::string_view what) : src_(src), what_(what) {}

  Result<std::vector<Token>> Run() {
    while (pos_ < src_.size()) DATAMCP_RETURN_IF_ERROR(Next());
    return std::move(tokens_);
  }

 private:
  Status Error(const std::string& why, int line) const {
    return InvalidArgument(std::string(what_) + ": line " + std::to_string(line) + ": " + why);
  }
  char At(std::size_t i) const { return i < src_.size() ? src_[i] : '\0'; }
  void Push(Tok kind, std::string text, std::size_t begin) {
    tokens_.push_back({kind, std::move(text), line_, begin, pos_});
  }

  Status Next() {
    char c = src_[pos_];
    std::size_t begin = pos_;
    if (c == '\n') {
      ++pos_;
      Push(Tok::kNewline, "", begin);
      ++line_;
      return Status::Ok();
    }
    if (c == '#' || (c == '/' && At(pos_ + 1) == '/')) {
      while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      return Status::Ok();
    }
    if (c == '/' && At(pos_ + 1) == '*') return SkipBlockComment();
    if (c == '"') {
      int line = line_;
      DATAMCP_RETURN_IF_ERROR(SkipString());
      tokens_.push_back(
          {Tok::kString, std::string(src_.substr(begin + 1, pos_ - begin - 2)), line, begin, pos_});
      return Status::Ok();
    }
    if (c == '<' && At(pos_ + 1) == '<' && (std::isalpha(At(pos_ + 2)) || At(pos_ + 2) == '-')) {
      DATAMCP_RETURN_IF_ERROR(SkipHeredoc());
      Push(Tok::kOther, "<<", begin);
      return Status::Ok();
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (std::isalnum(static_cast<unsigned char>(At(pos_))) || At(pos_) == '_' ||
             At(pos_) == '-')
        ++pos_;
      Push(Tok::kIdent, std::string(src_.substr(begin, pos_ - begin)), begin);
      return Status::Ok();
    }
    ++pos_;
    if (c == '{' || c == '[' || c == '(')
      Push(Tok::kOpen, std::string(1, c), begin);
    else if (c == '}' || c == ']' || c == ')')
      Push(Tok::kClose, std::string(1, c), begin);
    else if (c == '=' && At(pos_) != '=' && At(pos_) != '>' && At(begin - 1) != '=' &&
             At(begin - 1) != '!' && At(begin - 1) != '<' && At(begin - 1) != '>')
      Push(Tok::kEquals, "=", begin);
    else if (!std::isspace(static_cast<unsigned char>(c)))
      Push(Tok::kOther, std::string(1, c), begin);
    return Status::Ok();
  }

  Status SkipBlockComment() {
    int line = line_;
    std::size_t end = src_.find("*/", pos_ + 2);
    if (end == std::string_view::npos) return Error("unterminated /* comment", line);
    for (std::size_t i = pos_; i < end; ++i) line_ += src_[i] == '\n';
    pos_ = end + 2;
    return Status::Ok();
  }

  // pos_ at the opening quote; leaves pos_ after the closing one. Templates may nest strings.
  Status SkipString() {
    int line = line_;
    ++pos_;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\n') return Error("unterminated string", line);
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if ((c == '$' || c == '%') && At(pos_ + 1) == '{') {
        pos_ += 2;
        DATAMCP_RETURN_IF_ERROR(SkipTemplate(line));
        continue;
      }
      ++pos_;
    }
    return Error("unterminated string", line);
  }

  Status SkipTemplate(int line) {
    int depth = 1;
    while (pos_ < src_.size() && depth > 0) {
      char c = src_[pos_];
      if (c == '"') {
        DATAMCP_RETURN_IF_ERROR(SkipString());
        continue;
      }
      depth += (c == '{') - (c == '}');
      ++pos_;
    }
    return depth == 0 ? Status::Ok() : Error("unterminated ${ template", line);
  }

  Status SkipHeredoc() {
    int line = line_;
    pos_ += 2;
    if (At(pos_) == '-') ++pos_;
    std::size_t start = pos_;
    while (std::isalnum(static_cast<unsigned char>(At(pos_))) || At(pos_) == '_') ++pos_;
    std::string marker(src_.substr(start, pos_ - start));
    std::size_t eol = src_.find('\n', pos_);
    while (eol != std::string_view::npos) {
      ++line_;
      std::size_t next = src_.find('\n', eol + 1);
      std::string_view text =
          src_.substr(eol + 1, (next == std::string_view::npos ? src_.size() : next) - eol - 1);
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
      if (text == marker) {
        pos_ = next == std::string_view::npos ? src_.size() : next;
        return Status::Ok();
      }
      eol = next;
    }
    return Error("unterminated heredoc <<" + marker, line);
  }

  std::string_view src_;
  std::string_view what_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::vector<Token> tokens_;
};

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
      if (tok.text == "description" && t_[i_ + 2].kind == Tok::kString)
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
  DATAMCP_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lexer(variables_tf, what).Run());
  return VariableParser(variables_tf, std::move(tokens), what).Run();
}

}  // namespace datamcp::repo
