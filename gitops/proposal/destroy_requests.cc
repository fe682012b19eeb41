#include "gitops/proposal/destroy_requests.h"

#include <regex>
#include <set>

#include "gitops/repo/hcl_lexer.h"

namespace datamcp::proposal {
namespace {

// Whether what is left of a file once a block is cut holds any Terraform (not only blank
// lines and comments).
Result<bool> HoldsCode(const std::string& hcl, const std::string& what) {
  DATAMCP_ASSIGN_OR_RETURN(auto tokens, repo::LexHcl(hcl, what));
  for (const auto& t : tokens) {
    if (t.kind != repo::HclTok::kNewline) return true;
  }
  return false;
}

Result<git::ChangeSet> RemoveInstance(git::Repository& repo, const std::string& base,
                                      const repo::Environment& env, const std::string& instance) {
  static const std::regex kInstance("^[a-z_][a-z0-9_]{0,62}$");
  if (!std::regex_match(instance, kInstance)) {
    return InvalidArgument("instance: '" + instance +
                           "' is not an instance name ([a-z_][a-z0-9_]*, as "
                           "propose_terraform_module writes it)");
  }
  std::string path = env.terraform_root + "/" + instance + ".tf";
  if (!repo.ReadFile(base, path).ok()) {
    return NotFound("instance: environment " + env.name + " has no module instance '" + instance +
                    "' (" + path + " does not exist on the default branch)");
  }
  return git::ChangeSet{{path, std::nullopt, git::FileMode::kDelete}};
}

Result<git::ChangeSet> RemoveResources(git::Repository& repo, const std::string& base,
                                       const repo::Environment& env,
                                       const std::vector<std::string>& resources) {
  static const std::regex kAddress("^([A-Za-z_][A-Za-z0-9_-]*)\\.([A-Za-z_][A-Za-z0-9_-]*)$");
  DATAMCP_ASSIGN_OR_RETURN(auto entries, repo.ListTree(base, env.terraform_root));
  std::map<std::string, std::string> files;  // path -> content, as edited so far
  for (const auto& e : entries) {
    if (e.kind != git::EntryKind::kBlob || !e.name.ends_with(".tf")) continue;
    DATAMCP_ASSIGN_OR_RETURN(files[e.path], repo.ReadFile(base, e.path));
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    std::string where = "resources[" + std::to_string(i) + "]";
    std::smatch m;
    if (!std::regex_match(resources[i], m, kAddress)) {
      return InvalidArgument(where + ": '" + resources[i] +
                             "' is not a TYPE.NAME resource address in the root (to remove a "
                             "module instance, give `instance`)");
    }
    if (!seen.insert(resources[i]).second) {
      return InvalidArgument(where + ": '" + resources[i] + "' is given twice");
    }
    bool found = false;
    for (auto& [path, content] : files) {
      auto cut = RemoveResourceBlock(content, m[1], m[2], path);
      if (cut.status().code() == StatusCode::kNotFound) continue;
      DATAMCP_RETURN_IF_ERROR(cut.status());
      content = *cut;
      found = true;
      break;
    }
    if (!found) {
      return NotFound(where + ": no `resource \"" + std::string(m[1]) + "\" \"" +
                      std::string(m[2]) + "\"` block in the .tf files of " + env.terraform_root);
    }
  }
  git::ChangeSet out;
  for (const auto& [path, content] : files) {
    DATAMCP_ASSIGN_OR_RETURN(std::string original, repo.ReadFile(base, path));
    if (content == original) continue;
    DATAMCP_ASSIGN_OR_RETURN(bool code, HoldsCode(content, path));
    if (code) {
      out.push_back({path, content});
    } else {
      out.push_back({path, std::nullopt, git::FileMode::kDelete});
    }
  }
  return out;
}

}  // namespace

Result<std::string> RemoveResourceBlock(const std::string& hcl, const std::string& type,
                                        const std::string& name, const std::string& what) {
  DATAMCP_ASSIGN_OR_RETURN(auto tokens, repo::LexHcl(hcl, what));
  for (std::size_t i = 0; i + 3 < tokens.size(); ++i) {
    const auto& t = tokens;
    bool line_start = i == 0 || t[i - 1].kind == repo::HclTok::kNewline;
    if (!line_start || t[i].kind != repo::HclTok::kIdent || t[i].text != "resource" ||
        t[i + 1].kind != repo::HclTok::kString || t[i + 1].text != type ||
        t[i + 2].kind != repo::HclTok::kString || t[i + 2].text != name ||
        t[i + 3].kind != repo::HclTok::kOpen || t[i + 3].text != "{") {
      continue;
    }
    int depth = 0;
    for (std::size_t j = i + 3; j < t.size(); ++j) {
      if (t[j].kind == repo::HclTok::kOpen) ++depth;
      if (t[j].kind == repo::HclTok::kClose && --depth == 0) {
        // The rest of the closing line and one blank line after it go too.
        std::size_t begin = t[i].begin, eol = hcl.find('\n', t[j].end);
        std::size_t end = eol == std::string::npos ? hcl.size() : eol + 1;
        if (end < hcl.size() && hcl[end] == '\n') ++end;
        return hcl.substr(0, begin) + hcl.substr(end);
      }
    }
    return InvalidArgument(what + ": the block of resource " + type + "." + name +
                           " is not closed");
  }
  return NotFound(what + ": no resource " + type + "." + name);
}

Result<git::ChangeSet> TerraformDestroyChanges(git::Repository& repo, const std::string& base,
                                               const repo::RepoConfig& config,
                                               const TerraformDestroyRequest& request) {
  DATAMCP_ASSIGN_OR_RETURN(const repo::Environment* env, config.FindEnvironment(request.env));
  if (request.instance.empty() == request.resources.empty()) {
    return InvalidArgument(
        "give exactly one of instance (a module instance to remove) and resources (TYPE.NAME "
        "addresses of resource blocks to remove)");
  }
  if (!request.instance.empty()) return RemoveInstance(repo, base, *env, request.instance);
  return RemoveResources(repo, base, *env, request.resources);
}

Result<git::ChangeSet> HelmUninstallChanges(git::Repository& repo, const std::string& base,
                                            const repo::RepoConfig& config, const std::string& env,
                                            const std::string& release) {
  DATAMCP_RETURN_IF_ERROR(config.FindEnvironment(env).status());
  static const std::regex kRelease("^[a-z0-9]([a-z0-9-]{0,51}[a-z0-9])?$");
  if (!std::regex_match(release, kRelease)) {
    return InvalidArgument("release: '" + release + "' is not a Helm release name");
  }
  git::ChangeSet out;
  for (const std::string& path :
       {config.HelmValuesPath(env, release), config.ArgoAppPath(env, release)}) {
    if (repo.ReadFile(base, path).ok()) out.push_back({path, std::nullopt, git::FileMode::kDelete});
  }
  if (out.empty()) {
    return NotFound("release: environment " + env + " has no release '" + release + "' (neither " +
                    config.HelmValuesPath(env, release) + " nor " +
                    config.ArgoAppPath(env, release) + " exists on the default branch)");
  }
  return out;
}

}  // namespace datamcp::proposal
