#include "gitops/argocd/app/application.h"

#include <yaml-cpp/yaml.h>

#include <regex>

#include "gitops/common/safe_yaml.h"
#include "gitops/common/yaml_reader.h"

namespace datamcp::argocd {
namespace {

Status Bad(const std::string& field, const std::string& why) {
  return InvalidArgument("Application " + field + ": " + why);
}

Status RequireString(const YAML::Node& parent, const std::string& key, const std::string& field,
                     std::string* out = nullptr) {
  YAML::Node v = parent[key];
  if (!v.IsDefined() || v.IsNull()) return Bad(field, "missing");
  if (!v.IsScalar()) return Bad(field, "must be a string, got " + std::string(YamlKindName(v)));
  if (v.Scalar().empty()) return Bad(field, "must not be empty");
  if (out) *out = v.Scalar();
  return Status::Ok();
}

bool Present(const YAML::Node& parent, const std::string& key) {
  return parent[key].IsDefined() && !parent[key].IsNull();
}

Status ValidateSource(const YAML::Node& source, const std::string& field) {
  if (!source.IsMap()) return Bad(field, "must be a map, got " + std::string(YamlKindName(source)));
  DATAMCP_RETURN_IF_ERROR(RequireString(source, "repoURL", field + ".repoURL"));
  bool has_path = Present(source, "path"), has_chart = Present(source, "chart");
  bool is_ref = Present(source, "ref");
  if (has_path && has_chart)
    return Bad(field, "set path (git) or chart (Helm repository), not both");
  if (has_chart) {
    DATAMCP_RETURN_IF_ERROR(RequireString(source, "chart", field + ".chart"));
    return RequireString(source, "targetRevision", field + ".targetRevision");
  }
  if (has_path) return RequireString(source, "path", field + ".path");
  if (is_ref) return RequireString(source, "ref", field + ".ref");
  return Bad(field, "needs path (a directory in the git repository) or chart (a Helm chart)");
}

Status ValidateSources(const YAML::Node& spec) {
  bool one = Present(spec, "source"), many = Present(spec, "sources");
  if (one && many) return Bad("spec", "set spec.source or spec.sources, not both");
  if (one) return ValidateSource(spec["source"], "spec.source");
  if (!many) return Bad("spec.source", "missing (or spec.sources)");
  YAML::Node list = spec["sources"];
  if (!list.IsSequence() || list.size() == 0)
    return Bad("spec.sources", "must be a non-empty list");
  for (std::size_t i = 0; i < list.size(); ++i) {
    DATAMCP_RETURN_IF_ERROR(ValidateSource(list[i], "spec.sources[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

Status ValidateDestination(const YAML::Node& spec) {
  YAML::Node dest = spec["destination"];
  if (!dest.IsDefined() || dest.IsNull()) return Bad("spec.destination", "missing");
  if (!dest.IsMap()) return Bad("spec.destination", "must be a map");
  bool server = Present(dest, "server"), name = Present(dest, "name");
  if (server == name) {
    return Bad("spec.destination", "set exactly one of server (API URL) and name (cluster name)");
  }
  DATAMCP_RETURN_IF_ERROR(
      RequireString(dest, server ? "server" : "name",
                    server ? "spec.destination.server" : "spec.destination.name"));
  if (!Present(dest, "namespace")) return Status::Ok();
  std::string ns;
  DATAMCP_RETURN_IF_ERROR(RequireString(dest, "namespace", "spec.destination.namespace", &ns));
  if (!IsDns1123Label(ns)) {
    return Bad("spec.destination.namespace", "'" + ns + "' is not a DNS-1123 label");
  }
  return Status::Ok();
}

Status ValidateNode(const YAML::Node& doc) {
  if (!doc.IsMap()) return Bad("document", "must be a map, got " + std::string(YamlKindName(doc)));
  std::string value;
  DATAMCP_RETURN_IF_ERROR(RequireString(doc, "apiVersion", "apiVersion", &value));
  if (value != "argoproj.io/v1alpha1") {
    return Bad("apiVersion", "must be argoproj.io/v1alpha1, got '" + value + "'");
  }
  DATAMCP_RETURN_IF_ERROR(RequireString(doc, "kind", "kind", &value));
  if (value != "Application") return Bad("kind", "must be Application, got '" + value + "'");
  YAML::Node meta = doc["metadata"];
  if (!meta.IsMap()) return Bad("metadata", "missing or not a map");
  DATAMCP_RETURN_IF_ERROR(RequireString(meta, "name", "metadata.name", &value));
  if (!IsDns1123Subdomain(value)) {
    return Bad("metadata.name",
               "'" + value +
                   "' is not a DNS-1123 subdomain (lowercase letters, "
                   "digits, '-' and '.', starting and ending with a letter or digit)");
  }
  YAML::Node spec = doc["spec"];
  if (!spec.IsMap()) return Bad("spec", "missing or not a map");
  DATAMCP_RETURN_IF_ERROR(RequireString(spec, "project", "spec.project"));
  DATAMCP_RETURN_IF_ERROR(ValidateSources(spec));
  DATAMCP_RETURN_IF_ERROR(ValidateDestination(spec));
  YAML::Node automated = spec["syncPolicy"]["automated"];
  if (automated.IsDefined() && !automated.IsNull() && !automated.IsMap()) {
    return Bad("spec.syncPolicy.automated", "must be a map (e.g. {prune: true, selfHeal: true})");
  }
  return Status::Ok();
}

}  // namespace

bool IsDns1123Label(std::string_view s) {
  static const std::regex kLabel("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
  return std::regex_match(s.begin(), s.end(), kLabel);
}

bool IsDns1123Subdomain(std::string_view s) {
  static const std::regex kSub(
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  return s.size() <= 253 && std::regex_match(s.begin(), s.end(), kSub);
}

Status ValidateApplication(std::string_view yaml) {
  Result<YAML::Node> doc = LoadSingleYamlDocument(yaml, "Application manifest");
  if (!doc.ok()) return doc.status();
  try {
    return ValidateNode(*doc);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("Application manifest: ") + e.what());
  }
}

}  // namespace datamcp::argocd
