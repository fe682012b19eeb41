// Loading: defaults, then the YAML file, then DATAMCP_* environment variables, then
// validation. Secrets are accepted only from `<key>_file` entries or the environment.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "gitops/config/config.h"
#include "gitops/config/config_keys.h"
#include "gitops/config/config_validate.h"

namespace datamcp::config {
namespace {

const KeySpec* FindKey(const std::string& name) {
  for (const auto& key : Keys()) {
    if (name == key.name) return &key;
  }
  return nullptr;
}

bool IsSecret(const KeySpec& key) {
  Config probe;
  return std::holds_alternative<Secret*>(key.field(probe));
}

Result<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read secret file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string value = ss.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return InvalidArgument("secret file '" + path + "' is empty");
  return value;
}

Status Named(const std::string& key, const std::string& source, const Status& s) {
  return InvalidArgument(key + " (from " + source + "): " + s.message());
}

Status SetSecretFromFile(Config& config, const KeySpec& key, const std::string& path,
                         const std::string& source) {
  auto value = ReadSecretFile(path);
  if (!value.ok()) return Named(key.name, source, value.status());
  *std::get<Secret*>(key.field(config)) = Secret(std::move(value).value());
  return Status::Ok();
}

Status ApplyYamlScalar(Config& config, const std::string& name, const YAML::Node& node,
                       const std::string& source) {
  if (name.size() > 5 && name.ends_with("_file")) {
    const KeySpec* secret = FindKey(name.substr(0, name.size() - 5));
    if (secret && IsSecret(*secret)) {
      return SetSecretFromFile(config, *secret, node.as<std::string>(), source);
    }
  }
  const KeySpec* key = FindKey(name);
  if (!key) {
    return InvalidArgument(name + " (from " + source +
                           "): unknown key; `datamcp config --reference` lists every key");
  }
  if (IsSecret(*key)) {
    return InvalidArgument(name + " (from " + source +
                           "): secrets are not read from the config file; set " + name +
                           "_file to a file holding it, or " + EnvName(name));
  }
  if (node.IsSequence()) {
    std::vector<std::string> items;
    for (const auto& item : node) {
      if (!item.IsScalar()) return Named(name, source, InvalidArgument("list items must be text"));
      items.push_back(item.as<std::string>());
    }
    Status s = SetFromList(key->field(config), items);
    return s.ok() ? s : Named(name, source, s);
  }
  if (!node.IsScalar()) {
    return Named(name, source, InvalidArgument("expected a value, found a mapping"));
  }
  Status s = SetFromText(key->field(config), node.as<std::string>());
  return s.ok() ? s : Named(name, source, s);
}

// Where each key's value came from ("config.yaml", "DATAMCP_SERVER_PORT"), for the
// validation errors that run once everything is loaded.
using Origins = std::map<std::string, std::string>;

Status ApplyYamlNode(Config& config, const std::string& prefix, const YAML::Node& node,
                     const std::string& source, Origins& origins) {
  for (const auto& entry : node) {
    std::string name = prefix + entry.first.as<std::string>();
    if (entry.second.IsMap()) {
      DATAMCP_RETURN_IF_ERROR(ApplyYamlNode(config, name + ".", entry.second, source, origins));
    } else if (!entry.second.IsNull()) {
      if (!origins.emplace(name, source).second) {
        return InvalidArgument(name + " (from " + source +
                               "): given twice (as a nested and a dotted key, e.g. `server: "
                               "{port: 1}` and `server.port: 2`); keep one");
      }
      DATAMCP_RETURN_IF_ERROR(ApplyYamlScalar(config, name, entry.second, source));
    }
  }
  return Status::Ok();
}

Status ApplyFile(Config& config, const std::string& path, Origins& origins) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("config file '" + path + "': cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(ss.str());
  } catch (const YAML::Exception& e) {
    return InvalidArgument("config file '" + path + "': line " + std::to_string(e.mark.line + 1) +
                           ": " + e.msg);
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) return InvalidArgument("config file '" + path + "': must be a YAML mapping");
  try {
    return ApplyYamlNode(config, "", root, path, origins);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("config file '" + path + "': " + e.msg);
  }
}

Status ApplyEnv(Config& config, const std::map<std::string, std::string>& env,
                std::vector<std::string>* warnings, Origins& origins) {
  std::set<std::string> known = {"DATAMCP_CONFIG", "DATAMCP_TOKEN", "DATAMCP_SOURCE_DIR",
                                 "DATAMCP_BINARY"};
  for (const auto& key : Keys()) {
    std::string var = EnvName(key.name);
    known.insert(var);
    if (auto it = env.find(var); it != env.end()) {
      Status s = SetFromText(key.field(config), it->second);
      if (!s.ok()) return Named(key.name, var, s);
      origins[key.name] = var;
    }
    if (IsSecret(key)) {
      known.insert(var + "_FILE");
      if (auto it = env.find(var + "_FILE"); it != env.end()) {
        DATAMCP_RETURN_IF_ERROR(SetSecretFromFile(config, key, it->second, var + "_FILE"));
      }
    }
  }
  // Kubernetes injects DATAMCP_PORT-style variables for a Service named datamcp, so an
  // unknown variable is a warning, not a crash loop.
  for (const auto& [name, value] : env) {
    if (name.starts_with("DATAMCP_") && !known.contains(name) && warnings) {
      warnings->push_back(name + " is not a DataMCP setting and is ignored");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Config> Load(const Sources& sources, std::vector<std::string>* warnings) {
  Config config;
  Origins origins;
  if (!sources.file.empty()) DATAMCP_RETURN_IF_ERROR(ApplyFile(config, sources.file, origins));
  DATAMCP_RETURN_IF_ERROR(ApplyEnv(config, sources.env, warnings, origins));
  if (Status s = Validate(config); !s.ok()) {
    // "server.port: ..." -> "server.port (from DATAMCP_SERVER_PORT): ..."
    std::string message = s.message();
    auto colon = message.find(": ");
    if (colon != std::string::npos) {
      if (auto it = origins.find(message.substr(0, colon)); it != origins.end()) {
        message.insert(colon, " (from " + it->second + ")");
      }
    }
    return InvalidArgument(message + "; `datamcp config --reference` describes every key");
  }
  return config;
}

}  // namespace datamcp::config
