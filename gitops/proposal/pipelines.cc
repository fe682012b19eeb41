#include "gitops/proposal/pipelines.h"

#include <map>

#include "gitops/common/json_parse.h"
#include "gitops/proposal/projects.h"

namespace datamcp::proposal {
namespace {

using nlohmann::json;

std::string TemplatesAt(git::Repository& repo, const std::string& base,
                        const repo::RepoConfig& config) {
  std::string known;
  auto entries = repo.ListTree(base, config.helm_charts);
  if (!entries.ok()) return "none";
  for (const auto& e : *entries) {
    if (e.kind != git::EntryKind::kTree || !e.name.starts_with("pipeline-")) continue;
    known += (known.empty() ? "" : ", ") + e.name.substr(9);
  }
  return known.empty() ? "none" : known;
}

}  // namespace

Status CheckPipelineTemplate(const FileReader& read, const std::string& known_templates,
                             const repo::RepoConfig& config, const repo::PipelineRequest& request,
                             const json& definition, const TemplateSchemaCheck& check) {
  std::string chart = repo::PipelineChartPath(config, request.template_);
  auto schema_text = read(chart + "/values.schema.json");
  if (!schema_text.ok()) {
    return InvalidArgument("template: '" + request.template_ + "' is not a pipeline template (no " +
                           chart + "/values.schema.json); templates here: " + known_templates);
  }
  json schema = ParseJsonOrDiscarded(*schema_text);
  if (schema.is_discarded() || !schema.is_object()) {
    return FailedPrecondition(chart + "/values.schema.json is not a JSON object; fix the template");
  }
  // A pipeline states what its template requires itself, not the chart's example defaults.
  for (const auto& key : schema.value("required", json::array())) {
    if (key.is_string() && !definition.contains(key.get<std::string>())) {
      return InvalidArgument(key.get<std::string>() + ": required by template '" +
                             request.template_ + "'");
    }
  }
  json values = json::object();
  if (auto defaults = read(chart + "/values.yaml"); defaults.ok()) {
    auto parsed = repo::ParsePipelineValues(chart + "/values.yaml", *defaults);
    if (parsed.ok()) values = std::move(parsed).value();
  }
  values.merge_patch(definition);
  return check(schema, values);
}

Result<git::ChangeSet> PipelineChanges(git::Repository& repo, const std::string& base,
                                       const repo::RepoConfig& config,
                                       const repo::PipelineRequest& request,
                                       const TemplateSchemaCheck& check) {
  DATAMCP_ASSIGN_OR_RETURN(json definition, repo::PipelineDefinition(request));
  DATAMCP_ASSIGN_OR_RETURN(repo::PipelineFiles files,
                           repo::RenderPipeline(config, request, definition));
  auto current = repo.ReadFile(base, files.definition.path);
  bool app_exists = repo.ReadFile(base, files.application.path).ok();
  if (current.ok()) {
    auto existing = repo::ParsePipeline(files.definition.path, *current);
    if (existing.ok() && existing->template_ != request.template_) {
      return InvalidArgument("template: pipeline '" + request.name + "' in " + request.env +
                             " is a '" + existing->template_ +
                             "' pipeline; a template cannot change (remove it and propose it "
                             "under a new name)");
    }
  } else if (app_exists) {
    return AlreadyExists("name: " + files.application.path +
                         " exists and is not a pipeline's Application; choose another name");
  }
  FileReader read = [&](const std::string& path) { return repo.ReadFile(base, path); };
  DATAMCP_RETURN_IF_ERROR(CheckPipelineTemplate(read, TemplatesAt(repo, base, config), config,
                                                request, definition, check));
  git::ChangeSet changes{
      {files.definition.path, files.definition.content, git::FileMode::kRegular}};
  if (!app_exists) {
    changes.push_back({files.application.path, files.application.content, git::FileMode::kRegular});
  }
  return changes;
}

Result<git::ChangeSet> PipelineUninstallChanges(git::Repository& repo, const std::string& base,
                                                const repo::RepoConfig& config,
                                                const std::string& env, const std::string& name) {
  DATAMCP_RETURN_IF_ERROR(config.FindEnvironment(env).status());
  DATAMCP_RETURN_IF_ERROR(repo::CheckPipelineName(name));
  const std::string definition = config.PipelinePath(env, name);
  if (!repo.ReadFile(base, definition).ok()) {
    return NotFound("name: environment " + env + " has no pipeline '" + name + "' (" + definition +
                    " does not exist on the default branch; list_pipelines lists " + "them)");
  }
  git::ChangeSet out{{definition, std::nullopt, git::FileMode::kDelete}};
  const std::string application = config.ArgoAppPath(env, name);
  if (repo.ReadFile(base, application).ok()) {
    out.push_back({application, std::nullopt, git::FileMode::kDelete});
  }
  return out;
}

Result<std::vector<repo::PipelineInfo>> ListPipelines(git::Repository& repo,
                                                      const std::string& commit,
                                                      const repo::RepoConfig& config,
                                                      const std::string& env) {
  if (!env.empty()) DATAMCP_RETURN_IF_ERROR(config.FindEnvironment(env).status());
  std::vector<repo::PipelineInfo> out;
  std::map<std::string, std::string> values;
  for (const auto& e : config.environments) {
    if (!env.empty() && e.name != env) continue;
    std::string sample = config.PipelinePath(e.name, "x");
    std::string dir =
        sample.substr(0, sample.rfind('/') == std::string::npos ? 0 : sample.rfind('/'));
    auto entries = repo.ListTree(commit, dir);
    if (!entries.ok()) continue;  // no pipelines in this environment yet
    for (const auto& entry : *entries) {
      if (entry.kind != git::EntryKind::kBlob ||
          !MatchPattern(config.pipelines_pattern, entry.path, &values) || values["env"] != e.name) {
        continue;
      }
      auto info = ReadPipeline(repo, commit, config, e.name, values["pipeline"]);
      if (info.ok()) {
        out.push_back(std::move(info).value());
        continue;
      }
      repo::PipelineInfo broken;
      broken.name = values["pipeline"];
      broken.env = e.name;
      broken.path = entry.path;
      broken.definition = {{"error", info.status().message()}};
      out.push_back(std::move(broken));
    }
  }
  return out;
}

Result<repo::PipelineInfo> ReadPipeline(git::Repository& repo, const std::string& commit,
                                        const repo::RepoConfig& config, const std::string& env,
                                        const std::string& name) {
  DATAMCP_RETURN_IF_ERROR(config.FindEnvironment(env).status());
  DATAMCP_RETURN_IF_ERROR(repo::CheckPipelineName(name));
  std::string path = config.PipelinePath(env, name);
  auto text = repo.ReadFile(commit, path);
  if (!text.ok()) {
    if (text.status().code() != StatusCode::kNotFound) return text.status();
    return NotFound("pipeline '" + name + "' is not defined in " + env + " (no " + path +
                    "); list_pipelines shows the pipelines there");
  }
  DATAMCP_ASSIGN_OR_RETURN(repo::PipelineInfo info, repo::ParsePipeline(path, *text));
  info.name = name;
  info.env = env;
  return info;
}

}  // namespace datamcp::proposal
