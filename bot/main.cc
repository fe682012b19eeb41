#include <cstring>

#include "bot/cli/cli.h"
#include "gitops/process/egress_bridge.h"

int main(int argc, char** argv) {
  // Internal: the sandbox runs planners through this bridge when plan.allowed_hosts is set.
  // Before the CLI, so it reads no configuration and logs nothing.
  if (argc > 1 && std::strcmp(argv[1], "egress-bridge") == 0) {
    return datamcp::process::RunEgressBridge({argv + 2, argv + argc});
  }
  return datamcp::bot::RunCli(argc, argv);
}
