#include "bot/auth/jwks_fetch.h"

#include <httplib.h>

namespace datamcp::bot {
namespace {

constexpr std::size_t kMaxJwksBytes = 1 << 20;

struct UrlParts {
  std::string origin;  // scheme://host[:port]
  std::string path;
};

Result<UrlParts> SplitUrl(const std::string& url, const std::string& key) {
  std::size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") {
    return InvalidArgument(key + ": '" + url + "' is not an http(s) URL");
  }
  std::size_t path_at = url.find('/', scheme_end + 3);
  if (path_at == std::string::npos) return UrlParts{url, "/"};
  return UrlParts{url.substr(0, path_at), url.substr(path_at)};
}

Result<std::string> FetchUrl(const JwksSource& source) {
  DATAMCP_ASSIGN_OR_RETURN(UrlParts parts, SplitUrl(source.url, source.config_key));
  httplib::Client client(parts.origin);
  if (!source.ca_file.empty()) client.set_ca_cert_path(source.ca_file);
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(10));
  std::string body;
  bool too_large = false;
  auto res = client.Get(parts.path, httplib::Headers{{"Accept", "application/json"}},
                        [&](const char* data, std::size_t n) {
                          if (body.size() + n > kMaxJwksBytes) {
                            too_large = true;
                            return false;
                          }
                          body.append(data, n);
                          return true;
                        });
  if (too_large) return Unavailable(source.config_key + ": " + source.url + " is over 1 MiB");
  if (!res) {
    return Unavailable(source.config_key + ": cannot fetch " + source.url + ": " +
                       httplib::to_string(res.error()));
  }
  if (res->status != 200) {
    return Unavailable(source.config_key + ": " + source.url + " answered HTTP " +
                       std::to_string(res->status));
  }
  return body;
}

}  // namespace

JwksFetch MakeJwksFetch(const JwksSource& source) {
  if (!source.file.empty()) {
    return [source] { return ReadKeyFile(source.file, source.config_key); };
  }
  return [source] { return FetchUrl(source); };
}

}  // namespace datamcp::bot
