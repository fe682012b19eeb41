#include "bot/cli/ops_commands.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "bot/app/gitops_stack.h"
#include "bot/app/mcp_wiring.h"
#include "bot/cli/cli_support.h"
#include "bot/mcp/stdio_transport.h"
#include "gitops/apply/resolution.h"
#include "gitops/audit/audit_log.h"
#include "gitops/common/utc_time.h"
#include "gitops/proposal/lock_release.h"

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
    } else if ((args[i] == "--since" || args[i] == "--env" || args[i] == "--resource") &&
               i + 1 < args.size()) {
      if (args[i] == "--env") {
        filter.env = args[++i];
        continue;
      }
      if (args[i] == "--resource") {
        filter.resource = args[++i];
        if (filter.resource.empty()) return CliFail("audit --resource: give an address", 2);
        continue;
      }
      auto since = ParseUtcDateOrTime(args[++i]);
      if (!since.ok()) return CliFail("audit --since: use YYYY-MM-DD, got '" + args[i] + "'", 2);
      filter.since = *since;
    } else {
      return CliFail(
          "usage: datamcp audit [--since YYYY-MM-DD] [--env ENV] [--resource ADDRESS] [--json]", 2);
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
  auto replanned = proposal::ReleaseProject(*(*stack)->locks, *(*stack)->proposals, args[0]);
  if (!replanned.ok()) return CliFail(replanned.status().message());
  std::printf("released %s\n", args[0].c_str());
  for (const auto& r : *replanned) {
    std::printf("re-planned #%d: %s\n", r.pull_request,
                r.outcome.ok() ? r.outcome->status.c_str() : r.outcome.status().message().c_str());
  }
  return 0;
}

int RunRefresh(const std::vector<std::string>& args, const CommonOptions& common) {
  constexpr const char* kUsage = "usage: datamcp refresh N [--as USER]";
  const char* user = std::getenv("USER");
  std::string actor = user && *user ? user : "local-user";
  int number = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--as" && i + 1 < args.size()) {
      actor = args[++i];
    } else if (number == 0 && !args[i].empty() &&
               args[i].find_first_not_of("0123456789") == std::string::npos && args[i].size() < 9 &&
               std::stoi(args[i]) > 0) {
      number = std::stoi(args[i]);
    } else {
      return CliFail("refresh: unexpected argument '" + args[i] + "'; " + kUsage, 2);
    }
  }
  if (number == 0) return CliFail(kUsage, 2);
  auto stack = OpenStack(common, nullptr);
  if (!stack.ok()) return CliFail(stack.status().message());
  auto refreshed = (*stack)->proposals->Refresh(number, "", actor);
  if (!refreshed.ok()) return CliFail(refreshed.status().message());
  std::string text = proposal::RefreshSummary(*refreshed);
  std::fputs(text.c_str(), refreshed->conflicts.empty() ? stdout : stderr);
  return refreshed->conflicts.empty() ? 0 : 1;
}

namespace {

constexpr const char* kResolveUsage =
    "usage: datamcp resolve COMMIT PROJECT --retry|--applied|--failed [--by NAME] [-m MSG]";

// The commit on the default branch (whose tip is `tip`) that `prefix` (at least 7 hex
// digits) names.
Result<std::string> FindMergeCommit(git::Repository& repo, const std::string& branch,
                                    const std::string& tip, const std::string& prefix) {
  if (prefix.size() < 7 || prefix.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return InvalidArgument("resolve: COMMIT '" + prefix +
                           "' is not a commit id (7 to 40 lower-case hex digits)");
  }
  DATAMCP_ASSIGN_OR_RETURN(auto commits, repo.Log(tip, {}, 5000));
  for (const auto& c : commits) {
    if (c.oid.starts_with(prefix)) return c.oid;
  }
  return NotFound("resolve: no commit " + prefix + " on " + branch +
                  "; `datamcp audit` shows the merges and their apply results");
}

}  // namespace

int RunResolve(const std::vector<std::string>& args, const CommonOptions& common) {
  std::vector<std::string> positional;
  apply::ResolveRequest request;
  int modes = 0;
  const char* user = std::getenv("USER");
  request.by = user ? user : "";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--retry" || a == "--applied" || a == "--failed") {
      ++modes;
      request.how = a == "--retry"     ? apply::Resolution::kRetry
                    : a == "--applied" ? apply::Resolution::kApplied
                                       : apply::Resolution::kFailed;
    } else if ((a == "--by" || a == "-m") && i + 1 < args.size()) {
      (a == "--by" ? request.by : request.message) = args[++i];
    } else if (a.starts_with("-")) {
      return CliFail("resolve: unknown option '" + a + "'\n" + kResolveUsage, 2);
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 2 || modes != 1) {
    return CliFail(std::string("resolve: give COMMIT, PROJECT and exactly one of --retry, "
                               "--applied, --failed\n") +
                       kResolveUsage,
                   2);
  }
  request.project = positional[1];
  config::Config config;
  auto stack = OpenStack(common, &config);
  if (!stack.ok()) return CliFail(stack.status().message());
  std::string tip;
  if (auto loaded = (*stack)->proposals->LoadConfig(&tip); !loaded.ok()) {
    return CliFail(loaded.status().message());
  }
  auto commit =
      FindMergeCommit(*(*stack)->repo, config.repository.default_branch, tip, positional[0]);
  if (!commit.ok()) return CliFail(commit.status().message());
  request.commit = *commit;
  auto record = apply::ResolveInterrupted(*(*stack)->repo, request, SystemClock::Instance());
  if (!record.ok()) return CliFail(record.status().message());
  std::printf("%s at %s: %s\n", request.project.c_str(), request.commit.substr(0, 12).c_str(),
              (*record)["summary"].get<std::string>().c_str());
  if (request.how == apply::Resolution::kRetry) {
    std::printf("the server applies it again on its next pass; `datamcp audit` shows the result\n");
  }
  return 0;
}

}  // namespace datamcp::bot
