#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::argocd {

// One difference between two Application manifests.
struct FieldChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind;
  std::string path;       // "spec.source.targetRevision", "spec.sources[1].helm.valueFiles[0]"
  std::string old_value;  // "" when added; scalars as written, maps/lists as one-line YAML
  std::string new_value;  // "" when removed
};

// The structural difference between two Application manifests (each one YAML document;
// they need not be valid Applications). Maps compare key by key; lists of maps whose items
// all have a `name` key compare by name (path "spec.x[name=foo]"), other lists by index.
// Scalars compare by text (so "1" and 1 are equal; '1' quoted vs not is not a change).
// Fields Argo CD or Kubernetes own are ignored: status, operation,
// metadata.{resourceVersion,generation,uid,creationTimestamp,managedFields}. Changes come
// sorted by path. Errors: kInvalidArgument naming which side ("base"/"head") failed to parse.
Result<std::vector<FieldChange>> DiffApplications(std::string_view base_yaml,
                                                  std::string_view head_yaml);

// "~ spec.source.targetRevision: main -> v1.2.0" lines ("+"/"-" for added/removed).
std::string FormatChanges(const std::vector<FieldChange>& changes);

}  // namespace datamcp::argocd
