#include "gitops/common/yaml_reader.h"

#include <algorithm>

#include "gitops/common/safe_yaml.h"

namespace datamcp {
namespace {

Status Bad(const std::string& key_path, const std::string& why) {
  return InvalidArgument(key_path + ": " + why);
}

std::string Got(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + YamlToShortString(node, 60) + "'";
  return std::string(YamlKindName(node));
}

}  // namespace

std::string_view YamlKindName(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "a string";
}

YamlMapReader::YamlMapReader(YAML::Node node, std::string path)
    : node_(std::move(node)), path_(std::move(path)) {}

std::string YamlMapReader::KeyPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

Status YamlMapReader::Check(std::initializer_list<std::string_view> known) const {
  std::string where = path_.empty() ? "the document" : path_;
  if (!node_.IsMap()) return Bad(where, "must be a map, got " + std::string(YamlKindName(node_)));
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) return Bad(where, "keys must be strings");
    const std::string& key = entry.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return Bad(KeyPath(key), "unknown key; known keys here: " + list);
  }
  return Status::Ok();
}

bool YamlMapReader::Has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)].IsDefined();
}

YAML::Node YamlMapReader::Child(std::string_view key) const {
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return node_[std::string(key)];
}

Status YamlMapReader::String(std::string_view key, std::string* out, bool required) const {
  YAML::Node v = Child(key);
  if (!v.IsDefined() || v.IsNull()) {
    return required ? Bad(KeyPath(key), "missing") : Status::Ok();
  }
  if (!v.IsScalar()) return Bad(KeyPath(key), "must be a string, got " + Got(v));
  if (required && v.Scalar().empty()) return Bad(KeyPath(key), "must not be empty");
  *out = v.Scalar();
  return Status::Ok();
}

Status YamlMapReader::Int(std::string_view key, int* out, int min, int max, bool required) const {
  YAML::Node v = Child(key);
  if (!v.IsDefined() || v.IsNull()) {
    return required ? Bad(KeyPath(key), "missing") : Status::Ok();
  }
  std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  int value = 0;
  if (!v.IsScalar() || !YAML::convert<int>::decode(v, value) || value < min || value > max) {
    return Bad(KeyPath(key), "must be " + range + ", got " + Got(v));
  }
  *out = value;
  return Status::Ok();
}

Status YamlMapReader::Bool(std::string_view key, bool* out) const {
  YAML::Node v = Child(key);
  if (!v.IsDefined() || v.IsNull()) return Status::Ok();
  bool value = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, value)) {
    return Bad(KeyPath(key), "must be true or false, got " + Got(v));
  }
  *out = value;
  return Status::Ok();
}

Status YamlMapReader::StringList(std::string_view key, std::vector<std::string>* out,
                                 bool required) const {
  YAML::Node v = Child(key);
  if (!v.IsDefined() || v.IsNull()) {
    return required ? Bad(KeyPath(key), "missing") : Status::Ok();
  }
  if (!v.IsSequence()) return Bad(KeyPath(key), "must be a list of strings, got " + Got(v));
  std::vector<std::string> values;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].IsScalar()) {
      return Bad(KeyPath(key) + "[" + std::to_string(i) + "]",
                 "must be a string, got " + Got(v[i]));
    }
    values.push_back(v[i].Scalar());
  }
  if (required && values.empty()) return Bad(KeyPath(key), "must not be empty");
  *out = std::move(values);
  return Status::Ok();
}

}  // namespace datamcp
