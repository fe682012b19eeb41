#include "bot/cli/admin_commands.h"

#include <unistd.h>

#include <cstdio>

#include "bot/app/template_dir.h"
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

constexpr char kTokenUsage[] =
    "usage: datamcp token --sub NAME --scopes \"SCOPE ...\" [--ttl 1h]\n"
    "  mints an HS256 token with the server's key.\n"
    "  scopes: proposals:write plans:read audit:read locks:read server:read env:<environment>\n"
    "          (none: a token that can only call get_server_info)\n"
    "  --ttl: digits and a unit s, m, h or d, between 1s and 366d (default 1h)\n";

// Every scope is one DataMCP checks: a misspelt one would only fail later, at a tool call.
Status CheckScopes(const std::vector<std::string>& scopes) {
  static const char* kKnown = "proposals:write plans:read audit:read locks:read server:read";
  if (scopes.empty()) {
    return InvalidArgument(
        "--scopes: no scope given; give e.g. --scopes \"proposals:write plans:read env:dev\" "
        "(or --scopes none for a token that can only call get_server_info)");
  }
  for (const auto& scope : scopes) {
    if (scope.starts_with(kEnvScopePrefix)) {
      std::string env = scope.substr(kEnvScopePrefix.size());
      bool valid = !env.empty() && env.size() <= 63 && env[0] >= 'a' && env[0] <= 'z';
      for (char c : env)
        valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
      if (valid) continue;
      return InvalidArgument("--scopes: '" + scope +
                             "' is not env:<environment> (lowercase letters, digits, '-')");
    }
    if ((std::string(" ") + kKnown + " ").find(" " + scope + " ") == std::string::npos) {
      return InvalidArgument("--scopes: '" + scope + "' is not a DataMCP scope; known: " + kKnown +
                             " env:<environment>");
    }
  }
  return Status::Ok();
}

}  // namespace

int RunToken(const std::vector<std::string>& args, const CommonOptions& common) {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  std::string error;
  for (const auto& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::fputs(kTokenUsage, stdout);
      return 0;
    }
  }
  if (!ParseFlags(args, &flags, &positional, &error)) return CliFail("token: " + error, 2);
  for (const auto& [name, value] : flags) {
    if (name != "sub" && name != "scopes" && name != "ttl") {
      return CliFail("token: unknown option --" + name + " (use --sub, --scopes, --ttl)", 2);
    }
  }
  if (!positional.empty() || !flags.contains("sub")) {
    std::string usage = kTokenUsage;
    usage.pop_back();
    return CliFail(usage, 2);
  }
  std::vector<std::string> scopes = SplitScopes(flags["scopes"]);
  bool none = scopes.size() == 1 && scopes[0] == "none";  // explicitly no scope
  if (none) scopes.clear();
  if (Status s = none ? Status::Ok() : CheckScopes(scopes); !s.ok()) {
    return CliFail("token " + s.message(), 2);
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
  if (!ttl.ok()) return CliFail("token " + ttl.status().message(), 2);
  MintOptions mint;
  mint.subject = flags["sub"];
  mint.scopes = scopes;
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
