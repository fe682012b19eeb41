#include "gitops/repo/json_yaml.h"

#include <regex>

namespace datamcp::repo {
namespace {

using nlohmann::json;

// True when a plain scalar with this text would not read back as the same string.
bool NeedsQuotes(const std::string& s) {
  static const std::regex kSpecial(
      "^(true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|"
      "null|Null|NULL|~|[-+]?[0-9][0-9_.:eE+-]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|0x[0-9a-fA-"
      "F]+|"
      "0o[0-7]+)$");
  return s.empty() || std::regex_match(s, kSpecial);
}

json ScalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted in the source: always a string
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kFloat("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) return nullptr;
  if (std::regex_match(s, kInt)) {
    try {
      return std::stoll(s);
    } catch (const std::exception&) {
      return s;
    }
  }
  if (std::regex_match(s, kFloat)) {
    try {
      return std::stod(s);
    } catch (const std::exception&) {
      return s;
    }
  }
  return s;
}

}  // namespace

void EmitJson(YAML::Emitter& out, const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      out << YAML::Null;
      break;
    case json::value_t::boolean:
      out << (value.get<bool>() ? "true" : "false");
      break;
    case json::value_t::string: {
      const std::string& s = value.get_ref<const std::string&>();
      if (NeedsQuotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case json::value_t::array:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const json& e : value) EmitJson(out, e);
      out << YAML::EndSeq;
      break;
    case json::value_t::object:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (auto it = value.begin(); it != value.end(); ++it) {
        out << YAML::Key;
        if (NeedsQuotes(it.key())) out << YAML::DoubleQuoted;
        out << it.key() << YAML::Value;
        EmitJson(out, it.value());
      }
      out << YAML::EndMap;
      break;
    default:
      out << value.dump();
      break;  // numbers
  }
}

std::string JsonToYaml(const json& value, const std::string& header) {
  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::Block;
  EmitJson(out, value);
  std::string text;
  std::size_t start = 0;
  while (!header.empty() && start <= header.size()) {
    std::size_t end = header.find('\n', start);
    if (end == std::string::npos) end = header.size();
    text += "# " + header.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return text + out.c_str() + "\n";
}

json YamlToJson(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  if (node.IsScalar()) return ScalarToJson(node);
  if (node.IsSequence()) {
    json out = json::array();
    for (const YAML::Node& e : node) out.push_back(YamlToJson(e));
    return out;
  }
  json out = json::object();
  for (const auto& entry : node) {
    std::string key = entry.first.IsScalar() ? entry.first.Scalar() : YAML::Dump(entry.first);
    out[key] = YamlToJson(entry.second);
  }
  return out;
}

}  // namespace datamcp::repo
