#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "gitops/common/result.h"
#include "gitops/common/secret.h"

namespace datamcp::config {

// The process configuration. Every key is documented in the key table (config_keys.cc),
// which drives YAML parsing, DATAMCP_* environment overrides, secrets and the reference
// printed by `datamcp config --reference`. Secrets come only from files or the environment.

struct ServerConfig {
  std::string bind = "127.0.0.1";
  int port = 8080;
  int threads = 8;
  // Connections served at once, each on its own worker; as many more idle keep-alive ones
  // may wait in the event loops.
  int max_connections = 256;
  int keep_alive_seconds = 5;  // an idle keep-alive connection is closed after this
  // Event loops where keep-alive connections wait between requests (and new ones for their
  // first, when webhooks are served), and which serve webhook deliveries themselves
  // (bot/http/connection_loop.h); 0: connections wait on their worker.
  int event_loops = 2;
  // Connections one peer address may hold at once; 0: half of max_connections.
  int max_connections_per_peer = 0;
  // The request line and headers must arrive within this, however slowly they trickle in.
  int request_head_timeout_seconds = 10;
  std::size_t max_body_bytes = 1 << 20;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  // Canonical URL clients use (RFC 8707 audience, RFC 9728 resource). Empty: derived from
  // bind and port.
  std::string public_url;
  std::vector<std::string> allowed_origins;  // browser Origins accepted on /mcp
  std::vector<std::string> allowed_hosts;    // Host header values accepted (DNS rebinding)
  // On SIGTERM /readyz answers 503 for this long before the server stops accepting, so a load
  // balancer stops sending requests first.
  int shutdown_delay_seconds = 0;
  // Health probes and metrics on a port of their own (0: off; they are then served on `port`
  // with everything else). There they answer while clients hold every connection the main
  // port allows one address, and /metrics is not served to whoever reaches the main port.
  int admin_port = 0;
  std::string admin_bind;  // empty: the same address as `bind`
};

struct RepositoryConfig {
  // Remote GitOps repository (https://, ssh://, git://, file://). Empty: the embedded
  // default, a local bare repository under work_dir made from repo-template/.
  std::string url;
  std::string default_branch = "main";
  int fetch_interval_seconds = 60;
  std::string ca_file;           // extra CA bundle for https remotes
  Secret token;                  // https: sent as x-access-token Basic auth
  std::string ssh_key_file;      // ssh: private key
  std::string known_hosts_file;  // ssh: host keys to trust
  std::string committer_name = "DataMCP";
  std::string committer_email = "datamcp@localhost";
};

struct AuthConfig {
  std::string mode = "jwt";         // "jwt" or "none" (loopback development only)
  std::string algorithm = "HS256";  // HS256 | RS256 | ES256, never taken from the token
  Secret hs256_secret;              // empty with HS256: generated under work_dir on first start
  std::string public_key_file;      // PEM, for RS256/ES256
  std::string jwks_file;            // JWKS, for RS256/ES256
  std::string issuer;               // required `iss` when set
  std::string audience;             // required `aud`; unset: the server's public URL
  std::string max_token_lifetime = "90d";  // exp - iat at most this; iat required
  int clock_skew_seconds = 60;
  std::vector<std::string> authorization_servers;  // advertised in RFC 9728 metadata
  std::size_t max_token_bytes = 8192;
};

struct ForgeConfig {
  std::string kind = "local";  // "local" or "github"
  std::string github_api_url = "https://api.github.com";
  std::string github_repository;  // owner/name
  Secret github_token;
  std::string github_app_id;
  std::string github_installation_id;
  Secret github_app_private_key;  // PEM
  std::string ca_file;
};

struct WebhookConfig {
  Secret secret;
  std::vector<std::string> allowed_repositories;  // owner/name; empty: the forge's repository
  std::size_t max_body_bytes = 25u << 20;
  bool plan_forks = false;
  bool sync_writes = false;  // fdatasync each delivery before answering 202
};

struct ArgoCdConfig {
  std::string url;  // empty: Argo CD sync disabled
  Secret token;
  std::string ca_file;
  int sync_timeout_seconds = 600;
  int poll_interval_seconds = 5;
};

struct PlanConfig {
  std::string terraform_bin = "terraform";
  std::string helm_bin = "helm";
  int timeout_seconds = 900;
  std::size_t max_output_bytes = 8u << 20;
  int parallelism = 2;
  std::vector<std::string> mask_values_env;  // env vars whose values are masked in output
  std::string sandbox = "required";          // required | best-effort | off
  std::string bwrap_bin = "bwrap";
  std::string network = "none";            // none | allow
  std::vector<std::string> allowed_hosts;  // with network allow: the only hosts reachable
  std::vector<std::string> env_files;      // KEY=VALUE files given to plan processes only
};

struct ApplyConfig {
  std::vector<std::string> env_files;  // KEY=VALUE files given to apply processes only
};

struct McpConfig {
  bool read_only = false;          // expose only read-only tools
  std::vector<std::string> tools;  // allow-list of tool names; empty: every tool
  int rate_limit_burst = 20;       // write calls and plan previews per subject at once
  int rate_limit_per_minute = 60;  // refill rate of that bucket; 0: no limit
};

// CI callers (POST /ci/promote): GitHub Actions OIDC tokens, verified with these keys.
// The endpoint is off unless jwks_file or jwks_url is set.
struct CiConfig {
  std::string jwks_file;  // a JWK Set file (re-read on an unknown kid)
  std::string jwks_url;   // or its URL, e.g. the issuer's /.well-known/jwks
  std::string jwks_ca_file;
  std::string issuer = "https://token.actions.githubusercontent.com";
  std::string audience;               // required `aud`; unset: the server's public URL
  int jwks_min_refresh_seconds = 60;  // at most one refetch per this, whatever the kids
  int max_token_lifetime_seconds = 3600;

