#include "gitops/repo/pipeline.h"

#include <regex>
#include <sstream>

#include "gitops/argocd/app/application.h"
#include "gitops/common/json_fields.h"
#include "gitops/common/repo_path.h"
#include "gitops/common/safe_yaml.h"
#include "gitops/repo/image_values.h"
#include "gitops/repo/json_yaml.h"

namespace datamcp::repo {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxSettings = 32;
constexpr std::size_t kMaxSettingBytes = 1024;

std::string Quoted(const std::string& s) { return "'" + s.substr(0, 80) + "'"; }

Status CheckSchedule(const std::string& schedule) {
  static const std::regex kMacro("^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$");
  static const std::regex kField("^[0-9A-Za-z*/,?#-]{1,40}$");
  if (schedule.size() > 100) return InvalidArgument("schedule: longer than 100 characters");
  if (std::regex_match(schedule, kMacro)) return Status::Ok();
  std::istringstream in(schedule);
  std::string field;
  int fields = 0;
  while (in >> field) {
    if (!std::regex_match(field, kField)) {
      return InvalidArgument("schedule: " + Quoted(field) +
                             " is not a cron field (digits, names, * / , - ?)");
    }
    ++fields;
  }
  // Single spaces only: the chart's schema and Kubernetes read the same five fields.
  if (fields != 5 || schedule.find("  ") != std::string::npos || schedule.front() == ' ' ||
      schedule.back() == ' ') {
    return InvalidArgument("schedule: " + Quoted(schedule) +
                           " is not a cron schedule of five fields separated by single spaces "
                           "(minute hour day-of-month month day-of-week, UTC), e.g. '0 2 * * *', "
                           "or @hourly, @daily, @weekly, @monthly, @yearly");
  }
  return Status::Ok();
}

Status CheckQuantity(const json& value, const std::string& field) {
  static const std::regex kQuantity("^[0-9]+(\\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$");
  if (!value.is_string() || value.get<std::string>().size() > 20 ||
      !std::regex_match(value.get<std::string>(), kQuantity)) {
    std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
    return InvalidArgument(field + ": " + Quoted(shown) +
                           " is not a Kubernetes quantity (e.g. 500m or 2 for cpu, 512Mi or "
                           "2Gi for memory), as a string");
  }
  return Status::Ok();
}

Status CheckResources(const json& resources) {
  if (resources.is_null()) return Status::Ok();
  if (!resources.is_object()) return InvalidArgument("resources: must be an object");
  for (const auto& [group, quantities] : resources.items()) {
    std::string where = "resources." + group.substr(0, 40);
    if (group != "requests" && group != "limits") {
      return InvalidArgument(where + ": unknown; use requests and limits");
    }
    if (!quantities.is_object()) return InvalidArgument(where + ": must be an object");
    for (const auto& [kind, quantity] : quantities.items()) {
      if (kind != "cpu" && kind != "memory") {
        return InvalidArgument(where + "." + kind.substr(0, 40) + ": unknown; use cpu and memory");
      }
      DATAMCP_RETURN_IF_ERROR(CheckQuantity(quantity, where + "." + kind));
    }
  }
  return Status::Ok();
}

// Source and sink settings become environment variables of the pipeline's container:
// PIPELINE_SOURCE_<KEY> needs a key that is a valid (lower-cased) variable name.
Status CheckSettings(const json& settings, const std::string& field) {
  static const std::regex kKey("^[a-z][a-z0-9_]{0,62}$");
  if (settings.is_null()) return Status::Ok();
  if (!settings.is_object()) return InvalidArgument(field + ": must be an object of strings");
  if (settings.size() > kMaxSettings) {
    return InvalidArgument(field + ": more than " + std::to_string(kMaxSettings) + " settings");
  }
  for (const auto& [key, value] : settings.items()) {
    if (key.size() > 63 || !std::regex_match(key, kKey)) {
      return InvalidArgument(field + ": key " + Quoted(key) +
                             " must match [a-z][a-z0-9_]{0,62} (it becomes an environment "
                             "variable name)");
    }
    std::string where = field + "." + key;
    if (!value.is_string()) return InvalidArgument(where + ": must be a string");
    const std::string& s = value.get_ref<const std::string&>();
    if (s.size() > kMaxSettingBytes) {
      return InvalidArgument(where + ": longer than " + std::to_string(kMaxSettingBytes) +
                             " bytes; keep data out of pipeline definitions");
    }
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7f) return InvalidArgument(where + ": holds a control character");
    }
  }
  return Status::Ok();
}

Status CheckNames(const PipelineRequest& r) {
  static const std::regex kTemplate("^[a-z][a-z0-9-]{0,30}$");
  DATAMCP_RETURN_IF_ERROR(CheckPipelineName(r.name));
  if (!std::regex_match(r.template_, kTemplate)) {
    return InvalidArgument("template: " + Quoted(r.template_) +
                           " is not a template name such as batch or streaming");
  }
  if (r.replicas && (*r.replicas < 0 || *r.replicas > 50)) {
    return InvalidArgument("replicas: must be between 0 and 50");
  }
  return Status::Ok();
}

