#include "gitops/proposal/dependents.h"

#include <map>
#include <set>
#include <utility>

#include "gitops/common/log.h"
#include "gitops/common/repo_path.h"
#include "gitops/common/safe_yaml.h"
#include "gitops/repo/module_sources.h"

namespace datamcp::proposal {
namespace {

Result<std::string> ReadBounded(git::Repository& repo, const std::string& commit,
                                const std::string& path) {
  DATAMCP_ASSIGN_OR_RETURN(std::string text, repo.ReadFile(commit, path));
  if (text.size() > kMaxDependencyFileBytes) return ResourceExhausted("file over 1 MiB");
  return text;
}

void Skip(std::string_view event, const std::string& path, std::string_view why) {
  log::Warn(event, {{"path", path}, {"reason", std::string(why)}});
}

// The directories of the local modules the .tf files directly in `dir` call.
std::vector<std::string> ModuleDirsCalledFrom(git::Repository& repo, const std::string& commit,
                                              const std::string& dir) {
  std::vector<std::string> dirs;
  auto entries = repo.ListTree(commit, dir);
  if (!entries.ok()) {
    Skip("module_dependency_skipped", dir, entries.status().message());
    return dirs;
  }
  for (const auto& e : *entries) {
    if (e.kind != git::EntryKind::kBlob || e.name.size() < 4 ||
        e.name.compare(e.name.size() - 3, 3, ".tf") != 0) {
      continue;
    }
    auto text = ReadBounded(repo, commit, e.path);
    auto sources = text.ok() ? repo::ParseModuleSources(*text, e.path)
                             : Result<std::vector<std::string>>(text.status());
    if (!sources.ok()) {
      Skip("module_dependency_skipped", e.path, sources.status().message());
      continue;
    }
    for (const auto& source : *sources) {
      if (!repo::IsLocalModuleSource(source)) continue;  // registry, git, ...: not in this repo
      if (auto resolved = repo::ResolveLocalModuleSource(dir, source)) {
        dirs.push_back(*resolved);
      } else {
        Skip("module_dependency_skipped", e.path,
             "source \"" + source + "\" leaves the repository or is not a valid path");
      }
    }
  }
  return dirs;
}

// Directory -> the module directories its .tf files call: environments share modules, so
// each directory is read once per ReadDependents.
using ModuleCalls = std::map<std::string, std::vector<std::string>>;

void AddModuleDependents(git::Repository& repo, const std::string& commit,
                         const repo::Environment& env, ModuleCalls* calls, Dependents* out) {
  const std::string root = NormalizeRepoPath(env.terraform_root);
  Project project{ProjectKind::kTerraform, env.terraform_root, env.name};
  std::set<std::string> seen{root};
  std::vector<std::pair<std::string, int>> queue{{root, 0}};  // directory, calls from the root
  for (std::size_t i = 0; i < queue.size(); ++i) {
    auto [dir, depth] = queue[i];
    auto known = calls->find(dir);
    if (known == calls->end()) {
      known = calls->emplace(dir, ModuleDirsCalledFrom(repo, commit, dir)).first;
    }
    for (std::string called : known->second) {
      if (seen.count(called) != 0) continue;  // also ends cycles
      if (depth + 1 > kMaxModuleDepth || static_cast<int>(seen.size()) > kMaxModuleDirsPerRoot) {
        Skip("module_dependency_skipped", called, "module depth or count limit reached");
        continue;
      }
      seen.insert(called);
      out->push_back({called, project});
      queue.emplace_back(std::move(called), depth + 1);
    }
  }
}

std::string RepoUrlKey(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.size() > 4 && url.compare(url.size() - 4, 4, ".git") == 0) url.resize(url.size() - 4);
  return url;
}

// The value at `key` of a map node, else a null node: never yaml-cpp's invalid node for a
// missing key, on which every call throws.
YAML::Node Child(const YAML::Node& node, const char* key) {
  if (!node.IsMap()) return YAML::Node();
  const YAML::Node value = node[key];
  return value.IsDefined() ? value : YAML::Node();
}

// The chart directories (under paths.helm_charts) an Application manifest's sources name.
std::vector<std::string> ChartDirsOf(const YAML::Node& app, const repo::RepoConfig& config) {
  const YAML::Node spec = Child(app, "spec");
  std::vector<YAML::Node> sources;
  if (Child(spec, "source").IsMap()) sources.push_back(Child(spec, "source"));
  const YAML::Node list = Child(spec, "sources");
  if (list.IsSequence()) {
    for (const auto& s : list) {
      if (s.IsMap()) sources.push_back(s);
    }
  }
  std::vector<std::string> dirs;
  const std::string charts = NormalizeRepoPath(config.helm_charts);
  for (const YAML::Node& s : sources) {
    const YAML::Node path_node = Child(s, "path");
    const YAML::Node url = Child(s, "repoURL");
    if (!path_node.IsScalar()) continue;
    if (!config.repo_url.empty() && url.IsScalar() &&
        RepoUrlKey(url.as<std::string>()) != RepoUrlKey(config.repo_url)) {
      continue;  // a path in another repository
    }
    std::string path = path_node.as<std::string>();
    while (path.substr(0, 2) == "./") path.erase(0, 2);
    path = NormalizeRepoPath(path);
    if (ValidateRepoPath(path, "path").ok() && IsUnderRoot(path, charts)) {
      dirs.push_back(path);
    }
  }
  return dirs;
}

// Every blob path under `dir`, depth-first, at most `budget` of them.
void ListBlobs(git::Repository& repo, const std::string& commit, const std::string& dir, int depth,
               int* budget, std::vector<std::string>* out) {
  if (depth > 8 || *budget <= 0) return;
  auto entries = repo.ListTree(commit, dir);
  if (!entries.ok()) return;  // no such directory at this commit: no Applications there
  for (const auto& e : *entries) {
    if (--*budget < 0) {
      Skip("chart_dependency_skipped", dir,
           "more than " + std::to_string(kMaxAppManifests) + " entries; the rest are not read");
      return;
    }
    if (e.kind == git::EntryKind::kTree) ListBlobs(repo, commit, e.path, depth + 1, budget, out);
    if (e.kind == git::EntryKind::kBlob) out->push_back(e.path);
  }
}

void AddChartDependents(git::Repository& repo, const std::string& commit,
                        const repo::RepoConfig& config, Dependents* out) {
  const std::string& pattern = config.argocd_apps_pattern;
  std::string prefix = pattern.substr(0, pattern.find('{'));
  prefix = prefix.substr(0, prefix.rfind('/') == std::string::npos ? 0 : prefix.rfind('/'));
  int budget = kMaxAppManifests;
  std::vector<std::string> files;
  ListBlobs(repo, commit, prefix, 0, &budget, &files);
  std::map<std::string, std::string> values;
  for (const auto& path : files) {
    if (!MatchPattern(pattern, path, &values) || !config.FindEnvironment(values["env"]).ok()) {
      continue;
    }
    auto text = ReadBounded(repo, commit, path);
    auto doc = text.ok() ? LoadSingleYamlDocument(*text, path) : Result<YAML::Node>(text.status());
    if (!doc.ok()) {
      Skip("chart_dependency_skipped", path, doc.status().message());
      continue;
    }
    try {
      for (auto& dir : ChartDirsOf(*doc, config)) {
        out->push_back({std::move(dir), {ProjectKind::kArgoApp, path, values["env"]}});
      }
    } catch (const std::exception& e) {  // yaml-cpp conversions: never past this module
      Skip("chart_dependency_skipped", path, e.what());
    }
  }
}

}  // namespace

Dependents ReadDependents(git::Repository& repo, const repo::RepoConfig& config,
                          const std::string& commit) {
  Dependents out;
  ModuleCalls calls;
  for (const auto& env : config.environments) AddModuleDependents(repo, commit, env, &calls, &out);
  AddChartDependents(repo, commit, config, &out);
  return out;
}

std::vector<Project> AffectedProjectsAt(git::Repository& repo, const repo::RepoConfig& config,
                                        const std::string& commit,
                                        const std::vector<std::string>& changed_paths) {
  for (const auto& path : changed_paths) {
    if (!PlansDirectly(config, path)) {
      return AffectedProjects(config, changed_paths, ReadDependents(repo, config, commit));
    }
  }
  return AffectedProjects(config, changed_paths);
}

}  // namespace datamcp::proposal