  bool enabled() const { return !jwks_file.empty() || !jwks_url.empty(); }
};

struct StateConfig {
  // Empty: SQLite in work_dir/state.db (one replica). Set: PostgreSQL, shared by replicas.
  Secret postgres_url;
  int postgres_connections = 4;
  // A replica's claims (jobs, deliveries, the reconciler's scan) hold this long unless
  // renewed (every third of it); a replica that dies gives its work up after at most this.
  int lease_seconds = 30;
};

// Drift detection (gitops/apply/drift_pass.h): every interval, each environment's Terraform
// root is planned at the default branch's tip; a non-empty plan is drift.
struct DriftConfig {
  int interval_seconds = 0;  // 0: off
};

struct LogConfig {
  std::string level = "info";   // debug | info | warn | error
  std::string format = "auto";  // auto | json | text
};

struct Config {
  std::string work_dir = ".datamcp";
  ServerConfig server;
  RepositoryConfig repository;
  AuthConfig auth;
  ForgeConfig forge;
  WebhookConfig webhooks;
  ArgoCdConfig argocd;
  PlanConfig plan;
  ApplyConfig apply;
  McpConfig mcp;
  CiConfig ci;
  StateConfig state;
  DriftConfig drift;
  LogConfig log;

  // The URL clients use to reach this server (server.public_url or http://bind:port).
  std::string PublicUrl() const;
  bool BindsLoopback() const;
};

// Where the configuration comes from: an optional YAML file and the environment.
struct Sources {
  std::string file;                        // empty: no file
  std::map<std::string, std::string> env;  // the process environment (or a test's)
};

// Loads and validates. Errors are InvalidArgument with one line naming the key, where it
// came from and what is wrong, e.g. "server.port (from DATAMCP_SERVER_PORT): 70000 is not
// a port number (1-65535)". Unknown DATAMCP_* variables are returned in `warnings`.
Result<Config> Load(const Sources& sources, std::vector<std::string>* warnings = nullptr);

// The markdown reference table of every key (README and `datamcp config --reference`).
std::string ReferenceMarkdown();

}  // namespace datamcp::config
