#include "gitops/process/egress_rules.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace datamcp::process {
namespace {

constexpr std::size_t kMaxHostLength = 253;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A DNS name (letters, digits, '-', '.'; no empty label) or an IPv4 literal.
bool ValidHostName(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostLength) return false;
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

bool ValidIpv6(std::string_view host) {
  // inet_pton reads a C string: a NUL inside would hide whatever follows it.
  if (host.find('\0') != std::string_view::npos) return false;
  in6_addr a;
  std::string s(host);
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool ParsePort(std::string_view text, int* port) {
  if (text.empty() || text.size() > 5) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *port);
  return ec == std::errc() && end == text.data() + text.size() && *port >= 1 && *port <= 65535;
}

// Splits "host:port" or "[v6]:port"; `default_port` when there is none and it is > 0.
bool SplitHostPort(std::string_view text, int default_port, std::string* host, int* port) {
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    *host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) {
      *port = default_port;
      return default_port > 0 && ValidIpv6(*host);
    }
    return rest.starts_with(':') && ParsePort(rest.substr(1), port) && ValidIpv6(*host);
  }
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    *host = std::string(text);
    *port = default_port;
    return default_port > 0 && ValidHostName(*host);
  }
  *host = std::string(text.substr(0, colon));
  return ParsePort(text.substr(colon + 1), port) && ValidHostName(*host);
}

}  // namespace

Result<std::vector<EgressRule>> ParseEgressRules(const std::vector<std::string>& entries) {
  std::vector<EgressRule> rules;
  for (const std::string& entry : entries) {
    EgressRule rule;
    std::string_view text = entry;
    if (text.starts_with("*.")) {
      rule.wildcard = true;
      text.remove_prefix(2);
    }
    std::string host;
    if (!SplitHostPort(text, 443, &host, &rule.port) || host.find('*') != std::string::npos) {
      return InvalidArgument("plan.allowed_hosts: '" + entry +
                             "' is not a host name, '*.' and a domain, or an IP address, "
                             "optionally followed by ':port' (default 443)");
    }
    rule.host = Lower(host);
    rules.push_back(std::move(rule));
  }
  return rules;
}

bool EgressAllowed(const std::vector<EgressRule>& rules, std::string_view host, int port) {
  std::string h = Lower(host);
  while (h.ends_with('.')) h.pop_back();  // "example.com." is the same name
  for (const EgressRule& r : rules) {
    if (r.port != port) continue;
    if (!r.wildcard && h == r.host) return true;
    if (r.wildcard && h.size() > r.host.size() + 1 && h.ends_with(r.host) &&
        h[h.size() - r.host.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

Result<ConnectTarget> ParseConnectHead(std::string_view head) {
  auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return InvalidArgument("no request line");
  std::string_view line = head.substr(0, line_end);
  auto first = line.find(' ');
  auto last = line.rfind(' ');
  if (first == std::string_view::npos || last == first) {
    return InvalidArgument("malformed request line");
  }
  if (line.substr(0, first) != "CONNECT") {
    return InvalidArgument("only CONNECT is proxied: planners reach allowed hosts over HTTPS");
  }
  std::string_view version = line.substr(last + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return InvalidArgument("unsupported protocol version");
  }
  ConnectTarget target;
  if (!SplitHostPort(line.substr(first + 1, last - first - 1), 0, &target.host, &target.port)) {
    return InvalidArgument("CONNECT needs host:port");
  }
  target.host = Lower(target.host);
  return target;
}

bool EgressAddressForbidden(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    uint32_t a = ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr);
    return (a >> 24) == 127 || (a >> 16) == 0xA9FE /* 169.254/16 */ || (a >> 24) == 0 ||
           (a >> 28) == 0xE /* 224/4 */ || a == 0xFFFFFFFF;
  }
  if (address->sa_family != AF_INET6) return true;
  const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&a)) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    std::memcpy(&v4.sin_addr, a.s6_addr + 12, 4);
    return EgressAddressForbidden(reinterpret_cast<const sockaddr*>(&v4));
  }
  return IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) ||
         IN6_IS_ADDR_MULTICAST(&a) ||
         (a.s6_addr[0] == 0xfd && a.s6_addr[1] == 0x00 && a.s6_addr[2] == 0x0e &&
          a.s6_addr[3] == 0xc2);  // AWS IMDS
}

}  // namespace datamcp::process
