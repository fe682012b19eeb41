#pragma once

#include <string>
#include <vector>

namespace datamcp::process {

// The port the bridge listens on inside a sandbox's own network namespace.
inline constexpr int kEgressBridgePort = 3128;
// Where the egress proxy's socket is bound inside the sandbox.
inline constexpr const char* kEgressSocketInside = "/run/datamcp/egress.sock";

// `datamcp egress-bridge SOCKET PORT PROGRAM [ARGS...]`, run as the sandbox's command when
// plan.allowed_hosts is set: listens on 127.0.0.1:PORT of the sandbox's network namespace,
// runs PROGRAM (its environment names the bridge as HTTPS_PROXY) and passes each connection
// to the egress proxy's Unix socket. Returns PROGRAM's exit status (128 + signal when killed),
// or 126 when the bridge cannot start.
int RunEgressBridge(const std::vector<std::string>& args);

}  // namespace datamcp::process
