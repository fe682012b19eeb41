#include "gitops/proposal/proposal_service.h"

#include "gitops/common/digest.h"
#include "gitops/common/log.h"
#include "gitops/common/random.h"
#include "gitops/common/record_text.h"
#include "gitops/forge/comment_split.h"
#include "gitops/proposal/approvals.h"
#include "gitops/proposal/dependents.h"
#include "gitops/proposal/plan_publish.h"
#include "gitops/proposal/request_record.h"

namespace datamcp::proposal {
namespace {

std::string Slug(const std::string& title) {
  std::string out;
  for (char c : title) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= 40) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "change" : out;
}

// The caller's text that goes into the commit message, its trailers and the pull request:
// refused when it could read as a record DataMCP writes itself (#12).
Status CheckRequestText(const ProposalRequest& request) {
  if (request.title.empty()) return InvalidArgument("arguments.title is empty; give one line");
  DATAMCP_RETURN_IF_ERROR(CheckRecordTitle("arguments.title", request.title));
  DATAMCP_RETURN_IF_ERROR(CheckRecordText("arguments.description", request.description));
  for (const auto& [field, value] : {std::pair<const char*, const std::string&>{
                                         "arguments.idempotency_key", request.idempotency_key},
                                     {"the caller's subject", request.requester}}) {
    if (value.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument(std::string(field) + " contains a line break; give one line");
    }
  }
  return Status::Ok();
}

}  // namespace

PlanOutcome ToOutcome(const PlanRun& run, const Blocked& blocked) {
  PlanOutcome out;
  out.base = run.base;
  out.head = run.head;
  for (const auto& p : run.plans) {
    ProjectOutcome o{p.project.path, std::string(ProjectKindName(p.project.kind)),
                     p.project.env,  p.ok,
                     p.summary,      p.fingerprint,
                     p.error,        "",
                     p.changes,      p.policy};
    if (auto it = blocked.find(p.project.path); it != blocked.end()) o.blocked = it->second;
    out.destructive = out.destructive || (p.ok && p.changes.Destructive());
    out.policy_denied = out.policy_denied || p.policy.Denied();
    out.projects.push_back(o);
  }
  forge::CommitState state = BuildPlanStatus(run, blocked);
  out.status = state.state == forge::CommitStateKind::kSuccess ? "success" : "failure";
  out.status_description = state.description;
  return out;
}

nlohmann::json ToJson(const PlanOutcome& outcome) {
  nlohmann::json projects = nlohmann::json::array();
  for (const auto& p : outcome.projects) {
    projects.push_back({{"project", p.project},
                        {"kind", p.kind},
                        {"env", p.env},
                        {"ok", p.ok},
                        {"summary", p.summary},
                        {"fingerprint", p.fingerprint},
                        {"error", p.error},
                        {"blocked", p.blocked},
                        {"changes", plan::ToJson(p.changes)},
                        {"policy", p.policy.ToJson()}});
  }
  return {{"base", outcome.base},
          {"policy_denied", outcome.policy_denied},
          {"head", outcome.head},
          {"status", outcome.status},
          {"destructive", outcome.destructive},
          {"status_description", outcome.status_description},
          {"projects", projects}};
}

ProposalService::ProposalService(git::Repository& repo, forge::Forge& forge, PlanService& planner,
                                 jobs::LockTable& locks, const Clock& clock,
                                 ProposalServiceOptions options)
    : repo_(repo),
      forge_(forge),
      planner_(planner),
      locks_(locks),
      clock_(clock),
      options_(std::move(options)) {}

Result<repo::RepoConfig> ProposalService::LoadConfig(std::string* base_out) {
  DATAMCP_RETURN_IF_ERROR(repo_.Fetch().WithContext("fetch the GitOps repository"));
  DATAMCP_ASSIGN_OR_RETURN(std::string base, repo_.ResolveRef(options_.default_branch));
  auto text = repo_.ReadFile(base, std::string(repo::kRepoConfigPath));
  if (!text.ok()) {
    return FailedPrecondition("the GitOps repository has no datamcp.yaml on " +
                              options_.default_branch + "; bootstrap it with `datamcp init-repo`");
  }
  auto config = repo::ParseRepoConfig(*text);
  if (!config.ok())
    return config.status().WithContext("datamcp.yaml on " + options_.default_branch);
  if (base_out) *base_out = base;
  std::lock_guard lock(config_mu_);
  cached_config_ = *config;
  return config;
}

std::optional<repo::RepoConfig> ProposalService::CachedConfig() const {
  std::lock_guard lock(config_mu_);
  return cached_config_;
}

