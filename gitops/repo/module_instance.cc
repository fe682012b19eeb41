#include "gitops/repo/module_instance.h"

#include <algorithm>
#include <regex>
#include <set>

#include "gitops/common/repo_path.h"
#include "gitops/repo/hcl_render.h"
#include "gitops/repo/module_variables.h"

namespace datamcp::repo {
namespace {

using nlohmann::json;

std::string JoinNames(const std::vector<ModuleVariable>& vars) {
  std::string out;
  for (const ModuleVariable& v : vars) out += (out.empty() ? "" : ", ") + v.name;
  return out.empty() ? "(none)" : out;
}

// The declared type's outer kind, or "" when this scanner does not check it.
std::string TypeKind(const std::string& type) {
  static const std::regex kPrefix("^\\s*([a-z]+)");
  std::smatch m;
  if (!std::regex_search(type, m, kPrefix)) return "";
  std::string head = m[1];
  if (head == "list" || head == "set" || head == "tuple") return "list";
  if (head == "map" || head == "object") return "map";
  if (head == "string" || head == "number" || head == "bool") return head;
  return "";
}

bool Matches(const std::string& kind, const json& v) {
  if (kind.empty() || v.is_null()) return true;
  if (kind == "string") return v.is_string();
  if (kind == "number") return v.is_number();
  if (kind == "bool") return v.is_boolean();
  if (kind == "list") return v.is_array();
  return v.is_object();
}

Status CheckVariables(const std::string& module, const std::vector<ModuleVariable>& declared,
                      const json& given) {
  if (!given.is_object()) {
    return InvalidArgument("variables: must be a JSON object of variable name to value, got " +
                           std::string(given.type_name()));
  }
  for (auto it = given.begin(); it != given.end(); ++it) {
    auto var = std::find_if(declared.begin(), declared.end(),
                            [&](const ModuleVariable& v) { return v.name == it.key(); });
    if (var == declared.end()) {
      return InvalidArgument("variables." + it.key() + ": module '" + module +
                             "' has no such variable; it declares: " + JoinNames(declared));
    }
    std::string kind = TypeKind(var->type);
    if (!Matches(kind, it.value())) {
      return InvalidArgument("variables." + it.key() + ": module '" + module + "' declares type " +
                             var->type + ", got a JSON " + it.value().type_name());
    }
  }
  std::string missing;
  for (const ModuleVariable& v : declared) {
    if (v.required && !given.contains(v.name)) missing += (missing.empty() ? "" : ", ") + v.name;
  }
  if (!missing.empty()) {
    return InvalidArgument("variables: module '" + module + "' requires " + missing +
                           " (no default); add them to variables");
  }
  return Status::Ok();
}

Status CheckInstanceName(const std::string& instance) {
  static const std::regex kName("^[a-z_][a-z0-9_]{0,62}$");
  static const std::set<std::string> kReserved = {"main",    "variables", "outputs",   "versions",
                                                  "backend", "providers", "terraform", "locals"};
  if (kReserved.count(instance)) {
    return InvalidArgument("instance: '" + instance +
                           "' is reserved (it would replace the root's own " + instance +
                           ".tf); choose a name for what the module creates, e.g. raw_events");
  }
  if (std::regex_match(instance, kName)) return Status::Ok();
  return InvalidArgument("instance: '" + instance.substr(0, 80) +
                         "' must be a Terraform identifier in lowercase: letters, digits and '_', "
                         "starting with a letter or '_', at most 63 characters (e.g. raw_events)");
}

Result<std::vector<ModuleVariable>> LoadModule(const ModuleLibrary& library,
                                               const std::string& module) {
  auto it = library.find(module);
  if (it == library.end()) {
    std::string known;
    for (const auto& [name, unused] : library) known += (known.empty() ? "" : ", ") + name;
    return NotFound("module: '" + module + "' is not in the module library; available: " +
                    (known.empty() ? "(none)" : known));
  }
  return ParseModuleVariables(it->second, module + "/variables.tf");
}

}  // namespace

Result<GeneratedFile> InstantiateModule(const RepoConfig& config, const ModuleLibrary& library,
                                        const ModuleRequest& request) {
  DATAMCP_ASSIGN_OR_RETURN(const Environment* env, config.FindEnvironment(request.env));
  DATAMCP_RETURN_IF_ERROR(CheckInstanceName(request.instance));
  DATAMCP_ASSIGN_OR_RETURN(std::vector<ModuleVariable> declared,
                           LoadModule(library, request.module));
  DATAMCP_RETURN_IF_ERROR(CheckVariables(request.module, declared, request.variables));

  GeneratedFile file;
  file.path = env->terraform_root + "/" + request.instance + ".tf";
  DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(file.path));
  std::string source = RelativePath(env->terraform_root, config.ModulePath(request.module));
  file.content = "# Module instance proposed through DataMCP (module " + request.module +
                 ", environment " + env->name + ").\n" + "module \"" + request.instance +
                 "\" {\n  source = " + HclQuote(source) + "\n";
  if (!request.variables.empty()) file.content += "\n" + HclAttributes(request.variables, 1);
  file.content += "}\n";
  return file;
}

}  // namespace datamcp::repo
