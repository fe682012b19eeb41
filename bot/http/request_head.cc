#include "bot/http/request_head.h"

#include <algorithm>
#include <cctype>

namespace datamcp::bot {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 token characters, the only ones a method or a header name may hold.
bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Visible characters, spaces and tabs (RFC 9110 field-value, without obs-text).
bool IsFieldText(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u < 0x7f);
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseRequestLine(std::string_view line, RequestHead* head) {
  const std::size_t a = line.find(' ');
  if (a == std::string_view::npos) return false;
  const std::size_t b = line.find(' ', a + 1);
  if (b == std::string_view::npos || line.find(' ', b + 1) != std::string_view::npos) return false;
  head->method = line.substr(0, a);
  head->target = line.substr(a + 1, b - a - 1);
  head->version = line.substr(b + 1);
  return IsToken(head->method) && !head->target.empty() && head->target.front() == '/' &&
         std::all_of(head->target.begin(), head->target.end(),
                     [](char c) { return c > 0x20 && c < 0x7f; }) &&
         (head->version == "HTTP/1.1" || head->version == "HTTP/1.0");
}

}  // namespace

std::optional<std::string_view> RequestHead::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

std::size_t RequestHead::Count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(headers.begin(), headers.end(), [&](const auto& h) {
    return EqualsIgnoreCase(h.first, name);
  }));
}

HeadParse ParseRequestHead(std::string_view bytes, RequestHead* head, std::size_t max_headers) {
  const std::size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return HeadParse::kIncomplete;
  *head = RequestHead{};
  head->size = end + 4;
  const std::string_view text = bytes.substr(0, end + 2);  // every line with its CRLF
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    const std::size_t eol = text.find("\r\n", pos);
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 2;
    // A bare CR or LF inside a line: parsers disagree on it (request smuggling).
    if (line.find_first_of("\r\n") != std::string_view::npos) return HeadParse::kUnusual;
    if (first) {
      if (!ParseRequestLine(line, head)) return HeadParse::kUnusual;
      first = false;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return HeadParse::kUnusual;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 1);
    if (!IsToken(name) || !IsFieldText(value)) return HeadParse::kUnusual;
    if (head->headers.size() == max_headers) return HeadParse::kUnusual;
    head->headers.emplace_back(name, Trim(value));
  }
  return HeadParse::kParsed;
}

}  // namespace datamcp::bot
