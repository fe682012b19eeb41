#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::argocd {

// Argo CD Application manifests (argoproj.io/v1alpha1): build, validate.

// One source of an Application. Either a directory in a git repository (`path`) or a Helm
// chart in a chart repository (`chart`); `ref` names a source other sources refer to as
// `$<ref>/...` (multi-source values files).
struct ApplicationSource {
  std::string repo_url;
  std::string target_revision = "HEAD";
  std::string path;   // git directory
  std::string chart;  // Helm chart name in a chart repository
  std::string ref;
  std::string helm_release_name;  // empty: Argo CD uses the Application name
  std::vector<std::string> helm_value_files;
};

struct SyncPolicy {
  bool automated = false;
  bool prune = false;
  bool self_heal = false;
  bool create_namespace = true;
};

struct ApplicationSpec {
  std::string name;  // DNS-1123 subdomain
  std::string namespace_ = "argocd";
  std::string project = "default";
  std::vector<ApplicationSource> sources;  // one: spec.source; several: spec.sources
  std::string destination_server;          // exactly one of server and name
  std::string destination_name;
  std::string destination_namespace;
  SyncPolicy sync;
  std::vector<std::pair<std::string, std::string>> labels;
};

// The manifest as block YAML. Validates the result with ValidateApplication first, so an
// error names the field ("spec.destination.namespace: missing").
Result<std::string> RenderApplication(const ApplicationSpec& spec);

// Structural checks of an Application manifest (one YAML document, at most 1 MiB):
// apiVersion argoproj.io/v1alpha1; kind Application; metadata.name a DNS-1123 subdomain
// (lowercase alphanumerics, '-' and '.', at most 253, starting and ending alphanumeric);
// spec.project a non-empty string; exactly one of spec.source / spec.sources (non-empty
// list), each with repoURL and path or chart (not both) and, with chart, targetRevision;
// spec.destination with exactly one of server / name, and namespace when given must be a
// DNS-1123 label; spec.syncPolicy.automated, if present, a map. Errors are
// kInvalidArgument naming the field path ("spec.sources[1].repoURL: missing").
Status ValidateApplication(std::string_view yaml);

// True for a DNS-1123 subdomain (metadata.name) / label (namespace).
bool IsDns1123Subdomain(std::string_view s);
bool IsDns1123Label(std::string_view s);

}  // namespace datamcp::argocd
