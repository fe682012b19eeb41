#include "bot/mcp/http_guards.h"

#include <algorithm>
#include <cctype>

namespace datamcp::bot::mcp {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// "http://host:port/path" -> "host:port"
std::string HostOfUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  std::string rest = url.substr(scheme + 3);
  return Lower(rest.substr(0, rest.find('/')));
}

// "host:port" -> "host" (handles "[::1]:8080").
std::string StripPort(const std::string& host) {
  if (!host.empty() && host[0] == '[') return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

}  // namespace

OriginPolicy::OriginPolicy(int port, const std::string& public_url,
                           std::vector<std::string> allowed_hosts,
                           std::vector<std::string> allowed_origins) {
  std::string p = std::to_string(port);
  for (const char* h : {"localhost", "127.0.0.1", "[::1]"}) {
    hosts_.push_back(std::string(h) + ":" + p);
    origins_.push_back("http://" + std::string(h) + ":" + p);
    origins_.push_back("https://" + std::string(h) + ":" + p);
  }
  if (std::string h = HostOfUrl(public_url); !h.empty()) {
    hosts_.push_back(h);
    origins_.push_back(Lower(public_url.substr(0, public_url.find("://") + 3)) + h);
  }
  for (auto& h : allowed_hosts) hosts_.push_back(Lower(h));
  for (auto& o : allowed_origins) {
    std::string lo = Lower(o);
    while (!lo.empty() && lo.back() == '/') lo.pop_back();
    origins_.push_back(lo);
  }
}

bool OriginPolicy::HostAllowed(const std::string& host) const {
  std::string h = Lower(Trim(host));
  if (h.empty()) return false;
  for (const auto& allowed : hosts_) {
    if (allowed == h) return true;
    bool allowed_has_port = StripPort(allowed) != allowed;
    if (!allowed_has_port && StripPort(h) == allowed) return true;
  }
  return false;
}

bool OriginPolicy::OriginAllowed(const std::string& origin) const {
  std::string o = Lower(Trim(origin));
  if (o.empty()) return true;
  return std::find(origins_.begin(), origins_.end(), o) != origins_.end();
}

bool Accepts(const std::string& accept_header, const std::string& media_type) {
  std::string type = media_type.substr(0, media_type.find('/'));
  std::size_t start = 0;
  while (start <= accept_header.size()) {
    std::size_t end = accept_header.find(',', start);
    if (end == std::string::npos) end = accept_header.size();
    std::string item = Lower(Trim(accept_header.substr(start, end - start)));
    item = Trim(item.substr(0, item.find(';')));
    if (item == media_type || item == "*/*" || item == type + "/*") return true;
    start = end + 1;
  }
  return false;
}

bool BearerToken(const std::string& authorization_header, std::string* token) {
  token->clear();
  std::string h = Trim(authorization_header);
  if (h.empty()) return true;
  if (h.size() < 7 || Lower(h.substr(0, 7)) != "bearer ") return false;
  *token = Trim(h.substr(7));
  return !token->empty();
}

}  // namespace datamcp::bot::mcp
