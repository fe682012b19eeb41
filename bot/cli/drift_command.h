#pragma once

#include <string>
#include <vector>

#include "bot/app/startup.h"

namespace datamcp::bot {

// drift [--now] [--json]: the last drift check of every environment's Terraform root, read
// from the `drift` records in the note on the default branch's tip (none: not checked at this
// tip yet). --now runs a pass first, in this process, beside a running server: it shares the
// server's state database (locks, apply jobs, the pass's lease) and its Terraform state.
// Exit 0 when nothing drifted, 3 when something did, 1 on failure.
int RunDrift(const std::vector<std::string>& args, const CommonOptions& common);

}  // namespace datamcp::bot
