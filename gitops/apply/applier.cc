#include "gitops/apply/applier.h"

#include <yaml-cpp/yaml.h>

#include <map>

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"
#include "gitops/proposal/approvals.h"
#include "gitops/proposal/change_requests.h"
#include "gitops/proposal/destroy_gate.h"
#include "gitops/proposal/plan_report.h"

namespace datamcp::apply {
namespace {

// Ends the pipeline early with a recorded (not an error) outcome.
struct Outcome {
  std::string result;
  std::string detail;
};

std::string Tail(const std::string& text, std::size_t max) {
  return text.size() <= max ? text : "…" + text.substr(text.size() - max);
}

std::string CommentFor(const ApplyNote& n) {
  std::string icon = (n.result == "applied" || n.result == "synced") ? "✅" : "⚠️";
  std::string s = "### " + icon + " DataMCP " + n.result + ": `" + n.project + "`\n\n";
  s += "Merge commit `" + n.merge_commit.substr(0, 12) + "`, environment `" + n.env + "`";
  if (!n.merged_by.empty()) s += ", merged by `" + n.merged_by + "`";
  s += ".\n\n" + n.summary + "\n";
  if (!n.detail.empty()) s += "\n```\n" + Tail(n.detail, 20000) + "\n```\n";
  if (n.result == "stale-plan") {
    s += "\nThe plan changed between review and merge, so nothing was applied. Open a new pull "
         "request (for example with the same change) to review the current plan.\n";
  } else if (n.result == "destroy-unconfirmed") {
    s += "\nThis plan deletes or replaces resources and nothing was applied: it needed the "
         "environment's `destroy_approvals` or a destroy confirmation of this plan before the "
         "merge. Propose the change again, then approve or confirm it (`/datamcp "
         "confirm-destroy`, or `datamcp review N --confirm-destroy` on the local forge).\n";
  } else if (n.result == "policy-denied") {
    s += "\nThe environment's plan policies (`policies` in `datamcp.yaml` on the default "
         "branch) refuse this plan, so nothing was applied. Propose a change the policies "
         "allow, or change the policies through their own reviewed pull request.\n";
  } else if (n.result == "interrupted") {
    s += "\nDataMCP stopped while this was running. It is not retried automatically: check "
         "the project's state and re-run by hand.\n";
  }
  return s;
}

// One apply comment per project on the pull request: "datamcp:apply:infra-terraform-envs-dev".
std::string CommentMarker(const std::string& project) {
  std::string marker = "datamcp:apply:";
  for (char c : project) {
    marker += std::isalnum(static_cast<unsigned char>(c))
                  ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                  : '-';
  }
  return marker;
}

Status CiNotGreen(const std::string& sha, const std::string& conclusion) {
  return FailedPrecondition("CI must be green before apply; the recorded conclusion for " +
                            sha.substr(0, 12) + " is '" +
                            (conclusion.empty() ? "none" : conclusion) + "'");
}

// A `ci` note as the workflow_run handler writes it. Anything else (another type, a
// conclusion missing or not a string) is not ours and neither greens nor blocks CI.
bool IsCiRecord(const nlohmann::json& j) {
  return json_fields::String(j, "type") == "ci" && json_fields::HasString(j, "conclusion");
}

}  // namespace

Applier::Applier(git::Repository& repo, forge::Forge& forge, proposal::ProposalService& proposals,
                 proposal::PlanService& planner, Syncer* syncer, const Clock& clock,
                 ApplierOptions options)
    : repo_(repo),
      forge_(forge),
      proposals_(proposals),
      planner_(planner),
      syncer_(syncer),
      clock_(clock),
      options_(options) {}

namespace {

// The note a job's outcome is recorded in, before the outcome is known.
ApplyNote NoteFor(const jobs::Job& job) {
  ApplyNote note;
  note.project = job.project;
  note.kind = job.kind;
  note.pull_request = job.pull_request;
  note.merge_commit = job.merge_sha;
  note.reviewed = job.pull_request != 0;  // 0: an unreviewed push
  return note;
}

}  // namespace

Result<ApplyNote> Applier::Run(const jobs::Job& job) {
  ApplyNote note = NoteFor(job);
  note.started_at = clock_.UnixSeconds();
  return Execute(job, std::move(note));
}

Result<std::string> Applier::CiConclusion(const std::string& sha) {
  DATAMCP_ASSIGN_OR_RETURN(auto notes, repo_.ReadNotes(sha));
  std::string conclusion;  // the newest `ci` record's
  for (const auto& text : notes) {
    auto j = ParseJsonOrDiscarded(text);
    if (IsCiRecord(j)) conclusion = json_fields::String(j, "conclusion");
  }
  return conclusion;
}

Status Applier::CheckRequirements(const repo::Environment& env, const repo::RepoConfig& config,
                                  const forge::PullRequest& pr, ApplyNote& note) {
  DATAMCP_ASSIGN_OR_RETURN(auto reviews, forge_.ListReviews(pr.number));
  // Only approvals of the reviewed plan count (none when no plan was recorded on the head).
  DATAMCP_ASSIGN_OR_RETURN(
      proposal::ApprovalBinding binding,
      proposal::BindApprovals(reviews, pr.author, note.project, note.reviewed_fingerprint,
                              [this](const std::string& sha) { return repo_.ReadNotes(sha); }));
  note.approvers = binding.current;
  note.stale_approvals = binding.StaleJson();
  if (static_cast<int>(note.approvers.size()) < env.approvals) {
    std::string why =
        "environment " + env.name + " needs " + std::to_string(env.approvals) +
        " approval(s) of the reviewed plan (" +
        (note.reviewed_fingerprint.empty() ? std::string("none recorded")
                                           : note.reviewed_fingerprint.substr(0, 12)) +
        ") before apply; it had " + std::to_string(note.approvers.size());
    if (!binding.stale.empty()) {
      why += " (stale: " + binding.DescribeStale() +
             "; an approval counts only for the plan it was given on)";
    }
    return FailedPrecondition(why);
  }
  if (config.apply.require_ci_green && options_.ci_available) {
    DATAMCP_ASSIGN_OR_RETURN(std::string conclusion, CiConclusion(pr.head_sha));
    if (conclusion != "success") return CiNotGreen(pr.head_sha, conclusion);
  }
  return Status::Ok();
}

// An unreviewed push has no pull request: no approval can be given, so only the policy and
// CI (when required) hold it back. CI runs after the push, so a missing result is waited for
// (the job stays queued) for options_.unreviewed_ci_wait.
Status Applier::CheckUnreviewedRequirements(const jobs::Job& job, const repo::RepoConfig& config) {
  if (config.unreviewed_push != repo::UnreviewedPushPolicy::kApply) {
    return FailedPrecondition(
        "datamcp.yaml on the default branch now says unreviewed_push: alert; the push was "
        "queued under `apply` and is not applied");
  }
  if (!config.apply.require_ci_green || !options_.ci_available) return Status::Ok();
  DATAMCP_ASSIGN_OR_RETURN(std::string conclusion, CiConclusion(job.merge_sha));
  if (conclusion.empty() && !CiWaitOver(job.id)) {
    return Unavailable("waiting for CI on " + job.merge_sha.substr(0, 12) +
                       " (no result recorded yet)");
  }
  {
    std::lock_guard lock(ci_wait_mu_);
    ci_wait_since_.erase(job.id);
  }
  if (conclusion == "success") return Status::Ok();
  return CiNotGreen(job.merge_sha, conclusion);
}

bool Applier::CiWaitOver(const std::string& id) {
  const auto now = clock_.SteadyNow();
  std::lock_guard lock(ci_wait_mu_);
  auto since = ci_wait_since_.try_emplace(id, now).first->second;
  return now - since >= options_.unreviewed_ci_wait;
}

proposal::Project Applier::ProjectOf(const jobs::Job& job, const repo::RepoConfig& config) {
  return {
      job.kind == "terraform" ? proposal::ProjectKind::kTerraform : proposal::ProjectKind::kArgoApp,
      job.project, proposal::EnvironmentOfPath(config, job.project + "/")};
}

Result<ApplyNote> Applier::Execute(const jobs::Job& job, ApplyNote note) {
  DATAMCP_ASSIGN_OR_RETURN(repo::RepoConfig config, proposals_.LoadConfig());
  if (job.pull_request == 0) return ExecuteUnreviewed(job, std::move(note), config);
  DATAMCP_ASSIGN_OR_RETURN(forge::PullRequest pr, forge_.GetPullRequest(job.pull_request));
  note.merged_by = pr.merged_by;
  DATAMCP_ASSIGN_OR_RETURN(auto log, repo_.Log(job.merge_sha, {}, 1));
  if (log.empty() || log[0].parents.empty()) {
    return Refuse(std::move(note), "the merge commit has no parent to plan against");
  }
  note.forced_merge = Trailer(log[0].message, "Datamcp-Forced-Merge");
  // The requester and tool come from the proposal's own commit trailers.
  if (auto head_log = repo_.Log(pr.head_sha, {}, 1); head_log.ok() && !head_log->empty()) {
    note.requester = Trailer((*head_log)[0].message, "Datamcp-Requested-By");
    note.tool = Trailer((*head_log)[0].message, "Datamcp-Tool");
  }
  proposal::Project project = ProjectOf(job, config);
  note.env = project.env;
  auto env = config.FindEnvironment(project.env);
  if (!env.ok()) {
    return Refuse(std::move(note), "no environment in datamcp.yaml owns " + job.project);
  }
  DATAMCP_ASSIGN_OR_RETURN(auto head_notes, repo_.ReadNotes(pr.head_sha));
  note.reviewed_fingerprint = proposal::RecordedFingerprint(head_notes, job.project);
  if (Status s = CheckRequirements(**env, config, pr, note); !s.ok()) {
    if (s.code() != StatusCode::kFailedPrecondition) return s;
    return Refuse(std::move(note), s.message());
  }
  return PlanAndApply(config, log[0].parents[0], project, **env, head_notes, std::move(note));
}

Result<ApplyNote> Applier::ExecuteUnreviewed(const jobs::Job& job, ApplyNote note,
                                             const repo::RepoConfig& config) {
  note.reviewed = false;
  DATAMCP_ASSIGN_OR_RETURN(auto log, repo_.Log(job.merge_sha, {}, 1));
  if (log.empty() || log[0].parents.empty()) {
    return Refuse(std::move(note), "the pushed commit has no parent to plan against");
  }
  note.requester = log[0].author.name;     // who wrote it
  note.merged_by = log[0].committer.name;  // who put it on the default branch
  proposal::Project project = ProjectOf(job, config);
  note.env = project.env;
  auto env = config.FindEnvironment(project.env);
  if (!env.ok()) {
    return Refuse(std::move(note), "no environment in datamcp.yaml owns " + job.project);
  }
  if (Status s = CheckUnreviewedRequirements(job, config); !s.ok()) {
    if (s.code() != StatusCode::kFailedPrecondition) return s;  // e.g. waiting for CI
    return Refuse(std::move(note), s.message());
  }
  return PlanAndApply(config, log[0].parents[0], project, **env, {}, std::move(note));
}

Result<ApplyNote> Applier::PlanAndApply(const repo::RepoConfig& config, const std::string& parent,
                                        const proposal::Project& project,
                                        const repo::Environment& env,
                                        const std::vector<std::string>& head_notes,
                                        ApplyNote note) {
  DATAMCP_ASSIGN_OR_RETURN(proposal::PlanRun run,
                           planner_.Plan(config, parent, note.merge_commit, {project}));
  const proposal::ProjectPlan& plan = run.plans.at(0);
  note.fingerprint = plan.fingerprint;
  if (plan.ok) note.changes = plan::ToJson(plan.changes);
  if (!plan.ok) {
    note.result = "failed";
    note.summary =
        note.reviewed ? "re-plan on the merge commit failed" : "plan on the pushed commit failed";
    note.detail = plan.error;
    return Record(note);
  }
  // An unreviewed push has no reviewed plan: `unreviewed_push: apply` accepts its own plan.
  if (note.reviewed &&
      (note.reviewed_fingerprint.empty() || note.reviewed_fingerprint != plan.fingerprint)) {
    note.result = "stale-plan";
    note.summary = note.reviewed_fingerprint.empty()
                       ? "no reviewed plan was recorded for the pull request's head"
                       : "the plan on the merge commit differs from the reviewed plan";
    note.detail = plan.text;
    return Record(note);
  }
  if (!PolicyAllowed(plan, note)) {
    note.result = "policy-denied";
    note.detail = plan.text;
    return Record(note);
  }
  if (!DestroyAllowed(plan, env, head_notes, note)) {
    note.result = "destroy-unconfirmed";
    note.detail = plan.text;
    return Record(note);
  }
  DATAMCP_RETURN_IF_ERROR(ApplyPlan(plan, env, note));
  return Record(note);
}

bool Applier::PolicyAllowed(const proposal::ProjectPlan& plan, ApplyNote& note) {
  const proposal::PolicyVerdict& v = plan.policy;
  if (v.denied.empty() && v.requirements.empty()) return true;
  note.policy = v.ToJson();
  std::string why;
  if (v.Denied()) {
    for (const auto& d : v.denied) why += (why.empty() ? "" : "; ") + d;
    why = "denied by the environment's plan policies: " + why;
  } else if (static_cast<int>(note.approvers.size()) < v.approvals) {
    for (const auto& r : v.requirements) why += (why.empty() ? "" : "; ") + r;
    why = "the environment's plan policies ask for " + std::to_string(v.approvals) +
          " approval(s) of this plan; it had " + std::to_string(note.approvers.size()) + " (" +
          why + ")";
  }
  log::Info("policy_gate", {{"project", plan.project.path},
                            {"merge_commit", note.merge_commit},
                            {"allowed", why.empty()},
                            {"why", why}});
  if (why.empty()) return true;
  note.summary = why;
  return false;
}

bool Applier::DestroyAllowed(const proposal::ProjectPlan& plan, const repo::Environment& env,
                             const std::vector<std::string>& head_notes, ApplyNote& note) {
  if (!plan.changes.Destructive()) return true;
  if (!note.reviewed) {
    note.destroy = {{"destructive", true}, {"allowed", false}};
    note.summary = "the pushed commit's plan " + plan.changes.DescribeDestroys(5) +
                   ": a destroy is never applied without review; propose it as a pull request";
    return false;
  }
  std::string n = std::to_string(note.pull_request);
  proposal::DestroyDecision d = proposal::DecideDestroy(
      plan.changes, plan.project.path, plan.fingerprint, static_cast<int>(note.approvers.size()),
      env.destroy_approvals, head_notes, note.pull_request,
      "`/datamcp confirm-destroy` or `datamcp review " + n + " --confirm-destroy` before merging");
  note.destroy = d.ToJson();
  if (!d.allowed) note.summary = d.why;
  log::Info("destroy_gate", {{"project", plan.project.path},
                             {"merge_commit", note.merge_commit},
                             {"allowed", d.allowed},
                             {"why", d.why}});
  return d.allowed;
}

Status Applier::ApplyPlan(const proposal::ProjectPlan& plan, const repo::Environment& env,
                          ApplyNote& note) {
  if (plan.project.kind == proposal::ProjectKind::kTerraform) {
    DATAMCP_ASSIGN_OR_RETURN(auto applied, planner_.ApplyTerraform(plan));
    note.result = applied.succeeded ? "applied" : "failed";
    // How it ended tells a failed resource (status 1) from a killed process (signal, 137).
    note.summary = applied.succeeded ? plan.summary : "terraform apply failed: " + applied.how;
    note.detail = applied.output;
    return Status::Ok();
  }
  if (!syncer_) {
    note.result = "skipped";
    note.summary = "Argo CD is not configured (argocd.url); the merge is recorded, nothing synced";
    return Status::Ok();
  }
  std::string app = env.argocd.app;
  if (auto manifest = repo_.ReadFile(note.merge_commit, plan.project.path); manifest.ok()) {
    try {
      app = YAML::Load(*manifest)["metadata"]["name"].as<std::string>(app);
    } catch (const YAML::Exception&) {
    }
  }
  DATAMCP_ASSIGN_OR_RETURN(SyncReport report,
                           syncer_->SyncAndWait(app, env.argocd.namespace_, note.merge_commit));
  note.result = report.succeeded ? "synced" : "sync-failed";
  note.summary = report.succeeded ? "Argo CD application " + app + " is Synced and Healthy"
                                  : "Argo CD sync of " + app + " failed: " + report.message;
  note.argocd = {{"app", app},
                 {"phase", report.phase},
                 {"health", report.health},
                 {"revision", report.revision}};
  return Status::Ok();
}

Result<ApplyNote> Applier::RecordInterrupted(const jobs::Job& job) {
  ApplyNote note = NoteFor(job);
  note.result = "interrupted";
  note.summary = "DataMCP stopped while this apply was running";
  note.started_at = job.updated_at;
  return RecordUnchecked(note);
}

Result<ApplyNote> Applier::Refuse(ApplyNote note, std::string why) {
  note.result = "refused";
  note.summary = std::move(why);
  return Record(std::move(note));
}

Result<ApplyNote> Applier::Record(ApplyNote note) {
  if (claim_check_) {
    const std::string id = jobs::JobId(note.merge_commit, note.project);
    Result<bool> held = claim_check_(id);
    if (!held.ok() || !*held) {
      return FailedPrecondition(
          "the outcome of job " + id + " (" + note.result + ") is not recorded: " +
          (held.ok() ? "this replica no longer holds its claim (another took the job over)"
                     : "its claim could not be confirmed: " + held.status().message()));
    }
  }
  return RecordUnchecked(std::move(note));
}

Result<ApplyNote> Applier::RecordUnchecked(ApplyNote note) {
  note.finished_at = clock_.UnixSeconds();
  DATAMCP_RETURN_IF_ERROR(repo_.AddNote(note.merge_commit, ToJson(note).dump()));
  bool good = note.result == "applied" || note.result == "synced" || note.result == "skipped";
  forge::CommitState state{
      good ? forge::CommitStateKind::kSuccess : forge::CommitStateKind::kFailure, "datamcp/apply",
      (note.reviewed ? "" : "unreviewed push, ") + note.project + ": " + note.result, ""};
  if (state.description.size() > 140) state.description.resize(140);
  Status status = forge_.SetCommitStatus(note.merge_commit, state);
  // An unreviewed push has no pull request to comment on: the status and the note tell.
  Status comment = note.pull_request == 0
                       ? Status::Ok()
                       : forge_
                             .UpsertBotComment(note.pull_request, CommentMarker(note.project),
                                               {CommentFor(note)})
                             .status();
  log::Info("apply_recorded", {{"project", note.project},
                               {"merge_commit", note.merge_commit},
                               {"pull_request", note.pull_request},
                               {"reviewed", note.reviewed},
                               {"result", note.result}});
  // The note is the record; forge updates are best effort once it is written.
  if (!status.ok()) log::Warn("apply_status_failed", {{"error", status.message()}});
  if (!comment.ok()) log::Warn("apply_comment_failed", {{"error", comment.message()}});
  return note;
}

}  // namespace datamcp::apply
