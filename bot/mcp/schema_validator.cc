#include "bot/mcp/schema_validator.h"

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <vector>

namespace datamcp::bot::mcp {

using json = nlohmann::json;

struct SchemaValidator::Node {
  std::vector<std::string> types;  // empty: any type
  std::map<std::string, Node> properties;
  std::vector<std::string> required;
  bool additional_forbidden = false;
  std::unique_ptr<Node> additional;
  std::optional<json> enum_values;
  std::optional<json> const_value;
  std::optional<std::size_t> min_length, max_length, min_items, max_items;
  std::optional<double> minimum, maximum;
  std::optional<std::regex> pattern;
  std::string pattern_source;
  std::unique_ptr<Node> items;
};

namespace {

using Node = SchemaValidator::Node;

const std::set<std::string>& IgnoredKeywords() {
  static const std::set<std::string> k = {"title",  "description", "default",  "examples",
                                          "format", "$schema",     "$comment", "readOnly"};
  return k;
}

Status Bad(const std::string& where, const std::string& what) {
  return InvalidArgument("tool schema at " + where + ": " + what);
}

Result<std::size_t> Count(const json& v, const std::string& where) {
  if (!v.is_number_integer() || v.get<long long>() < 0) {
    return Bad(where, "must be a non-negative integer");
  }
  return static_cast<std::size_t>(v.get<long long>());
}

Status CompileNode(const json& schema, const std::string& where, Node* out);

Status CompileTypes(const json& v, const std::string& where, Node* out) {
  static const std::set<std::string> known = {"string", "integer", "number", "boolean",
                                              "object", "array",   "null"};
  json list = v.is_array() ? v : json::array({v});
  for (const auto& t : list) {
    if (!t.is_string() || !known.count(t.get<std::string>())) {
      return Bad(where, "unknown type " + t.dump());
    }
    out->types.push_back(t.get<std::string>());
  }
  return Status::Ok();
}

Status CompileObjectKeywords(const std::string& key, const json& v, const std::string& where,
                             Node* out) {
  if (key == "properties") {
    if (!v.is_object()) return Bad(where, "properties must be an object");
    for (const auto& [name, sub] : v.items()) {
      DATAMCP_RETURN_IF_ERROR(CompileNode(sub, where + "." + name, &out->properties[name]));
    }
  } else if (key == "required") {
    if (!v.is_array()) return Bad(where, "required must be an array");
    for (const auto& r : v) {
      if (!r.is_string()) return Bad(where, "required entries must be strings");
      out->required.push_back(r.get<std::string>());
    }
  } else if (v.is_boolean()) {  // additionalProperties: bool
    out->additional_forbidden = !v.get<bool>();
  } else {
    out->additional = std::make_unique<Node>();
    return CompileNode(v, where + ".additionalProperties", out->additional.get());
  }
  return Status::Ok();
}

Status CompileKeyword(const std::string& key, const json& v, const std::string& where, Node* out) {
  if (key == "type") return CompileTypes(v, where, out);
  if (key == "properties" || key == "required" || key == "additionalProperties") {
    return CompileObjectKeywords(key, v, where, out);
  }
  if (key == "enum") {
    if (!v.is_array() || v.empty()) return Bad(where, "enum must be a non-empty array");
    out->enum_values = v;
  } else if (key == "const") {
    out->const_value = v;
  } else if (key == "minLength" || key == "maxLength" || key == "minItems" || key == "maxItems") {
    DATAMCP_ASSIGN_OR_RETURN(std::size_t n, Count(v, where + "." + key));
    (key == "minLength"   ? out->min_length
     : key == "maxLength" ? out->max_length
     : key == "minItems"  ? out->min_items
                          : out->max_items) = n;
  } else if (key == "minimum" || key == "maximum") {
    if (!v.is_number()) return Bad(where, key + " must be a number");
    (key == "minimum" ? out->minimum : out->maximum) = v.get<double>();
  } else if (key == "pattern") {
    if (!v.is_string()) return Bad(where, "pattern must be a string");
    try {
      out->pattern.emplace(v.get<std::string>(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Bad(where, "pattern does not compile: " + std::string(e.what()));
    }
    out->pattern_source = v.get<std::string>();
  } else if (key == "items") {
    out->items = std::make_unique<Node>();
    return CompileNode(v, where + "[]", out->items.get());
  } else if (!IgnoredKeywords().count(key)) {
    return Bad(where, "keyword \"" + key + "\" is not supported by the argument validator");
  }
  return Status::Ok();
}

Status CompileNode(const json& schema, const std::string& where, Node* out) {
  if (!schema.is_object()) return Bad(where, "a schema must be an object");
  for (const auto& [key, v] : schema.items()) {
    DATAMCP_RETURN_IF_ERROR(CompileKeyword(key, v, where, out));
  }
  if (out->pattern &&
      (!out->max_length || *out->max_length > SchemaValidator::kMaxPatternInputLength)) {
    return Bad(where, "a pattern needs maxLength <= " +
                          std::to_string(SchemaValidator::kMaxPatternInputLength));
  }
  return Status::Ok();
}

bool HasType(const json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "integer") {
    return v.is_number_integer() ||
           (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
  }
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  return v.is_null();
}

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string Show(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::size_t CodePoints(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Number(double d) {
  json j = d;
  if (std::floor(d) == d && std::fabs(d) < 1e15) j = static_cast<long long>(d);
  return j.dump();
}

using Error = std::optional<std::string>;

Error ValidateNode(const Node& node, const json& v, const std::string& path);

Error ValidateString(const Node& node, const std::string& s, const std::string& path) {
  std::size_t len = CodePoints(s);
  if (node.min_length && len < *node.min_length) {
    return path + ": must be at least " + std::to_string(*node.min_length) + " characters";
  }
  if (node.max_length && len > *node.max_length) {
    return path + ": must be at most " + std::to_string(*node.max_length) + " characters";
  }
  if (node.pattern && !std::regex_search(s, *node.pattern)) {
    return path + ": must match the pattern " + node.pattern_source;
  }
  return std::nullopt;
}

Error ValidateObject(const Node& node, const json& v, const std::string& path) {
  for (const auto& r : node.required) {
    if (!v.contains(r)) return path + "." + r + ": is required";
  }
  for (const auto& [key, value] : v.items()) {
    auto prop = node.properties.find(key);
    if (prop != node.properties.end()) {
      if (auto e = ValidateNode(prop->second, value, path + "." + key)) return e;
    } else if (node.additional_forbidden) {
      std::vector<std::string> allowed;
      for (const auto& [name, unused] : node.properties) allowed.push_back(name);
      return path + "." + key + ": is not an allowed property (allowed: " +
             (allowed.empty() ? "none" : Join(allowed, ", ")) + ")";
    } else if (node.additional) {
      if (auto e = ValidateNode(*node.additional, value, path + "." + key)) return e;
    }
  }
  return std::nullopt;
}

Error ValidateArray(const Node& node, const json& v, const std::string& path) {
  if (node.min_items && v.size() < *node.min_items) {
    return path + ": must have at least " + std::to_string(*node.min_items) + " items";
  }
  if (node.max_items && v.size() > *node.max_items) {
    return path + ": must have at most " + std::to_string(*node.max_items) + " items";
  }
  if (!node.items) return std::nullopt;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (auto e = ValidateNode(*node.items, v[i], path + "[" + std::to_string(i) + "]")) return e;
  }
  return std::nullopt;
}

Error ValidateNode(const Node& node, const json& v, const std::string& path) {
  if (!node.types.empty()) {
    bool ok = false;
    for (const auto& t : node.types) ok = ok || HasType(v, t);
    if (!ok) {
      const std::string& t = node.types[0];
      std::string article = (t == "integer" || t == "object" || t == "array") ? "an " : "a ";
      return path + ": must be " +
             (node.types.size() == 1 ? article + t : "one of types " + Join(node.types, ", "));
    }
  }
  if (node.enum_values) {
    bool found = false;
    std::vector<std::string> shown;
    for (const auto& e : *node.enum_values) {
      found = found || e == v;
      shown.push_back(Show(e));
    }
    if (!found) return path + ": must be one of " + Join(shown, ", ");
  }
  if (node.const_value && *node.const_value != v) {
    return path + ": must be " + Show(*node.const_value);
  }
  if (v.is_string()) return ValidateString(node, v.get_ref<const std::string&>(), path);
  if (v.is_number()) {
    double d = v.get<double>();
    if (node.minimum && d < *node.minimum) return path + ": must be >= " + Number(*node.minimum);
    if (node.maximum && d > *node.maximum) return path + ": must be <= " + Number(*node.maximum);
  }
  if (v.is_object()) return ValidateObject(node, v, path);
  if (v.is_array()) return ValidateArray(node, v, path);
  return std::nullopt;
}

}  // namespace

Result<SchemaValidator> SchemaValidator::Compile(const json& schema) {
  auto root = std::make_shared<Node>();
  DATAMCP_RETURN_IF_ERROR(CompileNode(schema, "inputSchema", root.get()));
  return SchemaValidator(std::move(root));
}

std::optional<std::string> SchemaValidator::Validate(const json& value,
                                                     const std::string& root) const {
  return ValidateNode(*root_, value, root);
}

}  // namespace datamcp::bot::mcp
