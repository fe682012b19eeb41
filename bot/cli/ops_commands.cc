#include "bot/cli/ops_commands.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "bot/app/gitops_stack.h"
#include "bot/app/mcp_wiring.h"
#include "bot/cli/cli_support.h"
#include "bot/mcp/stdio_transport.h"
#include "gitops/audit/audit_log.h"

namespace datamcp::bot {

Result<std::unique_ptr<GitopsStack>> OpenStack(const CommonOptions& common,
                                               config::Config* config_out) {
  DATAMCP_ASSIGN_OR_RETURN(config::Config config, LoadConfig(common));
  DATAMCP_ASSIGN_OR_RETURN(std::string work_dir, PrepareWorkDir(config));
  DATAMCP_RETURN_IF_ERROR(EnsureHs256Secret(config));
  DATAMCP_ASSIGN_OR_RETURN(
      auto stack, BuildGitopsStack(config, work_dir, SystemClock::Instance(), "cli-mirror.git"));
  DATAMCP_RETURN_IF_ERROR(stack->repo->Mirror());
  if (config_out) *config_out = config;
  return stack;
}

int RunMcpStdio(const std::vector<std::string>& args, const CommonOptions& common) {
  if (!args.empty()) return CliFail("mcp takes no arguments besides --config", 2);
  config::Config config;
  auto stack = OpenStack(common, &config);
  if (!stack.ok()) return CliFail(stack.status().message(), 2);
  (void)(*stack)->proposals->LoadConfig();
  auto parts = BuildMcp(config, **stack, SystemClock::Instance());
  if (!parts.ok()) return CliFail(parts.status().message(), 2);
  const char* token = std::getenv("DATAMCP_TOKEN");
  auto principal = (*parts)->authenticator->Authenticate(token ? token : "");
  if (!principal.ok()) {
    return CliFail(
        "mcp: set DATAMCP_TOKEN to a token (`datamcp token`): " + principal.status().message(), 2);
  }
  return mcp::RunStdio(std::cin, std::cout, *(*parts)->server, *principal);
}

int RunAudit(const std::vector<std::string>& args, const CommonOptions& common) {
  audit::AuditFilter filter;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if ((args[i] == "--since" || args[i] == "--env") && i + 1 < args.size()) {
      if (args[i] == "--env") {
        filter.env = args[++i];
        continue;
      }
      std::tm tm{};
      const char* end = strptime(args[++i].c_str(), "%Y-%m-%d", &tm);
      if (!end || *end) return CliFail("audit --since: use YYYY-MM-DD, got '" + args[i] + "'", 2);
      filter.since = timegm(&tm);
    } else {
      return CliFail("usage: datamcp audit [--since YYYY-MM-DD] [--env ENV] [--json]", 2);
    }
  }
  config::Config config;
  auto stack = OpenStack(common, &config);
  if (!stack.ok()) return CliFail(stack.status().message());
  if (!filter.env.empty()) {
    // An unknown environment is a mistake, not an empty history.
    auto repo_config = (*stack)->proposals->LoadConfig();
    if (!repo_config.ok()) return CliFail(repo_config.status().message());
    auto found = repo_config->FindEnvironment(filter.env);
    if (!found.ok()) return CliFail("audit --env: " + found.status().message(), 2);
  }
  auto entries = audit::ReadAuditLog(*(*stack)->repo, config.repository.default_branch, filter);
  if (!entries.ok()) return CliFail(entries.status().message());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *entries) out.push_back(audit::ToJson(e));
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::fputs(audit::FormatText(*entries).c_str(), stdout);
  }
  return 0;
}

int RunUnlock(const std::vector<std::string>& args, const CommonOptions& common) {
  if (args.size() != 1) return CliFail("usage: datamcp unlock PROJECT", 2);
  auto stack = OpenStack(common, nullptr);
  if (!stack.ok()) return CliFail(stack.status().message());
  auto waiters = (*stack)->locks->Release(args[0]);
  if (!waiters.ok()) return CliFail(waiters.status().message());
  std::printf("released %s\n", args[0].c_str());
  for (int pr : *waiters) {
    auto plan = (*stack)->proposals->PlanPullRequest(pr);
    std::printf("re-planned #%d: %s\n", pr,
                plan.ok() ? plan->status.c_str() : plan.status().message().c_str());
  }
  return 0;
}

}  // namespace datamcp::bot
