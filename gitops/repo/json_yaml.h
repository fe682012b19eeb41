#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/result.h"

namespace datamcp::repo {

// Converts between JSON values and YAML, for values files and manifests.

// Block-style YAML for `value` (maps and lists over lines, strings quoted only when YAML
// would read them as another type: "true", "1", "null", "" ...). Map keys keep JSON's
// (sorted) order. Ends with a newline. `header` lines, if any, are written first as
// `# ` comments.
std::string JsonToYaml(const nlohmann::json& value, const std::string& header = "");

// Emits `value` into an emitter that is already positioned (for building larger files).
void EmitJson(YAML::Emitter& out, const nlohmann::json& value);

// A YAML node as JSON. Scalars become strings unless plain (unquoted) and spelling a
// YAML 1.2 core-schema bool, null, integer or float. Aliases are resolved by yaml-cpp.
nlohmann::json YamlToJson(const YAML::Node& node);

}  // namespace datamcp::repo
