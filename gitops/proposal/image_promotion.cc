#include "gitops/proposal/image_promotion.h"

#include "gitops/common/log.h"
#include "gitops/common/safe_yaml.h"
#include "gitops/proposal/lock_release.h"
#include "gitops/repo/json_yaml.h"
#include "gitops/repo/pipeline.h"

namespace datamcp::proposal {
namespace {

using nlohmann::json;

std::string Marker(const ImagePromotionRequest& r) {
  return "<!-- datamcp:image-promotion " + r.env + "/" + r.release + " -->";
}

// The in-repository chart directory the release's Application points at ("" when none).
std::string ChartDirectory(git::Repository& repo, const std::string& base,
                           const repo::RepoConfig& config, const ImagePromotionRequest& r) {
  auto text = repo.ReadFile(base, config.ArgoAppPath(r.env, r.release));
  if (!text.ok()) return "";
  auto node = LoadSingleYamlDocument(*text, "application");
  if (!node.ok()) return "";
  json app = repo::YamlToJson(*node);
  if (!app.is_object() || !app["spec"].is_object()) return "";
  json sources = app["spec"].value("sources", json::array());
  if (app["spec"].contains("source")) sources.push_back(app["spec"]["source"]);
  for (const json& s : sources) {
    if (s.is_object() && s.contains("path") && s["path"].is_string()) {
      return s["path"].get<std::string>();
    }
  }
  return "";
}

// Whether open pull request `pr` is an earlier promotion of the same release: opened by this
// tool (the bot's own trailer on its head commit, which no caller writes) with the marker.
bool IsEarlierPromotion(git::Repository& repo, const forge::PullRequest& pr,
                        const std::string& marker) {
  if (pr.body.find("\n" + marker + "\n") == std::string::npos) return false;
  auto log = repo.Log(pr.head_sha, {}, 1);
  if (!log.ok() || log->empty()) return false;
  const std::string& message = log->front().message;
  const std::string line = std::string("\nDatamcp-Tool: ") + kImageUpdateTool;
  return message.find(line + "\n") != std::string::npos || message.ends_with(line);
}

std::vector<int> SupersedeOlder(git::Repository& repo, forge::Forge& forge,
                                const ImagePromotionRequest& request, const ProposalResult& now) {
  std::vector<int> closed;
  auto open = forge.ListOpenPullRequests();
  if (!open.ok()) {
    log::Warn("supersede_failed", {{"error", open.status().message()}});
    return closed;
  }
  std::string marker = Marker(request);
  for (const auto& pr : *open) {
    if (pr.number == now.number || !IsEarlierPromotion(repo, pr, marker)) continue;
    std::string link = now.url.empty() ? "#" + std::to_string(now.number) : now.url;
    std::string comment = "Superseded by #" + std::to_string(now.number) + " (" + link +
                          "), a newer promotion of " + request.release + " in " + request.env +
                          " to " + repo::ImageReference(request.version) +
                          ". Closed by DataMCP; reopen it to deploy this version instead.";
    Status s = forge.ClosePullRequest(pr.number, comment);
    log::Info("promotion_superseded", {{"pull_request", pr.number},
                                       {"superseded_by", now.number},
                                       {"release", request.release},
                                       {"environment", request.env},
                                       {"ok", s.ok()},
                                       {"error", s.ok() ? "" : s.message()}});
    if (s.ok()) closed.push_back(pr.number);
  }
  return closed;
}

// The pipeline definition `path` (text `text`) with the new image; the template chart's
// values.yaml stands for the chart's defaults.
Result<repo::ImageValuesUpdate> PipelineImageUpdate(git::Repository& repo, const std::string& base,
                                                    const repo::RepoConfig& config,
                                                    const ImagePromotionRequest& request,
                                                    const std::string& path,
                                                    const std::string& text) {
  DATAMCP_ASSIGN_OR_RETURN(repo::PipelineInfo pipeline, repo::ParsePipeline(path, text));
  std::optional<std::string> defaults;
  auto chart =
      repo.ReadFile(base, repo::PipelineChartPath(config, pipeline.template_) + "/values.yaml");
  if (chart.ok()) defaults = *chart;
  return repo::UpdateImageInValues(
      path, text, defaults, request.version,
      repo::PipelineDefinitionHeader(request.release, request.env, pipeline.template_));
}

}  // namespace

Result<repo::ImageValuesUpdate> ImageUpdateFor(git::Repository& repo, const std::string& base,
                                               const repo::RepoConfig& config,
                                               const ImagePromotionRequest& request) {
  DATAMCP_RETURN_IF_ERROR(repo::CheckImageVersion(request.version));
  DATAMCP_RETURN_IF_ERROR(config.FindEnvironment(request.env).status().WithContext("environment"));
  std::string path = config.HelmValuesPath(request.env, request.release);
  DATAMCP_RETURN_IF_ERROR(config.CheckWritePath(path).WithContext("release"));
  auto values = repo.ReadFile(base, path);
  if (!values.ok()) {
    // A data pipeline: its definition is its Application's values.
    std::string definition = config.PipelinePath(request.env, request.release);
    if (auto text = repo.ReadFile(base, definition); text.ok()) {
      return PipelineImageUpdate(repo, base, config, request, definition, *text);
    }
    return NotFound("release: '" + request.release + "' has no values file " + path +
                    " nor pipeline definition " + definition + " in " + request.env +
                    " on the default branch; deploy it first with propose_helm_release or " +
                    "propose_pipeline");
  }
  std::optional<std::string> defaults;
  if (std::string chart = ChartDirectory(repo, base, config, request); !chart.empty()) {
    auto text = repo.ReadFile(base, chart + "/values.yaml");
    if (text.ok()) defaults = *text;
  }
  return repo::UpdateImageInValues(
      path, *values, defaults, request.version,
      "Values for Helm release " + request.release + " in " + request.env + ".");
}

ProposalRequest PromotionProposal(const ImagePromotionRequest& r) {
  std::string ref = repo::ImageReference(r.version);
  std::string body = r.description.empty() ? "" : r.description + "\n\n";
  body += "Promotes `" + ref + "` to `" + r.release + "` in `" + r.env + "`.";
  if (!r.origin.empty()) body += "\n\nRequested by " + r.origin + ".";
  body += "\n\n" + Marker(r) + "\n";
  ProposalRequest p{kImageUpdateTool,
                    r.env,
                    "Promote " + r.release + " in " + r.env + " to " +
                        (r.version.tag.empty() ? r.version.digest.substr(0, 19) : r.version.tag),
                    body,
                    r.requester,
                    r.request_id,
                    r.idempotency_key,
                    {}};
  // The MCP tool records the arguments it was called with (ProposeOrPreview); CI's request
  // is recorded as the same fields.
  p.arguments = {{"image", r.version.image}, {"release", r.release}, {"environment", r.env}};
  if (!r.version.tag.empty()) p.arguments["tag"] = r.version.tag;
  if (!r.version.digest.empty()) p.arguments["digest"] = r.version.digest;
  if (!r.origin.empty()) p.arguments["origin"] = r.origin;
  p.build = [r](git::Repository& repo, const std::string& base,
                const repo::RepoConfig& config) -> Result<git::ChangeSet> {
    DATAMCP_ASSIGN_OR_RETURN(repo::ImageValuesUpdate update, ImageUpdateFor(repo, base, config, r));
    if (!update.changed) {
      return FailedPrecondition("release " + r.release + " in " + r.env + " already deploys " +
                                repo::ImageReference(r.version) + "; nothing to propose");
    }
    return git::ChangeSet{{update.file, update.content, git::FileMode::kRegular}};
  };
  return p;
}

Result<ImagePromotionResult> PromoteImage(ProposalService& proposals, git::Repository& repo,
                                          forge::Forge& forge, jobs::LockTable& locks,
                                          const ImagePromotionRequest& request) {
  DATAMCP_RETURN_IF_ERROR(repo::CheckImageVersion(request.version));
  std::string base;
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, proposals.LoadConfig(&base));
  DATAMCP_ASSIGN_OR_RETURN(repo::ImageValuesUpdate update,
                           ImageUpdateFor(repo, base, config, request));
  ImagePromotionResult out;
  out.previous = update.previous;
  std::string ref = repo::ImageReference(request.version);
  if (!update.changed) {
    out.noop = true;
    out.message = "release " + request.release + " in " + request.env + " already deploys " + ref +
                  " (" + update.file +
                  " on the default branch): nothing to promote, no pull request opened";
    log::Info("promotion_noop", {{"release", request.release},
                                 {"environment", request.env},
                                 {"image", ref},
                                 {"requester", request.requester}});
    return out;
  }
  DATAMCP_ASSIGN_OR_RETURN(out.proposal, proposals.Propose(PromotionProposal(request)));
  out.superseded = SupersedeOlder(repo, forge, request, out.proposal);
  for (int closed : out.superseded) {
    auto replanned = ReleaseFinished(locks, proposals, closed);
    if (!replanned.ok()) {
      log::Warn("supersede_unlock_failed",
                {{"pull_request", closed}, {"error", replanned.status().message()}});
      continue;
    }
    for (const auto& r : *replanned) {
      if (r.pull_request == out.proposal.number && r.outcome.ok()) out.proposal.plan = *r.outcome;
    }
  }
  out.message = "proposed " + ref + " for " + request.release + " in " + request.env + " (was " +
                update.previous + ") as pull request #" + std::to_string(out.proposal.number);
  if (!out.superseded.empty()) {
    out.message += "; superseded";
    for (int n : out.superseded) out.message += " #" + std::to_string(n);
  }
  return out;
}

}  // namespace datamcp::proposal
