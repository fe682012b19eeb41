#include "gitops/config/config.h"

#include "gitops/config/config_keys.h"
#include "gitops/config/config_validate.h"

namespace datamcp::config {

std::string Config::PublicUrl() const {
  if (!server.public_url.empty()) {
    std::string url = server.public_url;
    while (url.ends_with('/')) url.pop_back();
    return url;
  }
  std::string host = server.bind == "0.0.0.0" || server.bind == "::" ? "localhost" : server.bind;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(server.port);
}

bool Config::BindsLoopback() const { return IsLoopbackAddress(server.bind); }

std::string ReferenceMarkdown() {
  std::string out = "| key | environment | default | description |\n| --- | --- | --- | --- |\n";
  for (const auto& key : Keys()) {
    Config probe;
    bool secret = std::holds_alternative<Secret*>(key.field(probe));
    std::string env = "`" + EnvName(key.name) + "`";
    if (secret) env += " or `" + EnvName(key.name) + "_FILE`";
    std::string name = "`" + std::string(key.name) + "`";
    if (secret) name += " (`" + std::string(key.name) + "_file` in the file)";
    std::string def = DefaultText(key);
    out += "| " + name + " | " + env + " | " + (def.empty() ? "" : "`" + def + "`") + " | " +
           key.description + " |\n";
  }
  return out;
}

}  // namespace datamcp::config
