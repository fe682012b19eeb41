#include "bot/cli/admin_commands.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bot/auth/jwt_authenticator.h"
#include "bot/auth/mint.h"
#include "bot/auth/scopes.h"
#include "bot/cli/cli_support.h"
#include "gitops/common/clock.h"
#include "gitops/repo/init_repo.h"

namespace datamcp::bot {
namespace {

// Reads `--name VALUE` pairs; returns false (with the problem) on an unknown or bare flag.
bool ParseFlags(const std::vector<std::string>& args, std::map<std::string, std::string>* flags,
                std::vector<std::string>* positional, std::string* error) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!args[i].starts_with("--")) {
      positional->push_back(args[i]);
      continue;
    }
    if (i + 1 >= args.size()) {
      *error = args[i] + " needs a value";
      return false;
    }
    (*flags)[args[i].substr(2)] = args[i + 1];
    ++i;
  }
  return true;
}

}  // namespace

int RunToken(const std::vector<std::string>& args, const CommonOptions& common) {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  std::string error;
  if (!ParseFlags(args, &flags, &positional, &error)) return CliFail("token: " + error, 2);
  for (const auto& [name, value] : flags) {
    if (name != "sub" && name != "scopes" && name != "ttl") {
      return CliFail("token: unknown option --" + name + " (use --sub, --scopes, --ttl)", 2);
    }
  }
  if (!positional.empty() || !flags.contains("sub")) {
    return CliFail(
        "usage: datamcp token --sub NAME --scopes \"proposals:write plans:read\" [--ttl 1h]", 2);
  }
  auto config = LoadConfig(common);
  if (!config.ok()) return CliFail(config.status().message(), 2);
  if (config->auth.algorithm != "HS256") {
    return CliFail(
        "token: auth.algorithm is " + config->auth.algorithm +
            "; tokens come from your identity provider, `datamcp token` mints HS256 only",
        2);
  }
  if (Status s = EnsureHs256Secret(*config); !s.ok()) return CliFail(s.message(), 2);
  auto ttl = ParseTtl(flags.contains("ttl") ? flags["ttl"] : "1h");
  if (!ttl.ok()) return CliFail("token --ttl: " + ttl.status().message(), 2);
  MintOptions mint;
  mint.subject = flags["sub"];
  mint.scopes = SplitScopes(flags["scopes"]);
  mint.ttl = *ttl;
  mint.issuer = config->auth.issuer;
  mint.audience = DefaultAudience(config->auth, config->PublicUrl());
  auto max_lifetime = ParseTtl(config->auth.max_token_lifetime);
  if (max_lifetime.ok() && *ttl > *max_lifetime) {
    return CliFail("token --ttl: " + std::to_string(ttl->count()) +
                       " s is longer than auth.max_token_lifetime (" +
                       config->auth.max_token_lifetime + "); the server would refuse it",
                   2);
  }
  auto token = MintHs256(config->auth.hs256_secret, mint, SystemClock::Instance());
  if (!token.ok()) return CliFail("token: " + token.status().message(), 2);
  std::printf("%s\n", token->c_str());
  return 0;
}

std::string FindTemplateDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      candidates.push_back(dir / "repo-template");
      candidates.push_back(dir / "share" / "datamcp" / "repo-template");
    }
  }
  candidates.push_back("/usr/share/datamcp/repo-template");
  for (const auto& c : candidates) {
    if (fs::exists(c / "datamcp.yaml", ec)) return c.string();
  }
  return "";
}

int RunInitRepo(const std::vector<std::string>& args, const CommonOptions& common) {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  std::string error;
  if (!ParseFlags(args, &flags, &positional, &error)) return CliFail("init-repo: " + error, 2);
  if (positional.size() != 1 ||
      (flags.size() > 1 || (flags.size() == 1 && !flags.contains("template")))) {
    return CliFail("usage: datamcp init-repo DEST [--template DIR]", 2);
  }
  std::string template_dir = flags.contains("template") ? flags["template"] : FindTemplateDir();
  if (template_dir.empty()) {
    return CliFail("init-repo: cannot find repo-template/; pass --template DIR", 2);
  }
  auto config = LoadConfig(common);
  if (!config.ok()) return CliFail(config.status().message(), 2);
  repo::InitRepoOptions options;
  options.committer_name = config->repository.committer_name;
  options.committer_email = config->repository.committer_email;
  if (Status s = repo::InitRepo(template_dir, positional[0], options); !s.ok()) {
    return CliFail("init-repo: " + s.message());
  }
  std::printf("created a GitOps repository in %s from %s\n", positional[0].c_str(),
              template_dir.c_str());
  return 0;
}

}  // namespace datamcp::bot
