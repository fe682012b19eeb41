#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::process {

// One entry of plan.allowed_hosts: "registry.terraform.io", "*.googleapis.com" (any
// subdomain, not the domain itself) or either with ":port" (default 443).
struct EgressRule {
  std::string host;  // lower case; for a wildcard, the suffix after "*."
  bool wildcard = false;
  int port = 443;
};

// Parses plan.allowed_hosts; InvalidArgument names the entry and the accepted forms.
Result<std::vector<EgressRule>> ParseEgressRules(const std::vector<std::string>& entries);

// Whether `host` (any case) on `port` matches a rule.
bool EgressAllowed(const std::vector<EgressRule>& rules, std::string_view host, int port);

// The target of an HTTP CONNECT request head ("CONNECT host:port HTTP/1.1\r\n...\r\n\r\n").
struct ConnectTarget {
  std::string host;  // lower case, without brackets for IPv6 literals
  int port = 0;
};

// Parses a proxy request head. InvalidArgument for anything but a well-formed CONNECT with
// a host name or IP literal and a port in 1..65535 (the message is sent back to the client).
Result<ConnectTarget> ParseConnectHead(std::string_view head);

// Addresses a planner must never reach even through an allowed name (DNS can point anywhere):
// loopback (the server itself), link-local (cloud metadata servers hand out the pod's
// credentials there), unspecified and multicast; IPv4-mapped IPv6 is checked as IPv4.
bool EgressAddressForbidden(const sockaddr* address);

}  // namespace datamcp::process
