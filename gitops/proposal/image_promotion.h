#pragma once

#include <string>
#include <vector>

#include "gitops/forge/forge.h"
#include "gitops/git/repository.h"
#include "gitops/jobs/lock_table.h"
#include "gitops/proposal/proposal_service.h"
#include "gitops/repo/image_values.h"
#include "gitops/repo/repo_config.h"

namespace datamcp::proposal {

inline constexpr const char* kImageUpdateTool = "propose_image_update";

// A new image version for one Helm release in one environment (propose_image_update, and
// CI's /ci/promote).
struct ImagePromotionRequest {
  repo::ImageVersion version;
  std::string release;
  std::string env;
  std::string requester;  // the MCP subject, or "ci:<repository>" for CI
  std::string request_id;
  std::string origin;  // one line on who asked, e.g. the CI workflow and run (pull request body)
  std::string idempotency_key;
  std::string description;
};

struct ImagePromotionResult {
  bool noop = false;            // the values already deploy this version; nothing was created
  std::string message;          // one sentence for the caller
  std::string previous;         // the image reference the values had
  ProposalResult proposal;      // when not noop
  std::vector<int> superseded;  // older open promotions of this release, closed
};

// The values file of the release, bumped (repo::UpdateImageInValues); the chart's defaults
// are read from the in-repository chart its Argo CD Application points at. NotFound when the
// release has no values file in that environment.
Result<repo::ImageValuesUpdate> ImageUpdateFor(git::Repository& repo, const std::string& base,
                                               const repo::RepoConfig& config,
                                               const ImagePromotionRequest& request);

// The ProposalRequest of a promotion (tool kImageUpdateTool, a title naming the version, a
// body line marking the release so a newer promotion can find it).
ProposalRequest PromotionProposal(const ImagePromotionRequest& request);

// Checks the version, reads the default branch: a version already there is a no-op (nothing
// created). Otherwise proposes it and closes every older open promotion of the same release
// and environment (a pull request of kImageUpdateTool carrying the same marker), each with a
// comment linking the new one, and releases their project locks at once (so the new one,
// waiting behind them, is planned again now rather than on the reconciler's next pass).
// Closing failures are logged and do not fail the promotion.
Result<ImagePromotionResult> PromoteImage(ProposalService& proposals, git::Repository& repo,
                                          forge::Forge& forge, jobs::LockTable& locks,
                                          const ImagePromotionRequest& request);

}  // namespace datamcp::proposal
