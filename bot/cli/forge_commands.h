#pragma once

#include <string>
#include <vector>

#include "bot/app/startup.h"

namespace datamcp::bot {

// The local forge's human commands (never MCP tools: agents propose, humans merge):
//   prs [--all] [--json]              list pull requests
//   pr N                              show one, with its comments (the plan output)
//   review N --approve|--request-changes|--comment|--confirm-destroy [-m TEXT] [--as USER]
//   merge N [--as USER] [--force]      refused while the plan, approvals or destroy gate lack
//   close N [-m TEXT] [--as USER]     close without merging (releases its locks)
// Each returns the process exit code.
int RunPrs(const std::vector<std::string>& args, const CommonOptions& common);
int RunPr(const std::vector<std::string>& args, const CommonOptions& common);
int RunReview(const std::vector<std::string>& args, const CommonOptions& common);
int RunMerge(const std::vector<std::string>& args, const CommonOptions& common);
int RunClose(const std::vector<std::string>& args, const CommonOptions& common);

}  // namespace datamcp::bot
