#include "gitops/repo/provider_policy.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "gitops/common/durable_file.h"
#include "gitops/repo/hcl_lexer.h"
#include "gitops/repo/module_sources.h"

namespace datamcp::repo {
namespace {

namespace fs = std::filesystem;

std::string List(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "none" : out;
}

bool ProviderAllowed(const std::string& local_name, const PlanPolicy& policy) {
  return std::any_of(policy.allowed_providers.begin(), policy.allowed_providers.end(),
                     [&](const std::string& p) {
                       std::size_t slash = p.rfind('/');
                       return (slash == std::string::npos ? p : p.substr(slash + 1)) == local_name;
                     });
}

Status CheckFile(const std::string& text, const std::string& what, const PlanPolicy& policy) {
  DATAMCP_ASSIGN_OR_RETURN(std::vector<HclToken> tokens, LexHcl(text, what));
  int depth = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const HclToken& t = tokens[i];
    if (t.kind == HclTok::kOpen) ++depth;
    if (t.kind == HclTok::kClose) --depth;
    if (depth != 0 || t.kind != HclTok::kIdent || (t.text != "resource" && t.text != "data")) {
      continue;
    }
    if (i + 1 >= tokens.size() || tokens[i + 1].kind != HclTok::kString) continue;
    const std::string& type = tokens[i + 1].text;
    std::string provider = type.substr(0, type.find('_'));
    if (!ProviderAllowed(provider, policy)) {
      return PermissionDenied(what + " line " + std::to_string(t.line) + ": " + t.text + " \"" +
                              type + "\" uses provider '" + provider +
                              "', which the rule plan.allowed_providers of datamcp.yaml on the "
                              "default branch does not list (allowed: " +
                              List(policy.allowed_providers) +
                              "); use an allowed provider or ask the owners to add it there");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckTerraformSources(const std::string& tree_dir, const std::string& project,
                             const PlanPolicy& policy) {
  std::set<std::string> seen;
  std::vector<std::string> todo = {project};
  while (!todo.empty()) {
    std::string dir = todo.back();
    todo.pop_back();
    if (!seen.insert(dir).second || seen.size() > 1000) continue;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(tree_dir) / dir, ec)) {
      if (entry.path().extension() != ".tf" || entry.is_symlink(ec)) continue;
      if (!entry.is_regular_file(ec)) continue;
      std::string what = (fs::path(dir) / entry.path().filename()).string();
      DATAMCP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(entry.path().string()));
      DATAMCP_RETURN_IF_ERROR(CheckFile(text, what, policy));
      DATAMCP_ASSIGN_OR_RETURN(std::vector<std::string> sources, ParseModuleSources(text, what));
      for (const std::string& source : sources) {
        if (auto local = ResolveLocalModuleSource(dir, source)) {
          todo.push_back(*local);
        } else if (IsLocalModuleSource(source)) {
          return PermissionDenied(what + ": module source '" + source + "' leaves the repository");
        } else if (std::find(policy.allowed_module_sources.begin(),
                             policy.allowed_module_sources.end(),
                             source) == policy.allowed_module_sources.end()) {
          return PermissionDenied(
              what + ": module source '" + source +
              "' is not local, and the rule plan.allowed_module_sources of datamcp.yaml on the "
              "default branch does not list it (allowed: " +
              List(policy.allowed_module_sources) +
              "); vendor the module under the repository or ask the owners to list it there");
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace datamcp::repo
