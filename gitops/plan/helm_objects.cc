#include "gitops/plan/helm_objects.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <set>

#include "gitops/common/digest.h"
#include "gitops/plan/text_diff.h"

namespace datamcp::plan {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 256;
constexpr std::string_view kHelmFingerprintTag = "datamcp-helm-fingerprint-v1\n";

bool LooksNumeric(const std::string& s) {
  bool digit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9')
      digit = true;
    else if (std::string_view("+-.eE").find(c) == std::string_view::npos)
      return false;
  }
  return digit;
}

// YAML 1.2 core schema resolution of a plain (unquoted, untagged) scalar.
json ResolvePlain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  const char* begin = s.c_str();
  char* end = nullptr;
  bool hex = s.starts_with("0x"), octal = s.starts_with("0o");
  if (hex || octal || LooksNumeric(s)) {
    errno = 0;
    long long i = std::strtoll(begin + (hex || octal ? 2 : 0), &end, hex ? 16 : octal ? 8 : 10);
    if (errno == 0 && *end == '\0' && end != begin + (hex || octal ? 2 : 0)) return i;
    if (hex || octal) return s;
    errno = 0;
    double d = std::strtod(begin, &end);
    if (errno == 0 && *end == '\0') return d;
  }
  return s;
}

Result<json> ToJson(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) return InvalidArgument("YAML nesting is deeper than 256 levels");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      return node.Tag() == "?" ? ResolvePlain(node.Scalar()) : json(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const YAML::Node& item : node) {
        DATAMCP_ASSIGN_OR_RETURN(json v, ToJson(item, depth + 1));
        out.push_back(std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) return InvalidArgument("a mapping key is not a scalar");
        DATAMCP_ASSIGN_OR_RETURN(json v, ToJson(kv.second, depth + 1));
        out[kv.first.Scalar()] = std::move(v);
      }
      return out;
    }
  }
  return json(nullptr);
}

std::string StringAt(const json& obj, const char* a, const char* b = nullptr) {
  const json* v = obj.contains(a) ? &obj[a] : nullptr;
  if (v && b) v = v->is_object() && v->contains(b) ? &(*v)[b] : nullptr;
  return v && v->is_string() ? v->get<std::string>() : "";
}

Result<std::string> KeyOf(const json& obj, std::size_t doc) {
  std::string where = "rendered document " + std::to_string(doc + 1);
  if (!obj.is_object()) return InvalidArgument(where + " is not a mapping");
  std::string kind = StringAt(obj, "kind"), name = StringAt(obj, "metadata", "name");
  if (kind.empty() || name.empty()) {
    return InvalidArgument(where +
                           " has no kind or no metadata.name: every rendered document "
                           "must be a Kubernetes object");
  }
  return kind + "/" + StringAt(obj, "metadata", "namespace") + "/" + name;
}

void Emit(YAML::Emitter& out, const json& v) {
  if (v.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, item] : v.items()) {
      out << YAML::Key << k << YAML::Value;
      Emit(out, item);
    }
    out << YAML::EndMap;
  } else if (v.is_array()) {
    out << YAML::BeginSeq;
    for (const json& item : v) Emit(out, item);
    out << YAML::EndSeq;
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (!ResolvePlain(s).is_string()) out << YAML::DoubleQuoted;
    out << s;
  } else if (v.is_boolean()) {
    out << v.get<bool>();
  } else if (v.is_number_integer()) {
    out << v.get<long long>();
  } else if (v.is_number()) {
    out << v.get<double>();
  } else {
    out << YAML::Null;
  }
}

// Replaces the values of a Secret's data and stringData (see DiffObjects): the base side
// always shows "[MASKED]", the head side "[MASKED:changed]" where it differs from the base.
void RedactSecret(json* obj, const json* other, bool is_head) {
  if (StringAt(*obj, "kind") != "Secret") return;
  for (const char* field : {"data", "stringData"}) {
    if (!obj->contains(field) || !(*obj)[field].is_object()) continue;
    const json* theirs = other && other->contains(field) ? &(*other)[field] : nullptr;
    for (auto& [k, v] : (*obj)[field].items()) {
      bool same =
          !other || (theirs && theirs->is_object() && theirs->contains(k) && (*theirs)[k] == v);
      v = same || !is_head ? "[MASKED]" : "[MASKED:changed]";
    }
  }
}

}  // namespace

Result<RenderedObjects> ParseRenderedObjects(std::string_view yaml) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return InvalidArgument("rendered manifests are not valid YAML: " + std::string(e.what()));
  }
  RenderedObjects objects;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].IsNull()) continue;
    auto obj = ToJson(docs[i], 0);
    if (!obj.ok()) return obj.status().WithContext("rendered document " + std::to_string(i + 1));
    DATAMCP_ASSIGN_OR_RETURN(std::string key, KeyOf(*obj, i));
    if (!objects.emplace(key, std::move(*obj)).second) {
      return InvalidArgument("rendered document " + std::to_string(i + 1) + " repeats object " +
                             key + ": two templates render the same kind, namespace and name");
    }
  }
  return objects;
}

std::string FingerprintObjects(const RenderedObjects& objects) {
  json all(objects);
  return Sha256Hex(std::string(kHelmFingerprintTag) +
                   all.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string ObjectYaml(const json& object) {
  YAML::Emitter out;
  Emit(out, object);
  return std::string(out.c_str()) + "\n";
}

std::string_view ChangeTypeName(ObjectChange::Type type) {
  switch (type) {
    case ObjectChange::Type::kAdded:
      return "added";
    case ObjectChange::Type::kRemoved:
      return "removed";
    case ObjectChange::Type::kChanged:
      return "changed";
  }
  return "changed";
}

std::vector<ObjectChange> DiffObjects(const RenderedObjects& base, const RenderedObjects& head) {
  std::set<std::string> keys;
  for (const auto& [k, v] : base) keys.insert(k);
  for (const auto& [k, v] : head) keys.insert(k);
  std::vector<ObjectChange> changes;
  for (const std::string& key : keys) {
    auto b = base.find(key);
    auto h = head.find(key);
    const json* before = b == base.end() ? nullptr : &b->second;
    const json* after = h == head.end() ? nullptr : &h->second;
    if (before && after && *before == *after) continue;
    json shown_before = before ? *before : json(), shown_after = after ? *after : json();
    if (before) RedactSecret(&shown_before, after, false);
    if (after) RedactSecret(&shown_after, before, true);
    ObjectChange c;
    c.key = key;
    c.type = !before  ? ObjectChange::Type::kAdded
             : !after ? ObjectChange::Type::kRemoved
                      : ObjectChange::Type::kChanged;
    c.diff =
        UnifiedDiff(before ? ObjectYaml(shown_before) : "", after ? ObjectYaml(shown_after) : "",
                    before ? "base/" + key : "/dev/null", after ? "head/" + key : "/dev/null");
    changes.push_back(std::move(c));
  }
  return changes;
}

}  // namespace datamcp::plan
