#include "bot/app/mcp_command.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "bot/auth/auth_log.h"
#include "bot/auth/jwt_authenticator.h"
#include "bot/auth/no_auth_authenticator.h"
#include "bot/mcp/stdio_transport.h"
#include "datamcp/version.h"
#include "gitops/common/log.h"

namespace datamcp::bot {

Result<std::unique_ptr<Authenticator>> MakeAuthenticator(const config::Config& config) {
  if (config.auth.mode == "none") {
    return std::unique_ptr<Authenticator>(new NoAuthAuthenticator());
  }
  DATAMCP_ASSIGN_OR_RETURN(JwtOptions options, JwtOptionsFromConfig(config.auth));
  DATAMCP_ASSIGN_OR_RETURN(auto jwt,
                           JwtAuthenticator::Create(std::move(options), SystemClock::Instance()));
  return std::unique_ptr<Authenticator>(std::move(jwt));
}

mcp::McpServerOptions DefaultMcpServerOptions() {
  mcp::McpServerOptions o;
  o.version = kVersion;
  o.instructions =
      "DataMCP turns requests into pull requests on a GitOps repository; a human merges "
      "them and only then are they applied. Call get_server_info first to learn the "
      "environments and your scopes.";
  return o;
}

mcp::ServerInfo ServerInfoFromConfig(const config::Config& config, const std::string& repo_path) {
  mcp::ServerInfo info;
  info.version = kVersion;
  bool embedded = config.repository.url.empty();
  info.repository_url = embedded ? repo_path : config.repository.url;
  info.repository_description = embedded ? "embedded local repository" : "remote repository";
  info.default_branch = config.repository.default_branch;
  info.forge = config.forge.kind;
  return info;
}

int RunMcpStdio(const CommonOptions& options) {
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "datamcp mcp: %s\n", message.c_str());
    return 2;
  };
  auto loaded = LoadConfig(options);
  if (!loaded.ok()) return fail(loaded.status().message());
  config::Config config = std::move(loaded).value();
  auto work_dir = PrepareWorkDir(config);
  if (!work_dir.ok()) return fail(work_dir.status().message());
  if (Status s = EnsureHs256Secret(config); !s.ok()) return fail(s.message());
  auto authenticator = MakeAuthenticator(config);
  if (!authenticator.ok()) return fail(authenticator.status().message());

  const char* token = std::getenv("DATAMCP_TOKEN");
  auto principal = (*authenticator)->Authenticate(token != nullptr ? token : "");
  AuthDecision decision;
  decision.tool = "mcp stdio";
  if (!principal.ok()) {
    decision.reason = principal.status().message();
    LogAuthDecision(decision);
    return fail("DATAMCP_TOKEN: " + principal.status().message() +
                " (mint one with `datamcp token --sub NAME --scopes \"...\"`)");
  }
  LogAuthDecision(MakeAuthDecision(*principal, "mcp stdio", true, "token verified"));
  if (principal->no_auth) {
    log::Warn("auth_disabled", {{"message", "auth.mode none: local development only"}});
  }

  std::string repo_path = config.repository.url.empty()
                              ? (std::filesystem::path(*work_dir) / "gitops.git").string()
                              : (std::filesystem::path(*work_dir) / "mirror.git").string();
  mcp::ToolRegistry registry;
  if (Status s = mcp::RegisterServerInfoTool(registry, ServerInfoFromConfig(config, repo_path));
      !s.ok()) {
    return fail(s.message());
  }
  mcp::McpServer server(registry, DefaultMcpServerOptions());
  std::ios::sync_with_stdio(false);
  return mcp::RunStdio(std::cin, std::cout, server, *principal);
}

}  // namespace datamcp::bot
