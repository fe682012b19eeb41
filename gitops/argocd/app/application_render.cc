#include <yaml-cpp/yaml.h>

#include "gitops/argocd/app/application.h"

namespace datamcp::argocd {
namespace {

void EmitSource(YAML::Emitter& out, const ApplicationSource& s) {
  out << YAML::BeginMap;
  out << YAML::Key << "repoURL" << YAML::Value << s.repo_url;
  out << YAML::Key << "targetRevision" << YAML::Value << s.target_revision;
  if (!s.path.empty()) out << YAML::Key << "path" << YAML::Value << s.path;
  if (!s.chart.empty()) out << YAML::Key << "chart" << YAML::Value << s.chart;
  if (!s.ref.empty()) out << YAML::Key << "ref" << YAML::Value << s.ref;
  if (!s.helm_release_name.empty() || !s.helm_value_files.empty()) {
    out << YAML::Key << "helm" << YAML::Value << YAML::BeginMap;
    if (!s.helm_release_name.empty()) {
      out << YAML::Key << "releaseName" << YAML::Value << s.helm_release_name;
    }
    if (!s.helm_value_files.empty()) {
      out << YAML::Key << "valueFiles" << YAML::Value << YAML::BeginSeq;
      for (const std::string& f : s.helm_value_files) out << f;
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void EmitMetadata(YAML::Emitter& out, const ApplicationSpec& spec) {
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << spec.name;
  out << YAML::Key << "namespace" << YAML::Value << spec.namespace_;
  if (!spec.labels.empty()) {
    out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : spec.labels)
      out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void EmitSyncPolicy(YAML::Emitter& out, const SyncPolicy& sync) {
  if (!sync.automated && !sync.create_namespace) return;
  out << YAML::Key << "syncPolicy" << YAML::Value << YAML::BeginMap;
  if (sync.automated) {
    out << YAML::Key << "automated" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "prune" << YAML::Value << sync.prune;
    out << YAML::Key << "selfHeal" << YAML::Value << sync.self_heal;
    out << YAML::EndMap;
  }
  if (sync.create_namespace) {
    out << YAML::Key << "syncOptions" << YAML::Value << YAML::BeginSeq << "CreateNamespace=true"
        << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

}  // namespace

Result<std::string> RenderApplication(const ApplicationSpec& spec) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetBoolFormat(YAML::TrueFalseBool);
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "argoproj.io/v1alpha1";
  out << YAML::Key << "kind" << YAML::Value << "Application";
  EmitMetadata(out, spec);
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "project" << YAML::Value << spec.project;
  if (spec.sources.size() == 1) {
    out << YAML::Key << "source" << YAML::Value;
    EmitSource(out, spec.sources[0]);
  } else {
    out << YAML::Key << "sources" << YAML::Value << YAML::BeginSeq;
    for (const ApplicationSource& s : spec.sources) EmitSource(out, s);
    out << YAML::EndSeq;
  }
  out << YAML::Key << "destination" << YAML::Value << YAML::BeginMap;
  if (!spec.destination_server.empty()) {
    out << YAML::Key << "server" << YAML::Value << spec.destination_server;
  }
  if (!spec.destination_name.empty()) {
    out << YAML::Key << "name" << YAML::Value << spec.destination_name;
  }
  out << YAML::Key << "namespace" << YAML::Value << spec.destination_namespace;
  out << YAML::EndMap;
  EmitSyncPolicy(out, spec.sync);
  out << YAML::EndMap << YAML::EndMap;
  if (!out.good())
    return Internal("rendering Application '" + spec.name + "': " + out.GetLastError());
  std::string text = std::string(out.c_str()) + "\n";
  DATAMCP_RETURN_IF_ERROR(ValidateApplication(text));
  return text;
}

}  // namespace datamcp::argocd
