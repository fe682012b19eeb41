#include "bot/cli/cli.h"

#include <cstdio>
#include <string_view>

#include "datamcp/version.h"

namespace datamcp::bot {

int RunCli(int argc, char** argv) {
  std::string_view cmd = argc > 1 ? argv[1] : "--help";
  if (cmd == "version") {
    std::printf("datamcp %s\n", kVersion);
    return 0;
  }
  std::printf("usage: datamcp <command>\n");
  return cmd == "--help" ? 0 : 2;
}

}  // namespace datamcp::bot
