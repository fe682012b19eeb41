#pragma once

#include <cstdio>
#include <string>

namespace datamcp::bot {

// Prints "datamcp: MESSAGE" on stderr and returns `code` (1 runtime failure, 2 usage or
// configuration error), for commands to `return CliFail(...)`.
inline int CliFail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "datamcp: %s\n", message.c_str());
  return code;
}

}  // namespace datamcp::bot
