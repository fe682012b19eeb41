#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "gitops/argocd/api/argocd.h"
#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/common/secret.h"
#include "gitops/config/config.h"

namespace datamcp::argocd {

struct HttpArgoCdOptions {
  std::string url;      // https://host[:port][/root-path] (http:// only for loopback tests)
  Secret token;         // sent as `Authorization: Bearer <token>`; never logged
  std::string ca_file;  // extra CA bundle (PEM) for https; empty: the system store
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};
  // Connection errors and HTTP 5xx are retried: at most `max_attempts` tries in all, with
  // `initial_backoff` doubling between them, slept through the Clock.
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{500};
};

// The Argo CD REST API over cpp-httplib. Thread-safe: each call uses its own connection.
// HTTP statuses map to: 401 -> Unauthenticated (names argocd.token), 403 -> PermissionDenied,
// 404 -> NotFound, "another operation is already in progress" -> Conflict, other 4xx ->
// FailedPrecondition with Argo CD's message, 5xx and
// connection errors -> retried, then Unavailable.
class HttpArgoCd final : public ArgoCd {
 public:
  // InvalidArgument when the URL is not http(s)://host[:port][/path], the token is empty or
  // the CA file does not exist. `clock` must outlive the client.
  static Result<std::unique_ptr<HttpArgoCd>> Create(HttpArgoCdOptions options, Clock& clock);

  Result<AppStatus> GetApplication(const std::string& name,
                                   const std::string& app_namespace) override;
  Status Sync(const std::string& name, const std::string& app_namespace,
              const std::string& revision) override;

  const std::string& url() const { return options_.url; }

 private:
  struct Endpoint {
    std::string scheme_host_port;  // "https://argocd.example:443"
    std::string base_path;         // "" or "/argocd"
  };
  struct Reply {
    int status = 0;
    std::string body;
  };
  HttpArgoCd(HttpArgoCdOptions options, Endpoint endpoint, Clock& clock);
  static Result<Endpoint> ParseEndpoint(const std::string& url);

  // One request with retries; `body` empty means GET. Non-2xx is mapped to a Status.
  Result<Reply> Call(const std::string& path, const std::string& body, const std::string& what);
  Result<Reply> Once(const std::string& path, const std::string& body);
  Status MapHttpError(const Reply& reply, const std::string& what) const;

  HttpArgoCdOptions options_;
  Endpoint endpoint_;
  Clock& clock_;
};

// Options from the `argocd.*` configuration keys. FailedPrecondition when argocd.url is empty
// (sync disabled), InvalidArgument when argocd.token is empty.
Result<std::unique_ptr<HttpArgoCd>> HttpArgoCdFromConfig(const config::ArgoCdConfig& config,
                                                         Clock& clock);

}  // namespace datamcp::argocd
