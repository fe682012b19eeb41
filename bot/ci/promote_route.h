#pragma once

#include <httplib.h>

#include <string>

#include "bot/auth/ci_token.h"
#include "gitops/forge/forge.h"
#include "gitops/git/repository.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/proposal/proposal_service.h"

namespace datamcp::bot {

// What POST /ci/promote needs. Everything is borrowed and must outlive the server.
struct PromoteRouteDeps {
  const CiTokenVerifier& verifier;
  proposal::ProposalService& proposals;
  git::Repository& repo;
  forge::Forge& forge;
  jobs::LockTable& locks;
};

// The answer of one promotion request, before it becomes HTTP (tests call it directly).
struct PromoteAnswer {
  int status = 200;
  nlohmann::json body;  // {"error", "error_description"} on failure
};

// POST /ci/promote: a CI job (GitHub Actions) promotes an image into a Helm release.
//   Authorization: Bearer <the job's OIDC token, audience = DataMCP's public URL>
//   {"image": "ghcr.io/acme/api", "tag": "v1.2.3", "digest": "sha256:...",
//    "release": "api", "environment": "prod"}
// The token is verified (CiTokenVerifier), then datamcp.yaml's promotion.rules on the
// default branch must allow its repository / job_workflow_ref / ref / environment claims to
// promote that image into that release and environment (deny by default). Then
// proposal::PromoteImage: a pull request with the Helm diff, a no-op for the version already
// there, older open promotions of the release closed. 200 with the result; 400 bad body,
// 401 bad token, 403 no rule allows it, 404 unknown release or environment, 503 repository
// or forge unreachable. Nothing is created on any error.
PromoteAnswer HandlePromote(const PromoteRouteDeps& deps, const std::string& authorization,
                            const std::string& body);

void RegisterPromoteRoute(httplib::Server& server, const PromoteRouteDeps& deps);

}  // namespace datamcp::bot
