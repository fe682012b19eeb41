#include "bot/app/gitops_stack.h"

#include <filesystem>

#include "bot/app/replica.h"
#include "bot/app/template_dir.h"
#include "gitops/argocd/api/http_argocd.h"
#include "gitops/argocd/sync/argocd_syncer.h"
#include "gitops/common/log.h"
#include "gitops/config/env_files.h"
#include "gitops/forge/github_forge.h"
#include "gitops/git/new_repository.h"
#include "gitops/localforge/local_forge.h"
#include "gitops/repo/init_repo.h"
#include "gitops/state/state_database.h"

namespace datamcp::bot {
namespace fs = std::filesystem;

namespace {

// Variables terraform and helm may see: the basics and proxies. Nothing else of the
// server's environment reaches a planner: no DATAMCP_* (secrets given as variables live
// there).
const std::vector<std::string> kPlannerEnv = {
    "PATH", "HOME", "LANG", "TMPDIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "SSL_CERT_FILE"};
// Cloud credentials of the server's own environment (GKE Workload Identity, EKS IRSA),
// passed to plan and apply alike only when neither plan.env_files nor apply.env_files
// gives each step its own.
const std::vector<std::string> kSharedCloudEnv = {"AWS_*", "GOOGLE_*", "CLOUDSDK_*", "ARM_*",
                                                  "TF_VAR_*"};

struct StepEnv {
  std::map<std::string, std::string> plan, apply;
};

Result<StepEnv> ReadStepEnv(const config::Config& c) {
  StepEnv out;
  DATAMCP_ASSIGN_OR_RETURN(out.plan, config::ReadEnvFiles(c.plan.env_files, "plan.env_files"));
  DATAMCP_ASSIGN_OR_RETURN(out.apply, config::ReadEnvFiles(c.apply.env_files, "apply.env_files"));
  return out;
}

std::vector<process::NamedSecret> EnvFileSecrets(const StepEnv& env) {
  std::vector<process::NamedSecret> out;
  for (const auto& [step, vars] :
       {std::pair{"plan.env_files:", &env.plan}, std::pair{"apply.env_files:", &env.apply}}) {
    for (const auto& [k, v] : *vars) {
      if (config::LooksSecret(k, v)) out.push_back({step + k, Secret(v)});
    }
  }
  return out;
}

std::vector<process::NamedSecret> ConfiguredSecrets(const config::Config& c) {
  return {{"repository.token", c.repository.token},
          {"forge.github_token", c.forge.github_token},
          {"webhooks.secret", c.webhooks.secret},
          {"argocd.token", c.argocd.token},
          {"auth.hs256_secret", c.auth.hs256_secret}};
}

Result<std::unique_ptr<forge::Forge>> MakeForge(const config::Config& config, GitopsStack& s,
                                                Clock& clock) {
  if (config.forge.kind == "github") {
    DATAMCP_ASSIGN_OR_RETURN(auto github, forge::GithubForge::FromConfig(config.forge, clock));
    return std::unique_ptr<forge::Forge>(std::move(github));
  }
  if (s.embedded_origin.empty()) {
    return InvalidArgument(
        "forge.kind local keeps pull requests in the embedded repository; "
        "with repository.url set, use forge.kind github");
  }
  s.local_store = std::make_unique<localforge::LocalPrStore>(
      s.embedded_origin, clock,
      localforge::LocalPrStore::Identity{config.repository.committer_name,
                                         config.repository.committer_email});
  return std::unique_ptr<forge::Forge>(std::make_unique<localforge::LocalForge>(*s.local_store));
}

proposal::PlanServiceOptions PlanOptions(const config::Config& c, const std::string& work_dir,
                                         StepEnv step_env) {
  std::vector<std::string> names = kPlannerEnv;
  if (c.plan.env_files.empty() && c.apply.env_files.empty()) {
    names.insert(names.end(), kSharedCloudEnv.begin(), kSharedCloudEnv.end());
  }
  auto env = process::AllowlistedEnv(process::CurrentEnvironment(), names);
  proposal::PlanServiceOptions o;
  o.scratch_root = (fs::path(work_dir) / "scratch").string();
  o.state_root = (fs::path(work_dir) / "tfstate").string();
  o.terraform.terraform_bin = c.plan.terraform_bin;
  o.terraform.plugin_cache_dir = (fs::path(work_dir) / "plugin-cache").string();
  o.terraform.init_cache_dir = (fs::path(work_dir) / "terraform-init-cache").string();
  o.terraform.env = env;
  o.terraform.plan_env = std::move(step_env.plan);
  o.terraform.apply_env = std::move(step_env.apply);
  o.terraform.timeout = std::chrono::seconds(c.plan.timeout_seconds);
  o.terraform.max_output_bytes = c.plan.max_output_bytes;
  o.terraform.parallelism = c.plan.parallelism;
  o.helm.helm_bin = c.plan.helm_bin;
  o.helm.env = env;
  o.helm.timeout = std::chrono::seconds(c.plan.timeout_seconds);
  o.helm.max_output_bytes = c.plan.max_output_bytes;
  return o;
}

Status ConfigureSandbox(const config::Config& c, GitopsStack& s) {
  process::SandboxOptions options;
  if (!process::ParseSandboxMode(c.plan.sandbox, &options.mode)) {
    return InvalidArgument("plan.sandbox: '" + c.plan.sandbox +
                           "' is not one of required, best-effort, off");
  }
  options.bwrap_bin = c.plan.bwrap_bin;
  auto env = process::CurrentEnvironment();
  if (auto it = env.find("PATH"); it != env.end()) options.path = it->second;
  options.allow_network = c.plan.network == "allow";
  if (options.allow_network && !c.plan.allowed_hosts.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(auto rules, process::ParseEgressRules(c.plan.allowed_hosts));
    std::error_code ec;
    fs::path run = fs::path(s.work_dir) / "run";
    fs::create_directories(run, ec);
    fs::permissions(run, fs::perms::owner_all, ec);
    s.egress = std::make_unique<process::EgressProxy>(process::EgressProxyOptions{
        .socket_path = (run / "egress.sock").string(), .rules = std::move(rules)});
    DATAMCP_RETURN_IF_ERROR(s.egress->Start());
    options.egress_socket = s.egress->socket_path();
    options.bridge_bin = fs::read_symlink("/proc/self/exe", ec).string();
    if (ec) return Internal("cannot find the datamcp executable for the egress bridge");
  }
  s.sandbox.Configure(options);
  s.sandbox.Probe(s.runner);
  Status ready = s.sandbox.Readiness();
  if (s.sandbox.Active()) {
    log::Info("plan_sandbox", {{"sandbox", s.sandbox.Describe()}});
  } else if (ready.ok()) {
    log::Warn("plan_sandbox_off", {{"sandbox", s.sandbox.Describe()}});
  } else {
    log::Error("plan_sandbox_unavailable", {{"error", ready.message()}});
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> EnsureEmbeddedRepository(const std::string& work_dir,
                                             const std::string& template_dir,
                                             const config::Config& config) {
  std::string path = (fs::path(work_dir) / "gitops.git").string();
  if (fs::exists(path)) return path;
  if (template_dir.empty()) {
    return FailedPrecondition(
        "cannot find repo-template/ to create the embedded repository; "
        "set repository.url or run from a DataMCP checkout");
  }
  // Bootstrap in a scratch directory, then clone it bare into place: a crash halfway leaves
  // no gitops.git, so the next start tries again.
  std::string seed = (fs::path(work_dir) / "seed-repository").string();
  std::error_code ec;
  fs::remove_all(seed, ec);
  repo::InitRepoOptions options;
  options.committer_name = config.repository.committer_name;
  options.committer_email = config.repository.committer_email;
  options.branch = config.repository.default_branch;
  DATAMCP_RETURN_IF_ERROR(repo::InitRepo(template_dir, seed, options));
  std::string tmp = path + ".partial";
  fs::remove_all(tmp, ec);
  Status s = git::CloneBare(seed, tmp);
  if (!s.ok()) s = s.WithContext("create the embedded repository");
  fs::remove_all(seed, ec);
  if (!s.ok()) return s;
  fs::rename(tmp, path, ec);
  if (ec) return Internal("cannot move " + tmp + " to " + path + ": " + ec.message());
  log::Info("embedded_repository_created", {{"path", path}, {"template", template_dir}});
  return path;
}

Result<std::unique_ptr<state::Database>> OpenState(const config::Config& config,
                                                   const std::string& work_dir) {
  return state::OpenStateDatabase({.work_dir = work_dir,
                                   .postgres_url = config.state.postgres_url,
                                   .postgres_connections = config.state.postgres_connections,
                                   .sync_commits = config.webhooks.sync_writes});
}

Result<std::unique_ptr<GitopsStack>> BuildGitopsStack(const config::Config& config,
                                                      const std::string& work_dir, Clock& clock,
                                                      const std::string& mirror_name,
                                                      std::unique_ptr<state::Database> state) {
  auto s = std::make_unique<GitopsStack>();
  s->work_dir = work_dir;
  // The state database first: a bad state.postgres_url or a newer schema stops start-up
  // before the embedded repository or the mirror are made.
  if (!state) {
    DATAMCP_ASSIGN_OR_RETURN(state, OpenState(config, work_dir));
  }
  s->state = std::move(state);
  if (config.repository.url.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(s->embedded_origin,
                             EnsureEmbeddedRepository(work_dir, FindTemplateDir(), config));
    s->remote_url = "file://" + s->embedded_origin;
  } else {
    s->remote_url = config.repository.url;
  }
  DATAMCP_ASSIGN_OR_RETURN(StepEnv step_env, ReadStepEnv(config));
  std::vector<process::NamedSecret> secrets = ConfiguredSecrets(config);
  for (auto& s : EnvFileSecrets(step_env)) secrets.push_back(std::move(s));
  DATAMCP_ASSIGN_OR_RETURN(s->masker, process::Masker::ForEnvironment(config.plan.mask_values_env,
                                                                      process::CurrentEnvironment(),
                                                                      std::move(secrets)));
  DATAMCP_RETURN_IF_ERROR(ConfigureSandbox(config, *s));
  git::Libgit2RepositoryOptions ro;
  ro.mirror_path = (fs::path(work_dir) / mirror_name).string();
  ro.remote = {s->remote_url, config.repository.token, config.repository.ca_file,
               config.repository.ssh_key_file, config.repository.known_hosts_file};
  // The file:// receive-pack child sees PATH and HOME, none of the server's secrets.
  ro.remote.receive_pack_env =
      process::AllowlistedEnv(process::CurrentEnvironment(), {"PATH", "HOME", "LANG", "LC_*"});
  ro.runner = &s->runner;
  ro.committer = {config.repository.committer_name, config.repository.committer_email};
  ro.default_branch = config.repository.default_branch;
  s->repo = std::make_unique<git::Libgit2Repository>(ro, clock);
  DATAMCP_ASSIGN_OR_RETURN(s->forge, MakeForge(config, *s, clock));
  s->planner = std::make_unique<proposal::PlanService>(
      *s->repo, s->runner, s->masker, PlanOptions(config, work_dir, std::move(step_env)));
  s->locks = std::make_unique<jobs::LockTable>(*s->state, clock);
  s->holder = Replica::NewHolderName();
  s->leases = std::make_unique<state::LeaseTable>(*s->state, clock);
  s->jobs = std::make_unique<jobs::JobStore>(
      *s->state, clock,
      jobs::JobStoreOptions{.holder = s->holder,
                            .lease = std::chrono::seconds(config.state.lease_seconds)});
  s->proposals = std::make_unique<proposal::ProposalService>(
      *s->repo, *s->forge, *s->planner, *s->locks, clock,
      proposal::ProposalServiceOptions{config.repository.default_branch, "datamcp/",
                                       config.webhooks.plan_forks});
  if (!config.argocd.url.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(auto client, argocd::HttpArgoCdFromConfig(config.argocd, clock));
    s->argocd = std::move(client);
    s->syncer = std::make_unique<argocd::ArgoCdSyncer>(*s->argocd, clock, config.argocd);
  }
  s->applier = std::make_unique<apply::Applier>(
      *s->repo, *s->forge, *s->proposals, *s->planner, s->syncer.get(), clock,
      apply::ApplierOptions{.ci_available = config.forge.kind == "github"});
  s->reconciler = std::make_unique<apply::Reconciler>(
      *s->repo, *s->forge, *s->proposals, *s->planner, *s->jobs, *s->locks, *s->applier,
      apply::ReconcilerOptions{config.repository.default_branch, 500, config.plan.parallelism});
  s->drift = std::make_unique<apply::DriftDetector>(*s->repo, *s->forge, *s->proposals, *s->planner,
                                                    *s->locks, *s->jobs, clock);
  if (!config.state.postgres_url.empty()) {
    // Replicas share the database: the scan and the drift pass run on one at a time, dead
    // replicas' jobs are taken over.
    s->reconciler->ShareWith(*s->leases, s->holder,
                             std::chrono::seconds(config.state.lease_seconds));
    s->drift->ShareWith(*s->leases, s->holder, std::chrono::seconds(config.state.lease_seconds));
  }
  return s;
}

}  // namespace datamcp::bot
