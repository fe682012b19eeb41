#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::plan {

// Rendered Kubernetes objects keyed by "kind/namespace/name" (the namespace segment is
// empty when the object names none: "ClusterRole//admin"). Ordered by key.
using RenderedObjects = std::map<std::string, nlohmann::json>;

// Parses the multi-document YAML `helm template` prints (yaml-cpp). Empty documents are
// skipped. Plain scalars become JSON null/bool/int/float where YAML 1.2's core schema says
// so; quoted scalars stay strings. InvalidArgument for YAML that does not parse, a document
// that is not a mapping or lacks kind or metadata.name, nesting deeper than 256, or two
// objects with the same key (the message names the document and key).
Result<RenderedObjects> ParseRenderedObjects(std::string_view yaml);

// Hex SHA-256 over the canonical JSON (sorted keys, no whitespace) of all objects.
std::string FingerprintObjects(const RenderedObjects& objects);

// An object as YAML with sorted keys, for diffs.
std::string ObjectYaml(const nlohmann::json& object);

struct ObjectChange {
  enum class Type { kAdded, kRemoved, kChanged };
  Type type;
  std::string key;
  std::string diff;  // unified diff of ObjectYaml(base) -> ObjectYaml(head)
};

// Added, removed and changed objects, sorted by key. The values under data and stringData
// of Secrets never appear in a diff: each shows as "[MASKED]" or, when its value differs
// from the other side's, "[MASKED:changed]", so a changed key is still visible.
std::vector<ObjectChange> DiffObjects(const RenderedObjects& base, const RenderedObjects& head);

std::string_view ChangeTypeName(ObjectChange::Type type);  // "added", "removed", "changed"

}  // namespace datamcp::plan
