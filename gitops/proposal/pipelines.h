#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gitops/git/repository.h"
#include "gitops/repo/pipeline.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::proposal {

// The pipeline registry in the GitOps repository (see repo/pipeline.h): proposing a
// definition, and reading the definitions of a commit.

// Checks `values` against a chart's values.schema.json; returns InvalidArgument naming the
// field ("schedule: ..."). The JSON-schema validator lives with the MCP tools (bot/mcp), so
// the caller passes it in.
using TemplateSchemaCheck =
    std::function<Status(const nlohmann::json& schema, const nlohmann::json& values)>;

// Reads a repository file (at a commit, or in a checkout).
using FileReader = std::function<Result<std::string>(const std::string& path)>;

// Checks `definition` (repo::PipelineDefinition) against its template: the chart
// PipelineChartPath(template) must have values.schema.json (else InvalidArgument
// "template: ...", listing `known_templates`); every key the schema's top level requires must
// be in the definition itself (not only in the chart's defaults), and the chart's values.yaml
// with the definition merged over it must pass `check`.
Status CheckPipelineTemplate(const FileReader& read, const std::string& known_templates,
                             const repo::RepoConfig& config, const repo::PipelineRequest& request,
                             const nlohmann::json& definition, const TemplateSchemaCheck& check);

// The definition file, and the Application when the pipeline is new. The template is read
// from `base` and checked by CheckPipelineTemplate. An existing pipeline keeps its template
// (InvalidArgument naming `template` otherwise) and its Application; a name whose Application
// file exists without a definition is AlreadyExists naming `name`.
Result<git::ChangeSet> PipelineChanges(git::Repository& repo, const std::string& base,
                                       const repo::RepoConfig& config,
                                       const repo::PipelineRequest& request,
                                       const TemplateSchemaCheck& check);

// Removes pipeline `name` from `env`: its definition and, when it exists, its Application (so
// Argo CD prunes what the template deployed). InvalidArgument naming `name` when it is not a
// pipeline name; NotFound naming the definition's path when `env` has no such pipeline at
// `base`.
Result<git::ChangeSet> PipelineUninstallChanges(git::Repository& repo, const std::string& base,
                                                const repo::RepoConfig& config,
                                                const std::string& env, const std::string& name);

// Every definition at `commit`, by environment then name; `env` "" = all environments. A file
// that does not parse is returned with its error in `template_` left empty and the error in
// `definition["error"]`, so a broken definition shows up instead of vanishing.
Result<std::vector<repo::PipelineInfo>> ListPipelines(git::Repository& repo,
                                                      const std::string& commit,
                                                      const repo::RepoConfig& config,
                                                      const std::string& env);

// One definition at `commit`; NotFound naming the pipeline and environment.
Result<repo::PipelineInfo> ReadPipeline(git::Repository& repo, const std::string& commit,
                                        const repo::RepoConfig& config, const std::string& env,
                                        const std::string& name);

}  // namespace datamcp::proposal
