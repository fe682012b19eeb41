#include "gitops/repo/hcl_lexer.h"

#include <cctype>

namespace datamcp::repo {
namespace {

class Lexer {
 public:
  Lexer(std::string_view src, std::string_view what) : src_(src), what_(what) {}

  Result<std::vector<HclToken>> Run() {
    while (pos_ < src_.size()) DATAMCP_RETURN_IF_ERROR(Next());
    return std::move(tokens_);
  }

 private:
  Status Error(const std::string& why, int line) const {
    return InvalidArgument(std::string(what_) + ": line " + std::to_string(line) + ": " + why);
  }
  char At(std::size_t i) const { return i < src_.size() ? src_[i] : '\0'; }
  void Push(HclTok kind, std::string text, std::size_t begin) {
    tokens_.push_back({kind, std::move(text), line_, begin, pos_});
  }

  Status Next() {
    char c = src_[pos_];
    std::size_t begin = pos_;
    if (c == '\n') {
      ++pos_;
      Push(HclTok::kNewline, "", begin);
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
      tokens_.push_back({HclTok::kString, std::string(src_.substr(begin + 1, pos_ - begin - 2)),
                         line, begin, pos_});
      return Status::Ok();
    }
    if (c == '<' && At(pos_ + 1) == '<' && (std::isalpha(At(pos_ + 2)) || At(pos_ + 2) == '-')) {
      DATAMCP_RETURN_IF_ERROR(SkipHeredoc());
      Push(HclTok::kOther, "<<", begin);
      return Status::Ok();
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (std::isalnum(static_cast<unsigned char>(At(pos_))) || At(pos_) == '_' ||
             At(pos_) == '-')
        ++pos_;
      Push(HclTok::kIdent, std::string(src_.substr(begin, pos_ - begin)), begin);
      return Status::Ok();
    }
    ++pos_;
    if (c == '{' || c == '[' || c == '(')
      Push(HclTok::kOpen, std::string(1, c), begin);
    else if (c == '}' || c == ']' || c == ')')
      Push(HclTok::kClose, std::string(1, c), begin);
    else if (c == '=' && At(pos_) != '=' && At(pos_) != '>' && At(begin - 1) != '=' &&
             At(begin - 1) != '!' && At(begin - 1) != '<' && At(begin - 1) != '>')
      Push(HclTok::kEquals, "=", begin);
    else if (!std::isspace(static_cast<unsigned char>(c)))
      Push(HclTok::kOther, std::string(1, c), begin);
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

  // pos_ at the opening quote; leaves pos_ after the closing one. Templates may nest strings
  // that hold templates again; what is open is kept on a stack, not in recursion, so a
  // proposal cannot overflow the thread's stack, and nesting past kMaxNesting is an error.
  Status SkipString() {
    static constexpr std::size_t kMaxNesting = 256;
    struct Open {
      bool is_template;
      int braces;  // unclosed `{` of a template, its own included
    };
    const int line = line_;
    std::vector<Open> open{{false, 0}};
    ++pos_;
    while (!open.empty()) {
      if (pos_ >= src_.size()) {
        return Error(open.back().is_template ? "unterminated ${ template" : "unterminated string",
                     line);
      }
      if (open.size() > kMaxNesting) {
        return Error("strings and ${ templates nest deeper than " + std::to_string(kMaxNesting) +
                         " levels; simplify the expression",
                     line);
      }
      const char c = src_[pos_];
      Open& top = open.back();
      if (top.is_template) {
        if (c == '"') {
          open.push_back({false, 0});
        } else if (c == '{') {
          ++top.braces;
        } else if (c == '}' && --top.braces == 0) {
          open.pop_back();
        }
        ++pos_;
        continue;
      }
      if (c == '\n') return Error("unterminated string", line);
      if (c == '\\') {
        pos_ += 2;
      } else if (c == '"') {
        ++pos_;
        open.pop_back();
      } else if ((c == '$' || c == '%') && At(pos_ + 1) == '{') {
        pos_ += 2;
        open.push_back({true, 1});
      } else {
        ++pos_;
      }
    }
    return Status::Ok();
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
  std::vector<HclToken> tokens_;
};

}  // namespace

Result<std::vector<HclToken>> LexHcl(std::string_view src, std::string_view what) {
  return Lexer(src, what).Run();
}

}  // namespace datamcp::repo
