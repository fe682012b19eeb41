#pragma once

namespace datamcp::bot {

// Parses the command line and runs the chosen subcommand; returns the process exit code
// (0 success, 1 runtime failure, 2 usage or configuration error).
int RunCli(int argc, char** argv);

}  // namespace datamcp::bot
