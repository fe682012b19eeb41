#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gitops/common/result.h"
#include "gitops/repo/module_instance.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::repo {

// Data pipelines. A pipeline is one file, its *definition*, at
// RepoConfig::PipelinePath(env, name) (`pipelines/<env>/<name>.yaml`): the template it is made
// from, its image, schedule (batch), replicas (streaming), resources, and source and sink
// settings. A template is a chart `<helm_charts>/pipeline-<template>` (the repository template
// has `batch`, a CronJob, and `streaming`, a Deployment). The definition is also the values
// file of the pipeline's Argo CD Application (`<name>-<env>`, at ArgoAppPath(env, name)), so
// it is the one source of truth: a change to it plans that Application like a release's values
// file does, and its git history is the pipeline's version history.

struct PipelineRequest {
  std::string name;       // DNS-1123 label of at most 52 characters (a CronJob name's limit)
  std::string env;        // an environment of datamcp.yaml
  std::string template_;  // [a-z][a-z0-9-]{0,30}: chart <helm_charts>/pipeline-<template>
  std::string image;      // repository, as CheckImageVersion (image_values.h) checks it
  std::string tag;
  std::string digest;
  std::string schedule;         // cron (five fields) or @hourly..@yearly; "" when not given
  std::optional<int> replicas;  // 0..50
  nlohmann::json resources;     // null or {requests, limits} of {cpu, memory} quantities
  nlohmann::json source;        // null or {key: string}, keys [a-z][a-z0-9_]{0,62}, <= 32
  nlohmann::json sink;          // as source
};

// The pipeline's definition as JSON (the values the template chart renders). Checks every
// field and names it in the error (InvalidArgument): "name: ...", "template: ...",
// "image: ...", "tag: ...", "schedule: ...", "replicas: ...", "resources.limits.cpu: ...",
// "source.uri: ...". Pure; the template's own schema is checked by the caller
// (CheckAgainstTemplate).
Result<nlohmann::json> PipelineDefinition(const PipelineRequest& request);

// "<helm_charts>/pipeline-<template>".
std::string PipelineChartPath(const RepoConfig& config, const std::string& template_name);

struct PipelineFiles {
  GeneratedFile definition;   // RepoConfig::PipelinePath(env, name)
  GeneratedFile application;  // RepoConfig::ArgoAppPath(env, name); Application <name>-<env>
};

// The definition file (block YAML with a header comment) and an Argo CD Application deploying
// the template chart from this repository with the definition as its values file. Errors as
// PipelineDefinition, plus unknown env (NotFound), no repo_url (FailedPrecondition) and paths
// outside the allowed roots (PermissionDenied). Pure.
Result<PipelineFiles> RenderPipeline(const RepoConfig& config, const PipelineRequest& request,
                                     const nlohmann::json& definition);

// InvalidArgument naming `name` unless it is a pipeline name: a DNS-1123 label of at most 52
// characters (a CronJob's name limit).
Status CheckPipelineName(const std::string& name);

// The comment at the top of a definition file (kept when a promotion bumps its image).
std::string PipelineDefinitionHeader(std::string_view name, std::string_view env,
                                     std::string_view template_);

// A definition read back from the repository, for list_pipelines and get_pipeline.
struct PipelineInfo {
  std::string name;
  std::string env;
  std::string path;
  std::string template_;
  std::string image;     // "repository[:tag][@digest]"
  std::string schedule;  // "" for a pipeline without one
  nlohmann::json definition;
};

// A YAML values file as a JSON object (an empty file is {}). InvalidArgument naming `path`
// when it is not one YAML map.
Result<nlohmann::json> ParsePipelineValues(const std::string& path, const std::string& text);

// Parses a definition file. InvalidArgument naming `path` when it is not a YAML map or has
// no `template`; fields of the wrong type read as absent. Pure.
Result<PipelineInfo> ParsePipeline(const std::string& path, const std::string& text);

nlohmann::json ToJson(const PipelineInfo& info);

}  // namespace datamcp::repo
