#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "gitops/config/config.h"

namespace datamcp::config {

// A pointer to the field one key sets; the alternative decides how text is parsed.
using FieldRef =
    std::variant<std::string*, int*, std::size_t*, bool*, std::vector<std::string>*, Secret*>;

// One documented configuration key. The table of these is the single source of truth for
// parsing, environment overrides, secrets and the reference documentation.
struct KeySpec {
  const char* name;         // dotted path in the YAML file, e.g. "server.port"
  const char* description;  // one sentence for the reference table
  std::function<FieldRef(Config&)> field;
};

const std::vector<KeySpec>& Keys();

// "server.port" -> "DATAMCP_SERVER_PORT".
std::string EnvName(const std::string& key);

// Parses `text` into the field (lists: comma-separated, or one item per YAML sequence entry).
// Errors name what was wrong, not the key (the caller adds the key and source).
Status SetFromText(const FieldRef& field, const std::string& text);
Status SetFromList(const FieldRef& field, const std::vector<std::string>& items);

// The default value of a key as text, for documentation.
std::string DefaultText(const KeySpec& key);
// The value of a key in `config` as text; a secret shows only whether it is set.
std::string ValueText(const KeySpec& key, Config config);

}  // namespace datamcp::config
