#include "gitops/config/config_validate.h"

#include <algorithm>

namespace datamcp::config {
namespace {

Status Bad(const std::string& key, const std::string& problem) {
  return InvalidArgument(key + ": " + problem);
}

bool OneOf(const std::string& v, std::initializer_list<const char*> options) {
  return std::any_of(options.begin(), options.end(), [&](const char* o) { return v == o; });
}

Status ValidateServer(const ServerConfig& s) {
  if (s.bind.empty()) return Bad("server.bind", "must not be empty (e.g. 127.0.0.1)");
  if (s.port < 0 || s.port > 65535) {
    return Bad("server.port", std::to_string(s.port) + " is not a port number (0-65535)");
  }
  if (s.threads < 1 || s.threads > 512) return Bad("server.threads", "must be between 1 and 512");
  if (s.max_connections < s.threads || s.max_connections > 4096) {
    return Bad("server.max_connections",
               "must be between server.threads (" + std::to_string(s.threads) + ") and 4096");
  }
  if (s.keep_alive_seconds < 1 || s.keep_alive_seconds > 300) {
    return Bad("server.keep_alive_seconds", "must be between 1 and 300 seconds");
  }
  if (s.event_loops < 0 || s.event_loops > 64) {
    return Bad("server.event_loops", "must be between 0 (off) and 64");
  }
  if (s.max_connections_per_peer < 0 || s.max_connections_per_peer > 4096) {
    return Bad("server.max_connections_per_peer",
               "must be between 0 (half of "
               "server.max_connections) and 4096");
  }
  if (s.request_head_timeout_seconds < 1 || s.request_head_timeout_seconds > 300) {
    return Bad("server.request_head_timeout_seconds", "must be between 1 and 300 seconds");
  }
  if (s.shutdown_delay_seconds < 0 || s.shutdown_delay_seconds > 300) {
    return Bad("server.shutdown_delay_seconds", "must be between 0 and 300");
  }
  if (s.admin_port < 0 || s.admin_port > 65535) {
    return Bad("server.admin_port",
               std::to_string(s.admin_port) + " is not a port number (0: off, 1-65535)");
  }
  if (s.admin_port != 0 && s.admin_port == s.port) {
    return Bad("server.admin_port", "must differ from server.port (" + std::to_string(s.port) +
                                        "), or be 0 to serve probes and metrics on it");
  }
  if (s.max_body_bytes < 1024) return Bad("server.max_body_bytes", "must be at least 1024");
  if (s.read_timeout_seconds < 1 || s.write_timeout_seconds < 1) {
    return Bad("server.read_timeout_seconds", "timeouts must be at least 1 second");
  }
  if (!s.public_url.empty() && !s.public_url.starts_with("http://") &&
      !s.public_url.starts_with("https://")) {
    return Bad("server.public_url", "'" + s.public_url + "' must start with http:// or https://");
  }
  return Status::Ok();
}

Status ValidateRepository(const RepositoryConfig& r) {
  const std::string& url = r.url;
  if (!url.empty() && !url.starts_with("https://") && !url.starts_with("http://") &&
      !url.starts_with("ssh://") && !url.starts_with("git://") && !url.starts_with("file://")) {
    return Bad("repository.url",
               "'" + url + "' must start with https://, http://, ssh://, git:// or file://");
  }
  if (r.default_branch.empty()) return Bad("repository.default_branch", "must not be empty");
  if (r.fetch_interval_seconds < 1) {
    return Bad("repository.fetch_interval_seconds", "must be at least 1");
  }
  return Status::Ok();
}

Status ValidateAuth(const Config& c) {
  const AuthConfig& a = c.auth;
  if (!OneOf(a.mode, {"jwt", "none"})) {
    return Bad("auth.mode", "'" + a.mode + "' is not one of jwt, none");
  }
  if (a.mode == "none" && !c.BindsLoopback()) {
    return Bad("auth.mode",
               "none is only allowed when server.bind is a loopback address "
               "(127.0.0.1, ::1, localhost); use jwt for '" +
                   c.server.bind + "'");
  }
  if (!OneOf(a.algorithm, {"HS256", "RS256", "ES256"})) {
    return Bad("auth.algorithm", "'" + a.algorithm + "' is not one of HS256, RS256, ES256");
  }
  if (a.mode == "jwt" && a.algorithm != "HS256" && a.public_key_file.empty() &&
      a.jwks_file.empty()) {
    return Bad("auth.public_key_file",
               a.algorithm + " needs auth.public_key_file or auth.jwks_file");
  }
  if (a.clock_skew_seconds < 0 || a.clock_skew_seconds > 3600) {
    return Bad("auth.clock_skew_seconds", "must be between 0 and 3600");
  }
  return Status::Ok();
}

Status ValidateForge(const Config& c) {
  const ForgeConfig& f = c.forge;
  if (!OneOf(f.kind, {"local", "github"})) {
    return Bad("forge.kind", "'" + f.kind + "' is not one of local, github");
  }
  if (f.kind != "github") return Status::Ok();
  if (f.github_repository.find('/') == std::string::npos) {
    return Bad("forge.github_repository", "must be owner/name with forge.kind github");
  }
  bool app = !f.github_app_id.empty();
  if (!app && f.github_token.empty()) {
    return Bad("forge.github_token",
               "forge.kind github needs a token (DATAMCP_FORGE_GITHUB_TOKEN or "
               "forge.github_token_file) or a GitHub App (forge.github_app_id)");
  }
  if (app && (f.github_installation_id.empty() || f.github_app_private_key.empty())) {
    return Bad("forge.github_app_private_key",
               "a GitHub App needs forge.github_installation_id and the private key");
  }
  if (c.webhooks.secret.empty() && c.auth.mode != "none") {
    return Bad("webhooks.secret",
               "forge.kind github needs a webhook secret (DATAMCP_WEBHOOKS_SECRET or "
               "webhooks.secret_file)");
  }
  return Status::Ok();
}

}  // namespace

bool IsLoopbackAddress(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Status Validate(const Config& c) {
  if (c.work_dir.empty()) return Bad("work_dir", "must not be empty");
  DATAMCP_RETURN_IF_ERROR(ValidateServer(c.server));
  DATAMCP_RETURN_IF_ERROR(ValidateRepository(c.repository));
  DATAMCP_RETURN_IF_ERROR(ValidateAuth(c));
  DATAMCP_RETURN_IF_ERROR(ValidateForge(c));
  if (c.webhooks.max_body_bytes < 1024) return Bad("webhooks.max_body_bytes", "must be >= 1024");
  if (c.plan.timeout_seconds < 1) return Bad("plan.timeout_seconds", "must be at least 1");
  if (c.plan.parallelism < 1 || c.plan.parallelism > 64) {
    return Bad("plan.parallelism", "must be between 1 and 64");
  }
  if (!OneOf(c.plan.sandbox, {"required", "best-effort", "off"})) {
    return Bad("plan.sandbox", "'" + c.plan.sandbox + "' is not one of required, best-effort, off");
  }
  if (!OneOf(c.plan.network, {"none", "allow"})) {
    return Bad("plan.network", "'" + c.plan.network + "' is not one of none, allow");
  }
  if (!c.plan.allowed_hosts.empty() && c.plan.network != "allow") {
    return Bad("plan.allowed_hosts",
               "needs plan.network: allow (with none, planners reach no host)");
  }
  if (c.state.lease_seconds < 3 || c.state.lease_seconds > 3600) {
    return Bad("state.lease_seconds", "must be between 3 and 3600");
  }
  if (c.state.postgres_connections < 1 || c.state.postgres_connections > 100) {
    return Bad("state.postgres_connections", "must be between 1 and 100");
  }
  if (!c.state.postgres_url.empty() && c.state.postgres_url.Reveal().rfind("postgres", 0) != 0 &&
      c.state.postgres_url.Reveal().find('=') == std::string::npos) {
    return Bad("state.postgres_url",
               "must be a PostgreSQL URL (postgresql://user@host:5432/dbname) or a libpq "
               "key=value string");
  }
  if (!c.ci.jwks_file.empty() && !c.ci.jwks_url.empty()) {
    return Bad("ci.jwks_url", "set either ci.jwks_file or ci.jwks_url, not both");
  }
  if (!c.ci.jwks_url.empty() && !c.ci.jwks_url.starts_with("https://") &&
      !c.ci.jwks_url.starts_with("http://")) {
    return Bad("ci.jwks_url", "'" + c.ci.jwks_url + "' must start with https:// or http://");
  }
  if (c.ci.jwks_min_refresh_seconds < 1 || c.ci.jwks_min_refresh_seconds > 86400) {
    return Bad("ci.jwks_min_refresh_seconds", "must be between 1 and 86400");
  }
  if (c.ci.max_token_lifetime_seconds < 60 || c.ci.max_token_lifetime_seconds > 86400) {
    return Bad("ci.max_token_lifetime_seconds", "must be between 60 and 86400");
  }
  if (c.ci.enabled() && c.ci.issuer.empty()) {
    return Bad("ci.issuer",
               "must not be empty (GitHub Actions: "
               "https://token.actions.githubusercontent.com)");
  }
  if (c.argocd.sync_timeout_seconds < 1 || c.argocd.poll_interval_seconds < 1) {
    return Bad("argocd.sync_timeout_seconds", "timeouts must be at least 1 second");
  }
  if (c.mcp.rate_limit_burst < 1 || c.mcp.rate_limit_burst > 10000) {
    return Bad("mcp.rate_limit_burst",
               std::to_string(c.mcp.rate_limit_burst) + " must be between 1 and 10000");
  }
  if (c.mcp.rate_limit_per_minute < 0 || c.mcp.rate_limit_per_minute > 60000) {
    return Bad("mcp.rate_limit_per_minute", std::to_string(c.mcp.rate_limit_per_minute) +
                                                " must be between 0 (no limit) and 60000");
  }
  // 0 is off; a week at most, so a typo in the unit does not silently turn it off.
  if (c.drift.interval_seconds != 0 &&
      (c.drift.interval_seconds < 1 || c.drift.interval_seconds > 7 * 86400)) {
    return Bad("drift.interval_seconds", std::to_string(c.drift.interval_seconds) +
                                             " must be 0 (off) or between 1 and 604800 (a week)");
  }
  if (!OneOf(c.log.level, {"debug", "info", "warn", "error"})) {
    return Bad("log.level", "'" + c.log.level + "' is not one of debug, info, warn, error");
  }
  if (!OneOf(c.log.format, {"auto", "json", "text"})) {
    return Bad("log.format", "'" + c.log.format + "' is not one of auto, json, text");
  }
  return Status::Ok();
}

}  // namespace datamcp::config
