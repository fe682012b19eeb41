#include "gitops/config/config_keys.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace datamcp::config {
namespace {

#define DATAMCP_KEY(name, member, description)                         \
  KeySpec {                                                            \
    name, description, [](Config& c) -> FieldRef { return &c.member; } \
  }

std::string Trim(std::string s) {
  auto not_space = [](unsigned char ch) { return !std::isspace(ch); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

template <typename T>
Status ParseNumber(const std::string& text, T* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return InvalidArgument("'" + text + "' is not a whole number");
  }
  return Status::Ok();
}

}  // namespace

const std::vector<KeySpec>& Keys() {
  static const std::vector<KeySpec> keys = {
      DATAMCP_KEY("work_dir", work_dir,
                  "Directory for the repository mirror, the local forge, the SQLite state database "
                  "(state.db) and scratch space."),
      DATAMCP_KEY("server.bind", server.bind, "Address the HTTP front listens on."),
      DATAMCP_KEY("server.port", server.port, "TCP port of the HTTP front (0 picks a free port)."),
      DATAMCP_KEY("server.threads", server.threads, "Worker threads serving HTTP requests."),
      DATAMCP_KEY("server.max_connections", server.max_connections,
                  "Connections served at once (idle keep-alive ones too, unless they wait in "
                  "the event loops, which hold as many again); more wait their turn."),
      DATAMCP_KEY("server.keep_alive_seconds", server.keep_alive_seconds,
                  "Seconds an idle keep-alive connection is kept open."),
      DATAMCP_KEY("server.event_loops", server.event_loops,
                  "Event loops where idle keep-alive connections (and, with webhooks on, new "
                  "ones) wait without holding a worker, and webhook deliveries are served in "
                  "batches; 0: off."),
      DATAMCP_KEY("server.max_connections_per_peer", server.max_connections_per_peer,
                  "Connections one client address may hold at once (0: half of "
                  "server.max_connections); more get 503."),
      DATAMCP_KEY("server.request_head_timeout_seconds", server.request_head_timeout_seconds,
                  "Seconds a client has to send a request's line and headers, however slowly "
                  "they arrive."),
      DATAMCP_KEY("server.max_body_bytes", server.max_body_bytes,
                  "Largest request body accepted on /mcp; larger ones get 413."),
      DATAMCP_KEY("server.read_timeout_seconds", server.read_timeout_seconds,
                  "Seconds to wait for a client to send a request."),
      DATAMCP_KEY("server.write_timeout_seconds", server.write_timeout_seconds,
                  "Seconds to wait for a client to accept a response."),
      DATAMCP_KEY("server.public_url", server.public_url,
                  "Canonical URL clients use (token audience, OAuth metadata); default "
                  "http://bind:port."),
      DATAMCP_KEY("server.allowed_origins", server.allowed_origins,
                  "Browser Origins accepted on /mcp besides the server's own."),
      DATAMCP_KEY("server.allowed_hosts", server.allowed_hosts,
                  "Host header values accepted besides localhost and the bind address."),
      DATAMCP_KEY("server.shutdown_delay_seconds", server.shutdown_delay_seconds,
                  "On SIGTERM, /readyz answers 503 for this long before the server stops "
                  "accepting, so a load balancer stops routing to it first."),
      DATAMCP_KEY("server.admin_port", server.admin_port,
                  "Port for /healthz, /readyz and /metrics alone (0: off, they are served on "
                  "server.port); probes there answer while the main port is saturated, and "
                  "/metrics leaves the main port."),
      DATAMCP_KEY("server.admin_bind", server.admin_bind,
                  "Address the admin port listens on; empty: server.bind."),
      DATAMCP_KEY("repository.url", repository.url,
                  "GitOps repository (https://, ssh://, git://, file://); empty: a local "
                  "repository under work_dir made from repo-template/."),
      DATAMCP_KEY("repository.default_branch", repository.default_branch,
                  "Branch that holds the reviewed state; only a merge changes it."),
      DATAMCP_KEY("repository.fetch_interval_seconds", repository.fetch_interval_seconds,
                  "Seconds between fetches of the mirror."),
      DATAMCP_KEY("repository.ca_file", repository.ca_file, "Extra CA bundle for https remotes."),
      DATAMCP_KEY("repository.token", repository.token,
                  "Secret: token for https remotes (sent as x-access-token)."),
      DATAMCP_KEY("repository.ssh_key_file", repository.ssh_key_file,
                  "Private key for ssh remotes."),
      DATAMCP_KEY("repository.known_hosts_file", repository.known_hosts_file,
                  "known_hosts file that ssh host keys are checked against."),
      DATAMCP_KEY("repository.committer_name", repository.committer_name,
                  "Committer name on the bot's commits."),
      DATAMCP_KEY("repository.committer_email", repository.committer_email,
                  "Committer email on the bot's commits."),
      DATAMCP_KEY("auth.mode", auth.mode,
                  "jwt, or none (local development only; refused unless bound to loopback)."),
      DATAMCP_KEY("auth.algorithm", auth.algorithm,
                  "JWT algorithm accepted: HS256, RS256 or ES256 (never taken from the token)."),
      DATAMCP_KEY("auth.hs256_secret", auth.hs256_secret,
                  "Secret: HS256 key; when empty one is generated in work_dir/auth/hs256.key."),
      DATAMCP_KEY("auth.public_key_file", auth.public_key_file, "PEM public key for RS256/ES256."),
      DATAMCP_KEY("auth.jwks_file", auth.jwks_file, "JWKS file with the keys for RS256/ES256."),
      DATAMCP_KEY("auth.issuer", auth.issuer, "Required iss claim, when set."),
      DATAMCP_KEY("auth.audience", auth.audience,
                  "Required aud claim. Unset: the server's public URL (server.public_url, or "
                  "http://bind:port) or that URL + /mcp, as RFC 8707/9728 ask; `datamcp token` "
                  "puts the same value in aud."),
      DATAMCP_KEY("auth.max_token_lifetime", auth.max_token_lifetime,
                  "Longest token lifetime accepted (exp - iat), like 90d, 12h, 30m; tokens "
                  "without iat are refused."),
      DATAMCP_KEY("auth.clock_skew_seconds", auth.clock_skew_seconds,
                  "Tolerance for exp, nbf and iat."),
      DATAMCP_KEY("auth.authorization_servers", auth.authorization_servers,
                  "Authorization servers named in /.well-known/oauth-protected-resource."),
      DATAMCP_KEY("auth.max_token_bytes", auth.max_token_bytes, "Longest bearer token accepted."),
      DATAMCP_KEY("forge.kind", forge.kind,
                  "local (pull requests kept in the repository) or github."),
      DATAMCP_KEY("forge.github_api_url", forge.github_api_url,
                  "GitHub REST API URL (GitHub Enterprise: https://HOST/api/v3)."),
      DATAMCP_KEY("forge.github_repository", forge.github_repository,
                  "owner/name of the GitOps repository on GitHub."),
      DATAMCP_KEY("forge.github_token", forge.github_token, "Secret: GitHub token."),
      DATAMCP_KEY("forge.github_app_id", forge.github_app_id,
                  "GitHub App id (instead of a token)."),
      DATAMCP_KEY("forge.github_installation_id", forge.github_installation_id,
                  "GitHub App installation id."),
      DATAMCP_KEY("forge.github_app_private_key", forge.github_app_private_key,
                  "Secret: GitHub App private key (PEM)."),
      DATAMCP_KEY("forge.ca_file", forge.ca_file, "Extra CA bundle for the GitHub API."),
      DATAMCP_KEY("webhooks.secret", webhooks.secret,
                  "Secret: GitHub webhook secret (X-Hub-Signature-256); required with "
                  "forge.kind github."),
      DATAMCP_KEY("webhooks.allowed_repositories", webhooks.allowed_repositories,
                  "owner/name of repositories whose events are acted on; default the forge's."),
      DATAMCP_KEY("webhooks.max_body_bytes", webhooks.max_body_bytes,
                  "Largest webhook body accepted; larger ones get 413."),
      DATAMCP_KEY("webhooks.plan_forks", webhooks.plan_forks,
                  "Plan pull requests from forks (terraform plan runs code from the branch)."),
      DATAMCP_KEY("webhooks.sync_writes", webhooks.sync_writes,
                  "fsync each commit to the SQLite state database, so a delivery answered 202 "
                  "survives power loss (slower)."),
      DATAMCP_KEY("argocd.url", argocd.url, "Argo CD API URL; empty disables sync after merge."),
      DATAMCP_KEY("argocd.token", argocd.token, "Secret: Argo CD API token."),
      DATAMCP_KEY("argocd.ca_file", argocd.ca_file, "Extra CA bundle for Argo CD."),
      DATAMCP_KEY("argocd.sync_timeout_seconds", argocd.sync_timeout_seconds,
                  "Seconds to wait for an application to be Synced and Healthy."),
      DATAMCP_KEY("argocd.poll_interval_seconds", argocd.poll_interval_seconds,
                  "Seconds between application status polls."),
      DATAMCP_KEY("plan.terraform_bin", plan.terraform_bin, "terraform executable."),
      DATAMCP_KEY("plan.helm_bin", plan.helm_bin, "helm executable."),
      DATAMCP_KEY("plan.timeout_seconds", plan.timeout_seconds,
                  "Seconds a plan or apply may run before its process group is killed."),
      DATAMCP_KEY("plan.max_output_bytes", plan.max_output_bytes,
                  "Output kept from one planner process."),
      DATAMCP_KEY("plan.parallelism", plan.parallelism, "Projects planned at the same time."),
      DATAMCP_KEY("plan.mask_values_env", plan.mask_values_env,
                  "Environment variables whose values are masked in plan output."),
      DATAMCP_KEY("plan.sandbox", plan.sandbox,
                  "required, best-effort or off: run terraform and helm in a bubblewrap "
                  "sandbox; required refuses plans (and /readyz is 503) when it cannot."),
      DATAMCP_KEY("plan.bwrap_bin", plan.bwrap_bin, "bubblewrap executable."),
      DATAMCP_KEY("plan.network", plan.network,
                  "none or allow: whether sandboxed terraform may use the network (registries, "
                  "cloud APIs need allow)."),
      DATAMCP_KEY("plan.allowed_hosts", plan.allowed_hosts,
                  "With plan.network allow: the only hosts sandboxed processes reach, through "
                  "DataMCP's egress proxy (host, *.domain, optional :port, default 443). "
                  "Empty: any host."),
      DATAMCP_KEY("plan.env_files", plan.env_files,
                  "Files of KEY=VALUE lines given to plan processes only (read-only cloud "
                  "credentials); their values are masked."),
      DATAMCP_KEY("apply.env_files", apply.env_files,
                  "Files of KEY=VALUE lines given to apply processes only (credentials that "
                  "can change infrastructure); their values are masked."),
      DATAMCP_KEY("ci.jwks_file", ci.jwks_file,
                  "JWKS file with the keys of CI's OIDC tokens (POST /ci/promote); re-read when "
                  "a token names an unknown kid."),
      DATAMCP_KEY("ci.jwks_url", ci.jwks_url,
                  "Or the JWKS URL, e.g. "
                  "https://token.actions.githubusercontent.com/.well-known/jwks; cached, "
                  "refetched on an unknown kid or after an hour."),
      DATAMCP_KEY("ci.jwks_ca_file", ci.jwks_ca_file, "Extra CA bundle for ci.jwks_url."),
      DATAMCP_KEY("ci.issuer", ci.issuer, "Required iss claim of CI tokens."),
      DATAMCP_KEY("ci.audience", ci.audience,
                  "Required aud claim of CI tokens; unset: the server's public URL."),
      DATAMCP_KEY("ci.jwks_min_refresh_seconds", ci.jwks_min_refresh_seconds,
                  "Fewest seconds between two fetches of the CI keys (unknown kids cannot "
                  "make it fetch more often)."),
      DATAMCP_KEY("ci.max_token_lifetime_seconds", ci.max_token_lifetime_seconds,
                  "Longest CI token lifetime accepted (exp - iat); iat is required."),
      DATAMCP_KEY("mcp.read_only", mcp.read_only,
                  "Expose only read-only MCP tools: write tools are neither listed nor callable."),
      DATAMCP_KEY("mcp.tools", mcp.tools,
                  "Allow-list of MCP tool names; the others are neither listed nor callable. "
                  "Empty: every tool."),
      DATAMCP_KEY("mcp.rate_limit_burst", mcp.rate_limit_burst,
                  "Calls of write tools and plan_preview one token subject may make at once."),
      DATAMCP_KEY("mcp.rate_limit_per_minute", mcp.rate_limit_per_minute,
                  "Rate at which that allowance refills; a call over it gets a JSON-RPC error "
                  "saying when to retry. 0 turns the limit off."),
      DATAMCP_KEY("state.postgres_url", state.postgres_url,
                  "Secret: PostgreSQL connection URL (postgresql://user@host/db) of the state "
                  "database; empty: SQLite in work_dir/state.db."),
      DATAMCP_KEY("state.postgres_connections", state.postgres_connections,
                  "Connections each replica keeps to PostgreSQL."),
      DATAMCP_KEY("state.lease_seconds", state.lease_seconds,
                  "How long a replica's claims on work (apply jobs, webhook deliveries, the "
                  "reconciler's scan) hold without renewal; a dead replica's work is taken "
                  "over (an apply it was running is recorded as interrupted) after this."),
      DATAMCP_KEY("drift.interval_seconds", drift.interval_seconds,
                  "Seconds between drift passes (each environment's Terraform root planned at "
                  "the default branch's tip); 0 turns drift detection off."),
      DATAMCP_KEY("log.level", log.level, "debug, info, warn or error."),
      DATAMCP_KEY("log.format", log.format, "json, text, or auto (text on a terminal)."),
  };
  return keys;
}

#undef DATAMCP_KEY

std::string EnvName(const std::string& key) {
  std::string out = "DATAMCP_";
  for (char ch : key) {
    out += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

Status SetFromText(const FieldRef& field, const std::string& raw) {
  std::string text = Trim(raw);
  return std::visit(
      [&](auto* target) -> Status {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *target = text;
        } else if constexpr (std::is_same_v<T, Secret>) {
          *target = Secret(raw);  // secrets keep their bytes; files are trimmed by the loader
        } else if constexpr (std::is_same_v<T, bool>) {
          if (text == "true" || text == "1" || text == "yes")
            *target = true;
          else if (text == "false" || text == "0" || text == "no")
            *target = false;
          else
            return InvalidArgument("'" + text + "' is not a boolean (true or false)");
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::vector<std::string> items;
          std::size_t start = 0;
          while (start <= text.size() && !text.empty()) {
            std::size_t comma = text.find(',', start);
            std::string item = Trim(text.substr(start, comma - start));
            if (!item.empty()) items.push_back(item);
            if (comma == std::string::npos) break;
            start = comma + 1;
          }
          *target = std::move(items);
        } else {
          return ParseNumber(text, target);
        }
        return Status::Ok();
      },
      field);
}

Status SetFromList(const FieldRef& field, const std::vector<std::string>& items) {
  auto* list = std::get_if<std::vector<std::string>*>(&field);
  if (!list) return InvalidArgument("a list was given where a single value is expected");
  (*list)->clear();
  for (const auto& item : items) (*list)->push_back(Trim(item));
  return Status::Ok();
}

std::string DefaultText(const KeySpec& key) { return ValueText(key, Config{}); }

std::string ValueText(const KeySpec& key, Config config) {
  return std::visit(
      [](auto* v) -> std::string {
        using T = std::remove_pointer_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          return *v;
        else if constexpr (std::is_same_v<T, Secret>)
          return v->empty() ? "" : "<set, masked>";
        else if constexpr (std::is_same_v<T, bool>)
          return *v ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string out;
          for (const auto& s : *v) out += (out.empty() ? "" : ",") + s;
          return out;
        } else
          return std::to_string(*v);
      },
      key.field(config));
}

}  // namespace datamcp::config
