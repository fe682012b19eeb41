#include "gitops/repo/hcl_render.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace datamcp::repo {
namespace {

using nlohmann::json;

std::string Pad(int indent) { return std::string(static_cast<std::size_t>(indent) * 2, ' '); }

bool IsScalar(const json& v) { return !v.is_object() && !v.is_array(); }

std::string Key(const std::string& key) { return IsHclIdentifier(key) ? key : HclQuote(key); }

std::string Array(const json& value, int indent) {
  if (value.empty()) return "[]";
  bool all_scalar = true;
  for (const json& e : value) all_scalar = all_scalar && IsScalar(e);
  std::string out = "[";
  if (all_scalar) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      out += (i ? ", " : "") + HclExpression(value[i], indent);
    }
    return out + "]";
  }
  out += "\n";
  for (const json& e : value) out += Pad(indent + 1) + HclExpression(e, indent + 1) + ",\n";
  return out + Pad(indent) + "]";
}

}  // namespace

std::string HclQuote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char next = i + 1 < s.size() ? s[i + 1] : '\0';
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '$':
        out += next == '{' ? "$$" : "$";
        break;
      case '%':
        out += next == '{' ? "%%" : "%";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

bool IsHclIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

std::string HclExpression(const json& value, int indent) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::string:
      return HclQuote(value.get_ref<const std::string&>());
    case json::value_t::array:
      return Array(value, indent);
    case json::value_t::object:
      if (value.empty()) return "{}";
      return "{\n" + HclAttributes(value, indent + 1) + Pad(indent) + "}";
    default:
      return value.dump();  // numbers
  }
}

std::string HclAttributes(const json& object, int indent) {
  struct Line {
    std::string key, expr;
    bool multiline;
  };
  std::vector<Line> lines;
  for (auto it = object.begin(); it != object.end(); ++it) {
    std::string expr = HclExpression(it.value(), indent);
    lines.push_back({Key(it.key()), expr, expr.find('\n') != std::string::npos});
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size();) {
    if (lines[i].multiline) {
      out += Pad(indent) + lines[i].key + " = " + lines[i].expr + "\n";
      ++i;
      continue;
    }
    std::size_t end = i, width = 0;  // a run of single-line attributes aligns its '='
    for (; end < lines.size() && !lines[end].multiline; ++end) {
      width = std::max(width, lines[end].key.size());
    }
    for (; i < end; ++i) {
      out += Pad(indent) + lines[i].key + std::string(width - lines[i].key.size(), ' ') + " = " +
             lines[i].expr + "\n";
    }
  }
  return out;
}

}  // namespace datamcp::repo
