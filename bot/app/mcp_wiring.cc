#include "bot/app/mcp_wiring.h"

#include "bot/auth/jwt_authenticator.h"
#include "bot/auth/no_auth_authenticator.h"
#include "bot/mcp/server_info_tool.h"
#include "bot/tools/proposal_tools.h"
#include "bot/tools/read_tools.h"
#include "datamcp/version.h"

namespace datamcp::bot {
namespace {

// The repository URL without credentials, for get_server_info.
std::string RedactedUrl(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  return url.substr(0, scheme + 3) + url.substr(at + 1);
}

Result<std::unique_ptr<Authenticator>> MakeAuthenticator(const config::Config& config,
                                                         Clock& clock) {
  if (config.auth.mode == "none") {
    return std::unique_ptr<Authenticator>(std::make_unique<NoAuthAuthenticator>());
  }
  DATAMCP_ASSIGN_OR_RETURN(JwtOptions options,
                           JwtOptionsFromConfig(config.auth, config.PublicUrl()));
  DATAMCP_ASSIGN_OR_RETURN(auto jwt, JwtAuthenticator::Create(std::move(options), clock));
  return std::unique_ptr<Authenticator>(std::move(jwt));
}

// datamcp_mcp_rate_limited_total{tool}: one series per tool (a fixed set), never per subject.
std::function<void(const std::string&)> RateLimitedCounter(Metrics& metrics) {
  auto& family = prometheus::BuildCounter()
                     .Name("datamcp_mcp_rate_limited_total")
                     .Help("MCP tool calls refused by the per-caller rate limit, by tool.")
                     .Register(metrics.registry());
  return [&family](const std::string& tool) { family.Add({{"tool", tool}}).Increment(); };
}

}  // namespace

Result<std::unique_ptr<McpParts>> BuildMcp(const config::Config& config, GitopsStack& stack,
                                           Clock& clock, Metrics* metrics) {
  auto parts = std::make_unique<McpParts>();
  DATAMCP_ASSIGN_OR_RETURN(parts->authenticator, MakeAuthenticator(config, clock));
  mcp::ServerInfo info;
  info.version = kVersion;
  info.repository_url = RedactedUrl(stack.remote_url);
  info.repository_description = stack.embedded_origin.empty()
                                    ? "remote GitOps repository"
                                    : "embedded local repository (local forge)";
  info.default_branch = config.repository.default_branch;
  // Read at each call, not here: at start-up the mirror is not ready yet, and the
  // configuration on the default branch can change while the server runs (the mirror
  // keeper and the reconciler refresh the cached copy each time they read it).
  info.current_environments = [&proposals = *stack.proposals] {
    std::vector<std::string> names;
    if (auto repo_config = proposals.CachedConfig()) {
      for (const auto& env : repo_config->environments) names.push_back(env.name);
    }
    return names;
  };
  info.forge = config.forge.kind;
  parts->limiter = std::make_unique<mcp::RateLimiter>(
      clock, mcp::RateLimit{config.mcp.rate_limit_burst, config.mcp.rate_limit_per_minute});
  info.read_only = config.mcp.read_only;
  info.limiter = parts->limiter.get();
  DATAMCP_RETURN_IF_ERROR(mcp::RegisterServerInfoTool(parts->registry, info));
  parts->deps.reset(new tools::GitopsToolDeps{*stack.proposals, *stack.forge, *stack.repo,
                                              *stack.locks, config.repository.default_branch,
                                              config.server.max_body_bytes});
  parts->deps->argocd = stack.argocd.get();
  parts->deps->drift = stack.drift.get();
  DATAMCP_RETURN_IF_ERROR(tools::RegisterProposalTools(parts->registry, *parts->deps));
  DATAMCP_RETURN_IF_ERROR(tools::RegisterReadTools(parts->registry, *parts->deps));
  DATAMCP_RETURN_IF_ERROR(tools::RegisterPipelineReadTools(parts->registry, *parts->deps));
  DATAMCP_RETURN_IF_ERROR(tools::RegisterStatusTools(parts->registry, *parts->deps));
  DATAMCP_RETURN_IF_ERROR(tools::RegisterDriftTool(parts->registry, *parts->deps));
  DATAMCP_RETURN_IF_ERROR(parts->registry.SetPolicy({config.mcp.read_only, config.mcp.tools}));
  mcp::McpServerOptions options;
  options.limiter = parts->limiter.get();
  if (metrics != nullptr) options.on_rate_limited = RateLimitedCounter(*metrics);
  options.version = kVersion;
  options.instructions =
      "DataMCP proposes changes to a GitOps repository as pull requests with the plan "
      "attached. Nothing is applied until a human merges. Start with list_environments; use "
      "plan_preview for a dry run, then a propose_* tool.";
  parts->server = std::make_unique<mcp::McpServer>(parts->registry, options);
  return parts;
}

}  // namespace datamcp::bot
