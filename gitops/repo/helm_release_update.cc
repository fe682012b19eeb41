#include "gitops/repo/helm_release_update.h"

#include "gitops/common/safe_yaml.h"
#include "gitops/repo/json_yaml.h"

namespace datamcp::repo {
namespace {

using nlohmann::json;

Result<json> ParseMap(const std::string& text, const std::string& path) {
  DATAMCP_ASSIGN_OR_RETURN(YAML::Node node, LoadSingleYamlDocument(text, path));
  json value = YamlToJson(node);
  if (!value.is_object()) {
    return InvalidArgument(path +
                           " on the default branch is not a YAML map; fix it with "
                           "propose_change first");
  }
  return value;
}

// The sources of an Application manifest, as a list whatever its form.
json SourcesOf(const json& app) {
  const json& spec = app.value("spec", json::object());
  if (spec.contains("sources") && spec["sources"].is_array()) return spec["sources"];
  if (spec.contains("source") && spec["source"].is_object()) return json::array({spec["source"]});
  return json::array();
}

bool SameSource(const json& a, const json& b) {
  for (const char* key : {"repoURL", "path", "chart", "ref"}) {
    if (a.value(key, json()) != b.value(key, json())) return false;
  }
  return true;
}

// The request's sources, each laid over the current source it replaces: fields the request
// does not set (targetRevision of a git source, helm parameters...) stay.
json MergeSources(const json& fresh, const json& current, const HelmReleaseRequest& request) {
  json out = json::array();
  for (const json& source : fresh) {
    json merged = source;
    for (const json& old : current) {
      if (!SameSource(source, old)) continue;
      merged = old;
      merged.merge_patch(source);
      bool versioned = source.contains("chart") && !request.chart_version.empty();
      if (!versioned && old.contains("targetRevision")) {
        merged["targetRevision"] = old["targetRevision"];
      }
      break;
    }
    out.push_back(std::move(merged));
  }
  return out;
}

json MergeApplication(json current, const json& fresh, const HelmReleaseRequest& request) {
  json& labels = current["metadata"]["labels"];
  if (!labels.is_object()) labels = json::object();
  labels.update(fresh["metadata"].value("labels", json::object()));
  json& spec = current["spec"];
  const json& fresh_spec = fresh["spec"];
  json sources = MergeSources(SourcesOf(fresh), SourcesOf(current), request);
  spec.erase("source");
  spec.erase("sources");
  if (sources.size() == 1) {
    spec["source"] = sources[0];
  } else {
    spec["sources"] = sources;
  }
  if (!request.project.empty()) spec["project"] = fresh_spec["project"];
  if (!request.namespace_.empty()) {
    spec["destination"]["namespace"] = fresh_spec["destination"]["namespace"];
  }
  if (request.automated.has_value()) spec["syncPolicy"] = fresh_spec["syncPolicy"];
  return current;
}

}  // namespace

Result<HelmReleaseFiles> UpdateHelmRelease(const HelmReleaseFiles& fresh,
                                           const HelmReleaseRequest& request,
                                           const std::optional<std::string>& current_values,
                                           const std::optional<std::string>& current_application) {
  HelmReleaseFiles out = fresh;
  if (current_values) {
    DATAMCP_ASSIGN_OR_RETURN(json values, ParseMap(*current_values, fresh.values.path));
    values.merge_patch(request.values);
    out.values.content = JsonToYaml(
        values, "Values for Helm release " + request.release + " in " + request.env + ".");
  }
  if (current_application) {
    DATAMCP_ASSIGN_OR_RETURN(json current, ParseMap(*current_application, fresh.application.path));
    DATAMCP_ASSIGN_OR_RETURN(YAML::Node fresh_node,
                             LoadSingleYamlDocument(fresh.application.content, "application"));
    out.application.content =
        JsonToYaml(MergeApplication(std::move(current), YamlToJson(fresh_node), request));
  }
  return out;
}

}  // namespace datamcp::repo
