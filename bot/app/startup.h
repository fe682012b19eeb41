#pragma once

#include <string>
#include <vector>

#include "gitops/config/config.h"

namespace datamcp::bot {

// Command-line options shared by subcommands that need configuration.
struct CommonOptions {
  std::string config_file;  // --config, or DATAMCP_CONFIG
};

// Loads configuration from the file and the process environment, initializes logging and
// logs warnings. Errors are one line naming the key (the caller prints it and exits 2).
Result<config::Config> LoadConfig(const CommonOptions& options);

// Creates work_dir (0700) and returns its absolute path.
Result<std::string> PrepareWorkDir(const config::Config& config);

// With auth.mode jwt, HS256 and no configured secret, reads work_dir/auth/hs256.key or
// creates it (32 random bytes, hex, mode 0600) so auth is on by default and `datamcp token`
// mints tokens the server accepts.
Status EnsureHs256Secret(config::Config& config);

}  // namespace datamcp::bot
