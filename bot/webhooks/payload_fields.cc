#include "bot/webhooks/payload_fields.h"

#include <simdjson.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "gitops/common/json_parse.h"

namespace datamcp::bot {
namespace {

using nlohmann::json;
using Segments = std::vector<std::string_view>;

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

const std::vector<Segments>& TriggerSegments() {
  static const std::vector<Segments> kSegments = [] {
    std::vector<Segments> all;
    for (std::string_view path : kTriggerPaths) {
      Segments segments;
      for (std::size_t start = 0;;) {
        const std::size_t dot = path.find('.', start);
        segments.push_back(path.substr(start, dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
      }
      all.push_back(std::move(segments));
    }
    return all;
  }();
  return kSegments;
}

// Cuts `s` to at most kMaxTriggerString bytes without splitting a UTF-8 sequence (simdjson
// has validated it, so backing up over continuation bytes is enough).
std::string_view Cut(std::string_view s) {
  if (s.size() <= kMaxTriggerString) return s;
  std::size_t n = kMaxTriggerString;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::optional<json> Scalar(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      return json(std::string(Cut(std::string_view(e))));
    case simdjson::dom::element_type::INT64:
      return json(std::int64_t(e));
    case simdjson::dom::element_type::UINT64:
      return json(std::uint64_t(e));
    case simdjson::dom::element_type::DOUBLE:
      return json(double(e));
    case simdjson::dom::element_type::BOOL:
      return json(bool(e));
    case simdjson::dom::element_type::NULL_VALUE:
      return json(nullptr);
    default:
      return std::nullopt;  // objects and arrays are only walked through
  }
}

// The value at `path` inside `e`, wrapped in the objects (and arrays, for "name[]") that lead
// to it; nullopt when the payload does not have it.
std::optional<json> Extract(simdjson::dom::element e, std::span<const std::string_view> path) {
  if (path.empty()) return Scalar(e);
  std::string_view key = path.front();
  const bool each = key.ends_with("[]");
  if (each) key.remove_suffix(2);
  simdjson::dom::object object;
  simdjson::dom::element child;
  if (e.get_object().get(object) != simdjson::SUCCESS ||
      object.at_key(key).get(child) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  if (!each) {
    std::optional<json> inner = Extract(child, path.subspan(1));
    if (!inner) return std::nullopt;
    return json{{key, *std::move(inner)}};
  }
  simdjson::dom::array array;
  if (child.get_array().get(array) != simdjson::SUCCESS) return std::nullopt;
  json items = json::array();
  for (simdjson::dom::element item : array) {
    if (std::optional<json> inner = Extract(item, path.subspan(1))) items.push_back(*inner);
  }
  return json{{key, std::move(items)}};
}

// Adds the members of `from` to `into`, merging objects both have.
void Merge(json& into, json from) {
  for (auto& [key, value] : from.items()) {
    auto it = into.find(key);
    if (it != into.end() && it->is_object() && value.is_object()) {
      Merge(*it, std::move(value));
    } else {
      into[key] = std::move(value);
    }
  }
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
  json trigger = json::object();
  for (const Segments& path : TriggerSegments()) {
    if (std::optional<json> value = Extract(doc, path)) Merge(trigger, *std::move(value));
  }
  if (auto a = trigger.find("action"); a != trigger.end() && a->is_string()) {
    out->action = a->get<std::string>();
  }
  if (auto r = trigger.find("repository"); r != trigger.end()) {
    if (auto name = r->find("full_name"); name != r->end() && name->is_string()) {
      out->repository = name->get<std::string>();
    }
  }
  if (auto c = trigger.find("comment"); c != trigger.end()) {
    if (auto at = c->find("created_at"); at != c->end() && at->is_string()) {
      out->comment_created_at = at->get<std::string>();
    }
  }
  out->trigger = trigger.dump();
  return true;
}

}  // namespace datamcp::bot
