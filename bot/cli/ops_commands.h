#pragma once

#include <string>
#include <vector>

#include "bot/app/gitops_stack.h"
#include "bot/app/startup.h"

namespace datamcp::bot {

// The stack with its own mirror (cli-mirror.git), opened and fetched, for a command beside a
// server.
Result<std::unique_ptr<GitopsStack>> OpenStack(const CommonOptions& common,
                                               config::Config* config_out);

// mcp: the MCP server on stdin/stdout for an agent that launches DataMCP itself. The
// caller's token comes from DATAMCP_TOKEN (not needed with auth.mode none).
int RunMcpStdio(const std::vector<std::string>& args, const CommonOptions& common);

// audit [--since DATE] [--env ENV] [--json]: the history, from the repository alone.
int RunAudit(const std::vector<std::string>& args, const CommonOptions& common);

// unlock PROJECT: releases a project's lock whatever holds it; waiting pull requests are
// planned again.
int RunUnlock(const std::vector<std::string>& args, const CommonOptions& common);

// refresh N [--as USER]: rebuilds proposal N's branch on the current default branch and
// re-plans it; conflicts are listed with what to do (exit 1). Any forge.
int RunRefresh(const std::vector<std::string>& args, const CommonOptions& common);

// resolve COMMIT PROJECT --retry|--applied|--failed [--by NAME] [-m MSG]: settles an apply
// recorded as interrupted, recording who did it and how (gitops/apply/resolution.h). COMMIT
// may be a prefix of a commit on the default branch. --by defaults to $USER.
int RunResolve(const std::vector<std::string>& args, const CommonOptions& common);

}  // namespace datamcp::bot
