#pragma once

#include "bot/app/startup.h"

namespace datamcp::bot {

// `datamcp serve`: builds the real implementations from configuration and serves HTTP
// until SIGINT/SIGTERM. Returns the exit code (2 for configuration errors).
int RunServe(const CommonOptions& options);

}  // namespace datamcp::bot
