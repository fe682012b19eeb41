#pragma once

#include <istream>
#include <ostream>

#include "bot/auth/principal.h"
#include "bot/mcp/mcp_server.h"

namespace datamcp::bot::mcp {

// MCP over stdio: reads newline-delimited JSON-RPC messages from `in` and writes each
// response and notification as one line to `out` (flushed), until end of input. Nothing
// else may write to `out`: logs go to stderr. The whole stream is one session whose
// caller is `principal` (the credentials of the environment that launched the bot).
// Tool calls run on their own threads (up to 4 at once) so notifications/cancelled
// reaches them; responses may therefore come out of order, as JSON-RPC allows. At end of
// input it waits for running calls, then returns 0.
int RunStdio(std::istream& in, std::ostream& out, const McpServer& server,
             const Principal& principal);

}  // namespace datamcp::bot::mcp
