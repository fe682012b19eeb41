#include "bot/webhooks/payload_fields.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <type_traits>

#include "gitops/common/json_parse.h"

namespace datamcp::bot {
namespace {

// Each HTTP thread keeps a parser for bodies up to this size (its buffers are reused); a
// larger body gets a parser of its own that is freed afterwards, so 25 MB payloads do not
// pin memory in every thread.
constexpr std::size_t kReusedParserCapacity = 1 << 20;

simdjson::dom::parser& ReusedParser() {
  thread_local simdjson::dom::parser parser(kReusedParserCapacity);
  return parser;
}

// Sets the parser's depth limit to kMaxJsonDepth (simdjson refuses deeper documents with
// DEPTH_ERROR). Only allocate() sets it; parse() keeps it when it grows the buffers.
bool LimitDepth(simdjson::dom::parser& parser) {
  constexpr std::size_t kInitialCapacity = 4096;
  return parser.max_depth() == kMaxJsonDepth ||
         parser.allocate(kInitialCapacity, kMaxJsonDepth) == simdjson::SUCCESS;
}

// kTriggerPaths as a tree: a node with no children is a path's last segment (a scalar is
// kept there); `each` marks a "name[]" segment. Children are in byte order, so the trigger's
// keys come out sorted, as nlohmann/json (which the handler reads it with) would write them.
struct PathNode {
  bool each = false;
  std::map<std::string_view, PathNode> children;
};

const PathNode& TriggerTree() {
  static const PathNode kTree = [] {
    PathNode root;
    for (std::string_view path : kTriggerPaths) {
      PathNode* node = &root;
      for (std::size_t start = 0;;) {
        const std::size_t dot = path.find('.', start);
        std::string_view key = path.substr(start, dot - start);
        const bool each = key.ends_with("[]");
        if (each) key.remove_suffix(2);
        node = &node->children[key];
        node->each = each;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
      }
    }
    return root;
  }();
  return kTree;
}

// Cuts `s` to at most kMaxTriggerString bytes without splitting a UTF-8 sequence (simdjson
// has validated it, so backing up over continuation bytes is enough).
std::string_view Cut(std::string_view s) {
  if (s.size() <= kMaxTriggerString) return s;
  std::size_t n = kMaxTriggerString;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// `s` as a JSON string: quotes, backslashes and control characters escaped, the rest (valid
// UTF-8) as it is.
void WriteString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
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
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

template <typename T>
void WriteNumber(T value, std::string& out) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string_view text(buffer, ec == std::errc() ? end - buffer : 0);
  out += text;
  // A double stays a double when read back: 2.0 is written "2.0", not "2".
  if constexpr (std::is_floating_point_v<T>) {
    if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
  }
}

// Writes `e` if it is a scalar; false (nothing written) for an object or an array.
bool WriteScalar(simdjson::dom::element e, std::string& out) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      WriteString(Cut(std::string_view(e)), out);
      return true;
    case simdjson::dom::element_type::INT64:
      WriteNumber(std::int64_t(e), out);
      return true;
    case simdjson::dom::element_type::UINT64:
      WriteNumber(std::uint64_t(e), out);
      return true;
    case simdjson::dom::element_type::DOUBLE:
      if (!std::isfinite(double(e))) {
        out += "null";
      } else {
        WriteNumber(double(e), out);
      }
      return true;
    case simdjson::dom::element_type::BOOL:
      out += bool(e) ? "true" : "false";
      return true;
    case simdjson::dom::element_type::NULL_VALUE:
      out += "null";
      return true;
    default:
      return false;  // objects and arrays are only walked through
  }
}

// Writes what `e` has of the paths below `node`, in the payload's shape: an object holds only
// the members that lead to a kept scalar, and "name[]" keeps such an object for each element
// that has one (the array itself is kept, even empty, when the payload has it). False, with
// nothing written, when `e` has none of them.
bool WriteKept(simdjson::dom::element e, const PathNode& node, std::string& out) {
  if (node.children.empty()) return WriteScalar(e, out);
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) return false;
  const std::size_t start = out.size();
  out += '{';
  bool any = false;
  for (const auto& [key, child] : node.children) {
    simdjson::dom::element value;
    if (object.at_key(key).get(value) != simdjson::SUCCESS) continue;
    const std::size_t member = out.size();
    if (any) out += ',';
    WriteString(key, out);
    out += ':';
    bool kept = false;
    simdjson::dom::array array;
    if (!child.each) {
      kept = WriteKept(value, child, out);
    } else if (value.get_array().get(array) == simdjson::SUCCESS) {
      out += '[';
      bool first = true;
      for (simdjson::dom::element item : array) {
        const std::size_t before = out.size();
        if (!first) out += ',';
        if (WriteKept(item, child, out)) {
          first = false;
        } else {
          out.resize(before);  // none of the paths: left out
        }
      }
      out += ']';
      kept = true;
    }
    if (kept) {
      any = true;
    } else {
      out.resize(member);
    }
  }
  if (!any) {
    out.resize(start);
    return false;
  }
  out += '}';
  return true;
}

// The string at `path` (cut as in the trigger), or empty when absent or not a string.
std::string StringAt(simdjson::dom::element doc, std::string_view path) {
  std::string_view value;
  if (doc.at_pointer(path).get_string().get(value) != simdjson::SUCCESS) return "";
  return std::string(Cut(value));
}

}  // namespace

bool ExtractPayloadFields(std::string_view body, PayloadFields* out, std::string* why) {
  *out = PayloadFields{};
  std::unique_ptr<simdjson::dom::parser> own;
  simdjson::dom::parser* parser = &ReusedParser();
  if (body.size() > kReusedParserCapacity) {
    own = std::make_unique<simdjson::dom::parser>(body.size());
    parser = own.get();
  }
  if (!LimitDepth(*parser)) {
    if (why) *why = "could not be parsed: out of memory";
    return false;
  }
  simdjson::dom::element doc;
  // parse() copies the body into its padded buffer and validates all of it (UTF-8 included).
  const simdjson::error_code parsed = parser->parse(body.data(), body.size()).get(doc);
  if (parsed == simdjson::DEPTH_ERROR) {
    if (why) {
      *why = "nests arrays/objects deeper than " + std::to_string(kMaxJsonDepth) +
             " levels, which is the limit";
    }
    return false;
  }
  if (parsed != simdjson::SUCCESS || doc.type() != simdjson::dom::element_type::OBJECT) {
    if (why) *why = "is not a JSON object";
    return false;
  }
  out->trigger.reserve(512);
  if (!WriteKept(doc, TriggerTree(), out->trigger)) out->trigger = "{}";
  out->action = StringAt(doc, "/action");
  out->repository = StringAt(doc, "/repository/full_name");
  out->comment_created_at = StringAt(doc, "/comment/created_at");
  return true;
}

}  // namespace datamcp::bot