Result<std::string> ProposalService::BranchName(const ProposalRequest& request) const {
  std::string id;
  if (request.idempotency_key.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(id, RandomHex(4));
  } else {
    id = Sha256Hex(request.requester + "\n" + request.idempotency_key).substr(0, 8);
  }
  return options_.branch_prefix + request.env + "/" + Slug(request.title) + "-" + id;
}

Result<ProposalResult> ProposalService::Propose(const ProposalRequest& request,
                                                const Progress& progress) {
  auto step = [&](const std::string& s) {
    if (progress) progress(s);
  };
  DATAMCP_RETURN_IF_ERROR(CheckRequestText(request));
  std::string base;
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, LoadConfig(&base));
  DATAMCP_RETURN_IF_ERROR(config.FindEnvironment(request.env).status().WithContext("environment"));
  DATAMCP_ASSIGN_OR_RETURN(git::ChangeSet changes, request.build(repo_, base, config));
  DATAMCP_ASSIGN_OR_RETURN(std::string branch, BranchName(request));
  if (!request.idempotency_key.empty()) {
    DATAMCP_ASSIGN_OR_RETURN(auto open, forge_.ListOpenPullRequests());
    for (const auto& pr : open) {
      if (pr.head_ref != branch) continue;
      ProposalResult reused{pr.number, pr.html_url, branch, pr.head_sha, true, {}};
      auto plan = PlanPullRequest(pr.number);
      if (plan.ok()) reused.plan = *plan;
      return reused;
    }
    // A crash between the push and the pull request leaves the branch without one: a retry
    // with the same key completes that proposal instead of failing on the existing branch.
    if (auto orphan = OrphanBranchTip(branch, request)) {
      step("pull request");
      DATAMCP_ASSIGN_OR_RETURN(forge::OpenedPullRequest opened,
                               forge_.OpenOrReusePullRequest({branch, options_.default_branch,
                                                              request.title, BodyFor(request)}));
      log::Info("proposal_completed", {{"pull_request", opened.pull_request.number},
                                       {"branch", branch},
                                       {"commit", *orphan},
                                       {"requester", request.requester}});
      ProposalResult completed{
          opened.pull_request.number, opened.pull_request.html_url, branch, *orphan, true, {}};
      auto plan = PlanPullRequest(opened.pull_request.number);
      if (plan.ok()) completed.plan = *plan;
      return completed;
    }
  }
  // Commit and plan before anything is visible: a change that does not plan (invalid chart,
  // terraform error) is refused and leaves no branch or pull request behind.
  step("commit");
  DATAMCP_ASSIGN_OR_RETURN(std::string commit,
                           repo_.CreateCommit(base, changes, CommitMetaFor(request)));
  step("plan");
  DATAMCP_ASSIGN_OR_RETURN(PlanRun run, PlanCommit(config, base, commit));
  for (const auto& p : run.plans) {
    if (!p.ok) {
      return InvalidArgument(
          "the change does not plan, so nothing was proposed: " + p.project.path + ": " + p.error);
    }
  }
  step("push");
  DATAMCP_ASSIGN_OR_RETURN(git::PushResult pushed, repo_.PushBranch(branch, commit, ""));
  if (!pushed.ok) {
    return Conflict("the GitOps remote refused branch " + branch + ": " + pushed.message);
  }
  if (Status recorded = RecordRequest(commit, request); !recorded.ok()) {
    // The branch is pushed; the audit then lacks the arguments, not the proposal.
    log::Warn("request_note_failed", {{"commit", commit}, {"error", recorded.message()}});
  }
  step("pull request");
  DATAMCP_ASSIGN_OR_RETURN(forge::OpenedPullRequest opened,
                           forge_.OpenOrReusePullRequest(
                               {branch, options_.default_branch, request.title, BodyFor(request)}));
  log::Info("proposal_opened", {{"pull_request", opened.pull_request.number},
                                {"branch", branch},
                                {"commit", commit},
                                {"requester", request.requester},
                                {"tool", request.tool}});
  DATAMCP_ASSIGN_OR_RETURN(PlanOutcome plan,
                           Report(opened.pull_request.number, opened.pull_request.author, run));
  return ProposalResult{
      opened.pull_request.number, opened.pull_request.html_url, branch, commit, false, plan};
}

