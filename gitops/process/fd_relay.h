#pragma once

#include <chrono>
#include <string_view>

namespace datamcp::process {

// Copies bytes both ways between two connected stream sockets until both directions end
// (EOF is passed on as a half-close) or nothing moves for `idle`. Closes neither socket.
void RelayBothWays(int a, int b, std::chrono::seconds idle);

// Writes all of `data` to `fd` (blocking); false on error.
bool WriteAll(int fd, std::string_view data);

}  // namespace datamcp::process
