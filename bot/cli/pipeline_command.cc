#include "bot/cli/pipeline_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "bot/cli/cli_support.h"
#include "bot/tools/proposal_tools.h"
#include "gitops/proposal/pipelines.h"

namespace datamcp::bot {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kUsage[] =
    "usage: datamcp pipeline new NAME --env ENV --template T --image IMAGE [--tag T] "
    "[--digest D] [--schedule CRON] [--replicas N] [--request cpu=Q] [--limit memory=Q] "
    "[--source KEY=VALUE]... [--sink KEY=VALUE]... [--dir CHECKOUT]";

// A file of the checkout. Paths come from datamcp.yaml's validated patterns and checked names.
Result<std::string> ReadCheckoutFile(const fs::path& dir, const std::string& path) {
  std::ifstream in(dir / path, std::ios::binary);
  if (!in) return NotFound(path + ": not found in " + dir.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string TemplatesIn(const fs::path& charts) {
  std::string known;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(charts, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_directory() && name.starts_with("pipeline-")) {
      known += (known.empty() ? "" : ", ") + name.substr(9);
    }
  }
  return known.empty() ? "none" : known;
}

// KEY=VALUE into `target[KEY]`.
bool PutPair(const std::string& flag, const std::string& pair, json& target, std::string* error) {
  auto eq = pair.find('=');
  if (eq == std::string::npos || eq == 0) {
    *error = "--" + flag + " needs KEY=VALUE, got '" + pair + "'";
    return false;
  }
  target[pair.substr(0, eq)] = pair.substr(eq + 1);
  return true;
}

bool ParseReplicas(const std::string& value, repo::PipelineRequest* r, std::string* error) {
  std::size_t used = 0;
  try {
    r->replicas = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != 0 && used == value.size()) return true;
  *error = "--replicas needs a number, got '" + value + "'";
  return false;
}

bool ParseArgs(const std::vector<std::string>& args, repo::PipelineRequest* r, std::string* dir,
               std::string* error) {
  const std::map<std::string, std::string*> strings = {
      {"env", &r->env},       {"template", &r->template_}, {"image", &r->image}, {"tag", &r->tag},
      {"digest", &r->digest}, {"schedule", &r->schedule},  {"dir", dir}};
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!a.starts_with("--")) {
      if (!r->name.empty()) return *error = "unexpected argument '" + a + "'", false;
      r->name = a;
      continue;
    }
    if (i + 1 >= args.size()) return *error = a + " needs a value", false;
    std::string flag = a.substr(2), value = args[++i];
    bool ok = true;
    if (auto it = strings.find(flag); it != strings.end()) {
      *it->second = value;
    } else if (flag == "replicas") {
      ok = ParseReplicas(value, r, error);
    } else if (flag == "request" || flag == "limit") {
      ok = PutPair(flag, value, r->resources[flag == "request" ? "requests" : "limits"], error);
    } else if (flag == "source" || flag == "sink") {
      ok = PutPair(flag, value, flag == "source" ? r->source : r->sink, error);
    } else {
      return *error = "unknown option " + a, false;
    }
    if (!ok) return false;
  }
  if (r->name.empty() || r->env.empty() || r->template_.empty() || r->image.empty()) {
    return *error = "NAME, --env, --template and --image are required", false;
  }
  return true;
}

Status WriteNew(const fs::path& dir, const repo::GeneratedFile& file) {
  fs::path target = dir / file.path;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return Internal("cannot create " + target.parent_path().string() + ": " + ec.message());
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out << file.content;
  out.close();
  if (!out) return Internal("cannot write " + target.string());
  return Status::Ok();
}

int New(const std::vector<std::string>& args) {
  repo::PipelineRequest request;
  std::string dir = ".", error;
  if (!ParseArgs(args, &request, &dir, &error)) return CliFail("pipeline new: " + error, 2);
  fs::path root(dir);
  auto yaml = ReadCheckoutFile(root, std::string(repo::kRepoConfigPath));
  if (!yaml.ok()) return CliFail("pipeline new: " + yaml.status().message() + " (use --dir)", 2);
  auto config = repo::ParseRepoConfig(*yaml);
  if (!config.ok()) return CliFail("pipeline new: " + config.status().message());
  auto definition = repo::PipelineDefinition(request);
  if (!definition.ok()) return CliFail("pipeline new: " + definition.status().message(), 2);
  auto files = repo::RenderPipeline(*config, request, *definition);
  if (!files.ok()) return CliFail("pipeline new: " + files.status().message(), 2);
  proposal::FileReader read = [&](const std::string& path) { return ReadCheckoutFile(root, path); };
  Status checked =
      proposal::CheckPipelineTemplate(read, TemplatesIn(root / config->helm_charts), *config,
                                      request, *definition, tools::CheckTemplateSchema);
  if (!checked.ok()) return CliFail("pipeline new: " + checked.message(), 2);
  if (fs::exists(root / files->definition.path)) {
    return CliFail("pipeline new: " + files->definition.path +
                   " exists; edit it, or use propose_pipeline to change it");
  }
  bool new_app = !fs::exists(root / files->application.path);
  for (const auto* f : {&files->definition, new_app ? &files->application : nullptr}) {
    if (!f) continue;
    if (Status s = WriteNew(root, *f); !s.ok()) return CliFail("pipeline new: " + s.message());
    std::printf("wrote %s\n", f->path.c_str());
  }
  std::printf("commit these on a branch and open a pull request: DataMCP plans it\n");
  return 0;
}

}  // namespace

int RunPipeline(const std::vector<std::string>& args, const CommonOptions&) {
  if (args.empty() || args[0] != "new") return CliFail(kUsage, 2);
  return New({args.begin() + 1, args.end()});
}

}  // namespace datamcp::bot
