#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/status.h"

namespace datamcp {

// Reads typed fields out of one YAML mapping, naming every problem by its full key path
// ("environments[2].name: missing"). Used by configuration parsers; never throws.
class YamlMapReader {
 public:
  // `path` is the mapping's own key path ("" for the document root).
  YamlMapReader(YAML::Node node, std::string path);

  // kInvalidArgument unless the node is a mapping with scalar keys, all in `known`.
  Status Check(std::initializer_list<std::string_view> known) const;

  bool Has(std::string_view key) const;
  YAML::Node Child(std::string_view key) const;
  // "path.key" (or "key" at the root).
  std::string KeyPath(std::string_view key) const;

  // Leave *out untouched when the key is absent and not required.
  Status String(std::string_view key, std::string* out, bool required = false) const;
  Status Int(std::string_view key, int* out, int min, int max, bool required = false) const;
  Status Bool(std::string_view key, bool* out) const;
  Status StringList(std::string_view key, std::vector<std::string>* out,
                    bool required = false) const;

 private:
  YAML::Node node_;
  std::string path_;
};

// "a map", "a list", "a string", "null": for "must be X, got Y" messages.
std::string_view YamlKindName(const YAML::Node& node);

}  // namespace datamcp