std::string ImageOf(const json& image) {
  std::string out = json_fields::String(image, "repository");
  std::string tag = json_fields::String(image, "tag");
  std::string digest = json_fields::String(image, "digest");
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

}  // namespace

Status CheckPipelineName(const std::string& name) {
  if (name.size() > 52 || !argocd::IsDns1123Label(name)) {
    return InvalidArgument("name: " + Quoted(name) +
                           " must be a DNS-1123 label of at most 52 characters (lowercase "
                           "letters, digits and '-'; a CronJob's name limit)");
  }
  return Status::Ok();
}

Result<json> PipelineDefinition(const PipelineRequest& r) {
  DATAMCP_RETURN_IF_ERROR(CheckNames(r));
  DATAMCP_RETURN_IF_ERROR(CheckImageVersion({r.image, r.tag, r.digest}));
  if (!r.schedule.empty()) DATAMCP_RETURN_IF_ERROR(CheckSchedule(r.schedule));
  DATAMCP_RETURN_IF_ERROR(CheckResources(r.resources));
  DATAMCP_RETURN_IF_ERROR(CheckSettings(r.source, "source"));
  DATAMCP_RETURN_IF_ERROR(CheckSettings(r.sink, "sink"));
  json image = {{"repository", r.image}};
  if (!r.tag.empty()) image["tag"] = r.tag;
  if (!r.digest.empty()) image["digest"] = r.digest;
  json def = {{"template", r.template_}, {"image", image}};
  if (!r.schedule.empty()) def["schedule"] = r.schedule;
  if (r.replicas) def["replicas"] = *r.replicas;
  if (!r.resources.is_null()) def["resources"] = r.resources;
  def["source"] = r.source.is_null() ? json::object() : r.source;
  def["sink"] = r.sink.is_null() ? json::object() : r.sink;
  return def;
}

std::string PipelineChartPath(const RepoConfig& config, const std::string& template_name) {
  return config.helm_charts + "/pipeline-" + template_name;
}

std::string PipelineDefinitionHeader(std::string_view name, std::string_view env,
                                     std::string_view template_) {
  std::string n(name), e(env);
  return "Pipeline " + n + " in " + e + " (template " + std::string(template_) +
         "), deployed by the Argo CD Application " + n + "-" + e +
         " with this file as its values.\nChange it through a reviewed pull request "
         "(propose_pipeline, or by hand).";
}

Result<PipelineFiles> RenderPipeline(const RepoConfig& config, const PipelineRequest& request,
                                     const json& definition) {
  DATAMCP_ASSIGN_OR_RETURN(const Environment* env, config.FindEnvironment(request.env));
  DATAMCP_RETURN_IF_ERROR(config.RequireRepoUrl());
  PipelineFiles files;
  files.definition.path = config.PipelinePath(env->name, request.name);
  files.application.path = config.ArgoAppPath(env->name, request.name);
  DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(files.definition.path));
  DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(files.application.path));
  files.definition.content =
      JsonToYaml(definition, PipelineDefinitionHeader(request.name, env->name, request.template_));

  argocd::ApplicationSource source;
  source.repo_url = config.repo_url;
  source.path = PipelineChartPath(config, request.template_);
  source.helm_release_name = request.name;
  source.helm_value_files = {RelativePath(source.path, files.definition.path)};
  argocd::ApplicationSpec app;
  app.name = request.name + "-" + env->name;
  app.namespace_ = env->argocd.namespace_;
  app.project = env->argocd.project;
  app.sources = {source};
  app.destination_server = env->argocd.server;
  app.destination_namespace = env->argocd.destination_namespace;
  // As for releases: environments needing two or more approvals sync by a human.
  app.sync.automated = env->approvals < 2;
  app.sync.prune = app.sync.automated;
  app.sync.self_heal = app.sync.automated;
  app.labels = {{"datamcp.io/environment", env->name},
                {"datamcp.io/pipeline", request.name},
                {"app.kubernetes.io/instance", request.name}};
  DATAMCP_ASSIGN_OR_RETURN(files.application.content, argocd::RenderApplication(app));
  return files;
}

Result<json> ParsePipelineValues(const std::string& path, const std::string& text) {
  DATAMCP_ASSIGN_OR_RETURN(YAML::Node node, LoadSingleYamlDocument(text, path));
  json value = YamlToJson(node);
  if (value.is_null()) return json::object();
  if (!value.is_object()) return InvalidArgument(path + ": not a YAML map");
  return value;
}

Result<PipelineInfo> ParsePipeline(const std::string& path, const std::string& text) {
  DATAMCP_ASSIGN_OR_RETURN(json def, ParsePipelineValues(path, text));
  PipelineInfo info;
  info.path = path;
  info.template_ = json_fields::String(def, "template");
  if (info.template_.empty()) return InvalidArgument(path + ": no template");
  info.image = ImageOf(json_fields::Object(def, "image"));
  info.schedule = json_fields::String(def, "schedule");
  info.definition = std::move(def);
  return info;
}

json ToJson(const PipelineInfo& info) {
  json out = {{"name", info.name},   {"environment", info.env},
              {"path", info.path},   {"template", info.template_},
              {"image", info.image}, {"definition", info.definition}};
  if (!info.schedule.empty()) out["schedule"] = info.schedule;
  return out;
}

}  // namespace datamcp::repo
