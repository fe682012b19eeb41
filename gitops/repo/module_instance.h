#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/result.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::repo {

// What propose_terraform_module asks for: an instance of a library module in one
// environment's Terraform root.
struct ModuleRequest {
  std::string module;    // a directory name under the module library, e.g. "gcs"
  std::string instance;  // the module block's label and file name, e.g. "raw_events"
  std::string env;       // an environment of datamcp.yaml
  nlohmann::json variables = nlohmann::json::object();  // name -> JSON value
};

struct GeneratedFile {
  std::string path;     // repository path, e.g. infra/terraform/envs/dev/raw_events.tf
  std::string content;  // already `terraform fmt` clean
};

// The module library as read from the default branch: module name -> its variables.tf.
using ModuleLibrary = std::map<std::string, std::string>;

// Builds `<terraform_root>/<instance>.tf` holding one `module "<instance>"` block whose
// source is the relative path to `<module_library>/<module>`. Pure: reads nothing.
// Errors (kInvalidArgument unless noted), each saying what to change:
//  - unknown environment (kNotFound, listing the known ones); unknown module (kNotFound,
//    listing the library);
//  - instance not an identifier ([a-z_][a-z0-9_]{0,62}, lowercase so the file name is
//    portable) or a reserved file name (main, variables, outputs, versions, backend,
//    providers, terraform, locals);
//  - variables not a JSON object; a name the module does not declare (listing the
//    declared ones); a required variable missing (listing all missing);
//  - a value whose JSON kind contradicts a simple declared type (string, number, bool,
//    list(...)/set(...)/tuple, map(...)/object(...)); other types are not checked.
// The written path is checked with RepoConfig::CheckWritePath. Whether the file already
// exists is the caller's business (it has the tree).
Result<GeneratedFile> InstantiateModule(const RepoConfig& config, const ModuleLibrary& library,
                                        const ModuleRequest& request);

}  // namespace datamcp::repo