Status ProposalService::RecordRequest(const std::string& commit, const ProposalRequest& request) {
  if (request.arguments.is_null()) return Status::Ok();
  return repo_.AddNote(
      commit, BuildRequestRecord(commit, request.request_id, request.arguments, planner_.masker())
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string ProposalService::BodyFor(const ProposalRequest& request) const {
  return request.description + "\n\n---\nProposed by `" + request.requester +
         "` through DataMCP (`" + request.tool + "`, environment `" + request.env + "`, request `" +
         request.request_id + "`).";
}

std::optional<std::string> ProposalService::OrphanBranchTip(const std::string& branch,
                                                            const ProposalRequest& request) {
  auto tip = repo_.ResolveRef("refs/remotes/origin/" + branch);
  if (!tip.ok()) return std::nullopt;
  auto log = repo_.Log(*tip, {}, 1);
  if (!log.ok() || log->empty()) return std::nullopt;
  // Only a branch this requester pushed for this key: the trailers CommitMetaFor writes.
  const std::string& message = log->front().message;
  auto has = [&](const std::string& line) {
    return message.find("\n" + line + "\n") != std::string::npos || message.ends_with("\n" + line);
  };
  if (!has("Datamcp-Idempotency-Key: " + request.idempotency_key) ||
      !has("Datamcp-Requested-By: " + request.requester)) {
    return std::nullopt;
  }
  return *tip;
}

git::CommitMeta ProposalService::CommitMetaFor(const ProposalRequest& request) const {
  git::CommitMeta meta;
  meta.message = request.title + "\n\n" + request.description;
  meta.author = {request.requester, request.requester + "@datamcp.invalid"};
  meta.trailers = {{"Datamcp-Tool", request.tool},
                   {"Datamcp-Requested-By", request.requester},
                   {"Datamcp-Request-Id", request.request_id},
                   {"Datamcp-Env", request.env}};
  if (!request.idempotency_key.empty()) {
    meta.trailers.push_back({"Datamcp-Idempotency-Key", request.idempotency_key});
  }
  meta.trailers.insert(meta.trailers.end(), request.trailers.begin(), request.trailers.end());
  return meta;
}

Result<PlanRun> ProposalService::PlanCommit(const repo::RepoConfig& config, const std::string& base,
                                            const std::string& head) {
  DATAMCP_ASSIGN_OR_RETURN(auto changed, repo_.ChangedPaths(base, head));
  std::vector<std::string> paths;
  for (const auto& c : changed) paths.push_back(c.path);
  return planner_.Plan(config, base, head, AffectedProjectsAt(repo_, config, head, paths));
}

Result<PlanOutcome> ProposalService::Preview(const ProposalRequest& request) {
  DATAMCP_RETURN_IF_ERROR(CheckRequestText(request));
  std::string base;
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, LoadConfig(&base));
  DATAMCP_RETURN_IF_ERROR(config.FindEnvironment(request.env).status().WithContext("environment"));
  DATAMCP_ASSIGN_OR_RETURN(git::ChangeSet changes, request.build(repo_, base, config));
  DATAMCP_ASSIGN_OR_RETURN(std::string commit,
                           repo_.CreateCommit(base, changes, CommitMetaFor(request)));
  DATAMCP_ASSIGN_OR_RETURN(PlanRun run, PlanCommit(config, base, commit));
  return ToOutcome(run, {});
}

Status ProposalService::CheckProposedConfig(int number, const std::string& base,
                                            const std::string& planned, const std::string& head) {
  const std::string path(repo::kRepoConfigPath);
  auto before = repo_.ReadFile(base, path);
  auto after = repo_.ReadFile(planned, path);
  if (after.ok() && before.ok() && *after == *before) return Status::Ok();
  std::string why;
  if (!after.ok()) {
    why = "datamcp.yaml is removed: DataMCP would stop applying anything";
  } else if (auto parsed = repo::ParseRepoConfig(*after); !parsed.ok()) {
    why = parsed.status().message();
  }
  if (why.empty()) return Status::Ok();
  forge::CommitState state{forge::CommitStateKind::kFailure, "datamcp/plan",
                           "invalid datamcp.yaml: " + why, ""};
  if (state.description.size() > 140) state.description = state.description.substr(0, 137) + "...";
  forge::PlanComment comment;
  comment.summary = "### DataMCP plan for `" + head.substr(0, 12) +
                    "`\n\n> [!CAUTION]\n> **This pull request breaks `datamcp.yaml`**: " + why +
                    "\n\nNothing was planned. Merged as is, DataMCP would refuse every proposal "
                    "and apply nothing until it is fixed (the rules are read from the default "
                    "branch, never half-applied). Fix the file and push.\n";
  DATAMCP_ASSIGN_OR_RETURN(auto parts, forge::SplitPlanComment(comment));
  DATAMCP_RETURN_IF_ERROR(
      forge_.UpsertBotComment(number, forge::kPlanCommentMarker, parts).status());
  DATAMCP_RETURN_IF_ERROR(forge_.SetCommitStatus(head, state));
  log::Warn("proposed_config_invalid", {{"pull_request", number}, {"error", why}});
  return FailedPrecondition("pull request #" + std::to_string(number) +
                            " changes datamcp.yaml into an invalid one: " + why);
}

Result<PlanOutcome> ProposalService::PlanPullRequest(int number) {
  std::string base;
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, LoadConfig(&base));
  DATAMCP_ASSIGN_OR_RETURN(forge::PullRequest pr, forge_.GetPullRequest(number));
  if (pr.state != forge::PullRequestState::kOpen) {
    return FailedPrecondition("pull request #" + std::to_string(number) + " is not open");
  }
  if (pr.from_fork && !(options_.plan_forks && config.plan_forks)) {
    forge::CommitState state{forge::CommitStateKind::kFailure, "datamcp/plan",
                             "not planned: pull requests from forks run untrusted code", ""};
    DATAMCP_RETURN_IF_ERROR(forge_.SetCommitStatus(pr.head_sha, state));
    return FailedPrecondition("pull request #" + std::to_string(number) +
                              " comes from a fork; forks are not planned");
  }
  DATAMCP_ASSIGN_OR_RETURN(std::string head, repo_.ResolveRef(pr.head_sha));
  return PlanHead(number, pr.author, config, base, head);
}

