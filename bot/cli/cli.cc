#include "bot/cli/cli.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bot/app/serve.h"
#include "bot/app/startup.h"
#include "bot/cli/admin_commands.h"
#include "bot/cli/drift_command.h"
#include "bot/cli/forge_commands.h"
#include "bot/cli/ops_commands.h"
#include "bot/cli/pipeline_command.h"
#include "datamcp/version.h"
#include "gitops/config/config.h"
#include "gitops/config/config_keys.h"

namespace datamcp::bot {
namespace {

constexpr const char* kHelp =
    R"(datamcp - a GitOps repository bot: agents propose, humans merge, git records.

usage: datamcp <command> [options]

commands:
  serve                 run the HTTP front: /mcp, /webhooks/github, /healthz, /readyz, /metrics
  mcp                   MCP over stdin/stdout for an agent that launches DataMCP (token in
                        $DATAMCP_TOKEN; unneeded with auth.mode none)
  audit [--since YYYY-MM-DD] [--env ENV] [--resource ADDRESS] [--json]
                        who proposed, planned, approved, merged and applied what, read from
                        the repository alone
  drift [--now] [--json]
                        the last drift check of each environment's Terraform root at the
                        default branch's tip (--now: run a pass first); exit 3 when drifted
  unlock PROJECT        release a project's lock (waiting pull requests are planned again)
  resolve COMMIT PROJECT --retry|--applied|--failed [--by NAME] [-m TEXT]
                        settle an apply recorded as interrupted: apply it again, or record
                        that it is applied or failed; the audit log shows who and how
  token --sub NAME --scopes "a b" [--ttl 1h]
                        mint an HS256 token with the server's key (scopes: proposals:write,
                        plans:read, audit:read, locks:read, server:read, env:<name>)
  init-repo DEST [--template DIR]
                        create a GitOps repository from repo-template/
  prs [--all] [--json]  list the local forge's pull requests, then its open drift reports
                        (--all: resolved ones too; --json: the pull requests only)
  pr N [--diff]         show pull request N with its comments (the plan output), or with
                        --diff the change itself as a unified patch
  review N --approve|--request-changes|--comment [-m TEXT] [--as USER]
                        review pull request N on the local forge
  review N --confirm-destroy [--as USER]
                        confirm the destructive plan (deletes or replaces) recorded on pull
                        request N's head: bound to that plan's fingerprint, recorded in the
                        notes; a new plan needs a new confirmation
  merge N [--as USER] [--force]
                        merge pull request N on the local forge (a human action; the server
                        then re-plans, checks the fingerprint and applies). Refused until the
                        plan check passed and the environment's approvals are there, and for
                        a destructive plan its destroy_approvals or a --confirm-destroy;
                        --force merges anyway and records it as forced
  refresh N [--as USER]
                        rebuild proposal N's branch on the current default branch (its
                        change re-applied on top, one commit) and plan it again; conflicting
                        paths are listed with what to do
  pipeline new NAME --env ENV --template T --image IMAGE [--tag T] [--digest D]
      [--schedule CRON] [--replicas N] [--request cpu=Q] [--limit memory=Q]
      [--source KEY=VALUE]... [--sink KEY=VALUE]... [--dir CHECKOUT]
                        scaffold a data pipeline in a checkout of the GitOps repository:
                        its definition pipelines/<env>/<name>.yaml and Argo CD Application,
                        checked like propose_pipeline (commit them and open a pull request)
  close N [-m TEXT] [--as USER]
                        close pull request N without merging (its locks are released)
  config --reference    print every configuration key (markdown table)
  config --check        load and validate the configuration, print the first problem
  config --show         print the effective configuration (file, environment, defaults),
                        secrets masked
  version               print the version
  help, --help          this text

options:
  --config FILE         YAML configuration file (default: $DATAMCP_CONFIG; none: built-in
                        defaults, a local GitOps repository under .datamcp/ and the local forge)

Every key can also be set with an environment variable: server.port -> DATAMCP_SERVER_PORT.
Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
)";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "datamcp: %s\nrun `datamcp --help` for usage\n", problem.c_str());
  return 2;
}

// Pulls `--config FILE` out of args; the rest stays for the subcommand.
bool TakeCommonOptions(std::vector<std::string>& args, CommonOptions* out, std::string* error) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config") {
      if (i + 1 >= args.size()) {
        *error = "--config needs a file";
        return false;
      }
      out->config_file = args[i + 1];
      args.erase(args.begin() + i, args.begin() + i + 2);
      --i;
    } else if (args[i].starts_with("--config=")) {
      out->config_file = args[i].substr(9);
      args.erase(args.begin() + i);
      --i;
    }
  }
  return true;
}

int RunConfig(const std::vector<std::string>& args, const CommonOptions& common) {
  if (args.size() == 1 && args[0] == "--reference") {
    std::fputs(config::ReferenceMarkdown().c_str(), stdout);
    return 0;
  }
  if (args.size() == 1 && args[0] == "--check") {
    auto c = LoadConfig(common);
    if (!c.ok()) return Usage(c.status().message());
    std::printf("configuration ok\n");
    return 0;
  }
  if (args.size() == 1 && args[0] == "--show") {
    auto c = LoadConfig(common);
    if (!c.ok()) return Usage(c.status().message());
    for (const auto& key : config::Keys()) {
      std::string value = config::ValueText(key, *c);
      // Credentials inside a URL (https://user:token@host) are secrets too.
      auto scheme = value.find("://");
      auto at = value.find('@');
      if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
        value = value.substr(0, scheme + 3) + "<masked>" + value.substr(at);
      }
      std::printf("%s: %s\n", key.name, value.c_str());
    }
    return 0;
  }
  return Usage("config needs --reference, --check or --show");
}

}  // namespace

int RunCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  CommonOptions common;
  std::string error;
  if (!TakeCommonOptions(args, &common, &error)) return Usage(error);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kHelp, stdout);
    return args.empty() ? 2 : 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "version" || cmd == "--version") {
    std::printf("datamcp %s\n", kVersion);
    return 0;
  }
  if (cmd == "serve") {
    if (!args.empty()) return Usage("serve takes no arguments besides --config: " + args[0]);
    return RunServe(common);
  }
  if (cmd == "config") return RunConfig(args, common);
  if (cmd == "token") return RunToken(args, common);
  if (cmd == "mcp") return RunMcpStdio(args, common);
  if (cmd == "audit") return RunAudit(args, common);
  if (cmd == "unlock") return RunUnlock(args, common);
  if (cmd == "drift") return RunDrift(args, common);
  if (cmd == "resolve") return RunResolve(args, common);
  if (cmd == "init-repo") return RunInitRepo(args, common);
  if (cmd == "prs") return RunPrs(args, common);
  if (cmd == "pr") return RunPr(args, common);
  if (cmd == "review") return RunReview(args, common);
  if (cmd == "merge") return RunMerge(args, common);
  if (cmd == "close") return RunClose(args, common);
  if (cmd == "refresh") return RunRefresh(args, common);
  if (cmd == "pipeline") return RunPipeline(args, common);
  return Usage("unknown command '" + cmd + "'");
}

}  // namespace datamcp::bot
