#pragma once

#include <memory>
#include <string>

#include "gitops/apply/drift_pass.h"
#include "gitops/apply/reconciler.h"
#include "gitops/argocd/api/argocd.h"
#include "gitops/config/config.h"
#include "gitops/git/libgit2_repository.h"
#include "gitops/jobs/job_store.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/localforge/local_pr_store.h"
#include "gitops/process/egress_proxy.h"
#include "gitops/process/masker.h"
#include "gitops/process/posix_process_runner.h"
#include "gitops/proposal/proposal_service.h"
#include "gitops/state/database.h"
#include "gitops/state/lease_table.h"

namespace datamcp::bot {

// Everything gitops/ needs to propose, plan and apply, built from configuration with the
// real implementations. Members are declared in dependency order, so they are destroyed in
// reverse.
struct GitopsStack {
  std::string work_dir;
  std::string remote_url;       // the GitOps repository (file:// of the embedded one)
  std::string embedded_origin;  // path of the embedded bare repository, or ""
  // The sandbox's only way out when plan.allowed_hosts is set; null otherwise.
  std::unique_ptr<process::EgressProxy> egress;
  // Planner and applier processes run in this sandbox (plan.sandbox); probed at build.
  process::Sandbox sandbox;
  process::PosixProcessRunner runner{&sandbox};
  process::Masker masker;
  std::unique_ptr<git::Libgit2Repository> repo;
  std::unique_ptr<localforge::LocalPrStore> local_store;
  std::unique_ptr<forge::Forge> forge;
  std::unique_ptr<proposal::PlanService> planner;
  std::unique_ptr<state::Database> state;  // outlives the stores below
  std::string holder;                      // this replica's name in claims (Replica)
  std::unique_ptr<state::LeaseTable> leases;
  std::unique_ptr<jobs::LockTable> locks;
  std::unique_ptr<jobs::JobStore> jobs;
  std::unique_ptr<proposal::ProposalService> proposals;
  std::unique_ptr<argocd::ArgoCd> argocd;  // null without argocd.url
  std::unique_ptr<apply::Syncer> syncer;   // null without argocd.url
  std::unique_ptr<apply::Applier> applier;
  std::unique_ptr<apply::Reconciler> reconciler;
  // Plans each environment at the tip every drift.interval_seconds (started by serve).
  std::unique_ptr<apply::DriftDetector> drift;
};

// Creates the embedded GitOps repository (work_dir/gitops.git, bare) from repo-template/
// the first time; returns its path.
Result<std::string> EnsureEmbeddedRepository(const std::string& work_dir,
                                             const std::string& template_dir,
                                             const config::Config& config);

// Opens the state database the configuration names (SQLite in work_dir, or
// state.postgres_url) and brings its schema up to date. Errors name the key.
Result<std::unique_ptr<state::Database>> OpenState(const config::Config& config,
                                                   const std::string& work_dir);

// Builds the stack without touching the network: the mirror is opened by Mirror(), the
// reconciler is not started. CLI commands that run beside a server pass their own
// `mirror_name`, so two processes never fetch into the same mirror. `state` is the database
// from OpenState (serve opens it first, so a bad one stops start-up before anything is
// created); null: the stack opens it.
Result<std::unique_ptr<GitopsStack>> BuildGitopsStack(
    const config::Config& config, const std::string& work_dir, Clock& clock,
    const std::string& mirror_name = "mirror.git",
    std::unique_ptr<state::Database> state = nullptr);

}  // namespace datamcp::bot
