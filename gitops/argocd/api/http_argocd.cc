#include "gitops/argocd/api/http_argocd.h"

#include <httplib.h>

#include <filesystem>

#include "gitops/argocd/api/application_json.h"
#include "gitops/common/log.h"

namespace datamcp::argocd {
namespace {

constexpr char kTokenHint[] =
    "check argocd.token (an Argo CD API token for an account allowed to get and sync "
    "applications)";

bool IsLoopbackHost(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

std::string Query(const std::string& app_namespace) {
  return app_namespace.empty() ? "" : "?appNamespace=" + app_namespace;
}

Status ValidateRevision(const std::string& revision) {
  if (revision.empty() || revision.size() > 255) {
    return InvalidArgument("Argo CD sync revision '" + revision.substr(0, 64) +
                           "' must be 1-255 characters (a commit SHA)");
  }
  for (unsigned char c : revision) {
    if (c <= 0x20 || c == 0x7f) {
      return InvalidArgument(
          "Argo CD sync revision contains whitespace or a control "
          "character: pass a commit SHA");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HttpArgoCd>> HttpArgoCd::Create(HttpArgoCdOptions options, Clock& clock) {
  DATAMCP_ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(options.url));
  if (options.token.empty()) {
    return InvalidArgument("argocd.token is empty: set an Argo CD API token to enable sync");
  }
  if (!options.ca_file.empty() && !std::filesystem::exists(options.ca_file)) {
    return InvalidArgument("argocd.ca_file '" + options.ca_file + "' does not exist");
  }
  if (options.max_attempts < 1) options.max_attempts = 1;
  return std::unique_ptr<HttpArgoCd>(
      new HttpArgoCd(std::move(options), std::move(endpoint), clock));
}

Result<HttpArgoCd::Endpoint> HttpArgoCd::ParseEndpoint(const std::string& url) {
  // Userinfo is refused, and never echoed back: it could hold a password.
  auto at = url.find('@');
  std::string shown = at == std::string::npos ? url : "<redacted>" + url.substr(at);
  auto bad = [&](const std::string& why) {
    return InvalidArgument("argocd.url '" + shown + "' " + why);
  };
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return bad("has no scheme: use https://host[:port]");
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") return bad("must start with https://");
  std::string rest = url.substr(scheme_end + 3);
  auto slash = rest.find('/');
  std::string host_port = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (host_port.empty()) return bad("has no host");
  if (at != std::string::npos || url.find_first_of("?# ") != std::string::npos) {
    return bad("must be scheme://host[:port][/path] without credentials, query or fragment");
  }
  auto colon = host_port.rfind(':');
  bool has_port = colon != std::string::npos && host_port.back() != ']';
  std::string host = has_port ? host_port.substr(0, colon) : host_port;
  if (scheme == "http" && !IsLoopbackHost(host)) {
    return bad(
        "uses plain http to a non-loopback host: use https (the token would travel in "
        "clear)");
  }
  return Endpoint{scheme + "://" + host_port, path};
}

HttpArgoCd::HttpArgoCd(HttpArgoCdOptions options, Endpoint endpoint, Clock& clock)
    : options_(std::move(options)), endpoint_(std::move(endpoint)), clock_(clock) {}

Result<AppStatus> HttpArgoCd::GetApplication(const std::string& name,
                                             const std::string& app_namespace) {
  DATAMCP_RETURN_IF_ERROR(ValidateObjectName(name, "Argo CD application name"));
  if (!app_namespace.empty()) {
    DATAMCP_RETURN_IF_ERROR(ValidateObjectName(app_namespace, "Argo CD application namespace"));
  }
  std::string what = "get Argo CD application '" + name + "'";
  DATAMCP_ASSIGN_OR_RETURN(Reply reply,
                           Call("/api/v1/applications/" + name + Query(app_namespace), "", what));
  auto status = ParseApplication(reply.body);
  if (!status.ok()) return status.status().WithContext(what);
  return status;
}

Status HttpArgoCd::Sync(const std::string& name, const std::string& app_namespace,
                        const std::string& revision) {
  DATAMCP_RETURN_IF_ERROR(ValidateObjectName(name, "Argo CD application name"));
  if (!app_namespace.empty()) {
    DATAMCP_RETURN_IF_ERROR(ValidateObjectName(app_namespace, "Argo CD application namespace"));
  }
  DATAMCP_RETURN_IF_ERROR(ValidateRevision(revision));
  std::string what = "sync Argo CD application '" + name + "' to " + revision;
  auto reply = Call("/api/v1/applications/" + name + "/sync",
                    SyncRequestBody(name, app_namespace, revision), what);
  if (!reply.ok()) return reply.status();
  log::Info("argocd.sync_requested",
            {{"application", name}, {"app_namespace", app_namespace}, {"revision", revision}});
  return Status::Ok();
}

Result<HttpArgoCd::Reply> HttpArgoCd::Call(const std::string& path, const std::string& body,
                                           const std::string& what) {
  auto backoff = options_.initial_backoff;
  std::string last_error;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    if (attempt > 1) {
      log::Warn("argocd.retry", {{"operation", what}, {"attempt", attempt}, {"error", last_error}});
      clock_.SleepFor(backoff);
      backoff *= 2;
    }
    auto reply = Once(path, body);
    if (!reply.ok()) {
      last_error = reply.status().message();
      continue;
    }
    if (reply->status >= 500) {
      last_error = "HTTP " + std::to_string(reply->status) + ": " + ErrorMessageOf(reply->body);
      continue;
    }
    if (reply->status >= 200 && reply->status < 300) return reply;
    return MapHttpError(*reply, what);
  }
  return Unavailable("could not " + what + " at " + options_.url + " after " +
                     std::to_string(options_.max_attempts) + " attempts: " + last_error +
                     "; check that Argo CD is reachable and healthy");
}

Result<HttpArgoCd::Reply> HttpArgoCd::Once(const std::string& path, const std::string& body) {
  httplib::Client client(endpoint_.scheme_host_port);
  if (!options_.ca_file.empty()) client.set_ca_cert_path(options_.ca_file);
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(options_.connect_timeout);
  client.set_read_timeout(options_.read_timeout);
  client.set_write_timeout(options_.read_timeout);
  client.set_bearer_token_auth(options_.token.Reveal());
  httplib::Headers headers = {{"Accept", "application/json"}};
  std::string full = endpoint_.base_path + path;
  auto res = body.empty() ? client.Get(full.c_str(), headers)
                          : client.Post(full.c_str(), headers, body, "application/json");
  if (!res) return Unavailable(httplib::to_string(res.error()));
  return Reply{res->status, res->body};
}

Status HttpArgoCd::MapHttpError(const Reply& reply, const std::string& what) const {
  std::string detail = ErrorMessageOf(reply.body);
  std::string prefix = "could not " + what + ": Argo CD at " + options_.url + " answered HTTP " +
                       std::to_string(reply.status) + " (" + detail + ")";
  switch (reply.status) {
    case 401:
      return Unauthenticated(prefix + "; the token was rejected: " + kTokenHint);
    case 403:
      return PermissionDenied(prefix +
                              "; the token's account may not access this "
                              "application, or it does not exist");
    case 404:
      return NotFound(prefix + "; check the application name and namespace");
    default:
      if (detail.find("another operation is already in progress") != std::string::npos) {
        return Conflict(prefix + "; wait for the running sync to finish");
      }
      return FailedPrecondition(prefix);
  }
}

Result<std::unique_ptr<HttpArgoCd>> HttpArgoCdFromConfig(const config::ArgoCdConfig& config,
                                                         Clock& clock) {
  if (config.url.empty()) {
    return FailedPrecondition("argocd.url is empty: Argo CD sync is disabled");
  }
  HttpArgoCdOptions options;
  options.url = config.url;
  options.token = config.token;
  options.ca_file = config.ca_file;
  return HttpArgoCd::Create(std::move(options), clock);
}

}  // namespace datamcp::argocd