Result<PlanOutcome> ProposalService::PlanHead(int number, const std::string& author,
                                              const repo::RepoConfig& config,
                                              const std::string& base, const std::string& head) {
  DATAMCP_ASSIGN_OR_RETURN(std::string merge_base, repo_.MergeBase(base, head));
  std::string planned = head;
  if (merge_base != base) {
    // The default branch moved since the branch was made: plan what the merge will be (as
    // the re-plan after merge does), not the head, whose base lacks what the branch gained.
    auto merged = repo_.MergeCommits(base, head);
    if (!merged.ok()) {
      if (merged.status().code() != StatusCode::kFailedPrecondition) return merged.status();
      std::string why = "conflicts with " + options_.default_branch +
                        "; refresh it (`datamcp refresh " + std::to_string(number) +
                        "` or the refresh_proposal tool) to see the paths, or propose the "
                        "change again";
      forge::CommitState state{forge::CommitStateKind::kFailure, "datamcp/plan", why, ""};
      DATAMCP_RETURN_IF_ERROR(forge_.SetCommitStatus(head, state));
      return FailedPrecondition("pull request #" + std::to_string(number) + ": " +
                                merged.status().message() + "; " + why);
    }
    planned = *merged;
  }
  DATAMCP_RETURN_IF_ERROR(CheckProposedConfig(number, base, planned, head));
  DATAMCP_ASSIGN_OR_RETURN(PlanRun run, PlanCommit(config, base, planned));
  run.head = head;  // the records go on the pull request's head, which reviewers see
  return Report(number, author, run);
}

std::map<std::string, ApprovalHint> ProposalService::StaleApprovalHints(
    const repo::RepoConfig& config, int number, const std::string& author, const PlanRun& run) {
  std::map<std::string, ApprovalHint> out;
  auto reviews = forge_.ListReviews(number);
  if (!reviews.ok()) {  // the comment goes without it; the applier checks again
    log::Warn("plan_reviews_failed",
              {{"pull_request", number}, {"error", reviews.status().message()}});
    return out;
  }
  if (reviews->empty()) return out;
  for (const auto& p : run.plans) {
    if (!p.ok) continue;
    auto binding = BindApprovals(*reviews, author, p.project.path, p.fingerprint,
                                 [this](const std::string& sha) { return repo_.ReadNotes(sha); });
    if (!binding.ok() || binding->stale.empty()) continue;
    auto env = config.FindEnvironment(p.project.env);
    out[p.project.path] = {env.ok() ? (*env)->approvals : 0, binding->current,
                           binding->DescribeStale()};
  }
  return out;
}

Result<PlanOutcome> ProposalService::Report(int number, const std::string& author,
                                            const PlanRun& run) {
  Blocked blocked;
  for (const auto& p : run.plans) {
    Status s = locks_.Acquire(p.project.path, number, run.head);
    if (s.code() == StatusCode::kFailedPrecondition)
      blocked[p.project.path] = s.message();
    else
      DATAMCP_RETURN_IF_ERROR(s);
  }
  DestroyHint hint{number, {}, {}};
  if (auto config = CachedConfig()) {  // loaded by the caller, just before planning
    for (const auto& env : config->environments) {
      hint.destroy_approvals[env.name] = env.destroy_approvals;
    }
    hint.approvals = StaleApprovalHints(*config, number, author, run);
  }
  DATAMCP_RETURN_IF_ERROR(PublishPlan(forge_, number, run, blocked, hint));
  if (blocked.empty()) {
    DATAMCP_RETURN_IF_ERROR(
        repo_.AddNote(run.head, BuildPlanNote(run, number, clock_.UnixSeconds()).dump()));
  }
  return ToOutcome(run, blocked);
}

}  // namespace datamcp::proposal
