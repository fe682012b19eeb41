#include "bot/events/github_events.h"

#include <limits>

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"
#include "gitops/proposal/destroy_gate.h"
#include "gitops/proposal/lock_release.h"

namespace datamcp::bot {

using json_fields::Array;
using json_fields::Int;
using json_fields::Object;
using json_fields::String;
using nlohmann::json;

namespace {

// The "number" of a pull request or issue object; 0 when absent or not a valid number.
int PullNumber(const json& j) {
  const std::int64_t n = Int(j, "number");
  return n > 0 && n <= std::numeric_limits<int>::max() ? static_cast<int>(n) : 0;
}

}  // namespace

GithubEventHandler::GithubEventHandler(proposal::ProposalService& proposals, forge::Forge& forge,
                                       git::Repository& repo, jobs::LockTable& locks,
                                       apply::Reconciler& reconciler, std::string default_branch,
                                       const Clock& clock)
    : proposals_(proposals),
      forge_(forge),
      repo_(repo),
      locks_(locks),
      reconciler_(reconciler),
      default_branch_(std::move(default_branch)),
      clock_(clock) {}

Status GithubEventHandler::Handle(const queue::Delivery& d) {
  json payload = ParseJsonOrDiscarded(d.body);
  if (payload.is_discarded() || !payload.is_object()) {
    log::Warn("webhook_unreadable", {{"delivery", d.id}});
    return Status::Ok();  // retrying cannot make it readable
  }
  if (d.event == "pull_request") return OnPullRequest(d.action, payload);
  if (d.event == "issue_comment" && d.action == "created") return OnComment(payload);
  if (d.event == "check_run" && d.action == "rerequested") return OnCheckRun(payload);
  if (d.event == "workflow_run" && d.action == "completed") return OnWorkflowRun(payload);
  if (d.event == "push") {
    if (String(payload, "ref") == "refs/heads/" + default_branch_) reconciler_.Poke();
    return Status::Ok();
  }
  log::Info("webhook_ignored", {{"delivery", d.id}, {"event", d.event}, {"action", d.action}});
  return Status::Ok();
}

Status GithubEventHandler::Plan(int number) {
  auto outcome = proposals_.PlanPullRequest(number);
  if (outcome.ok()) return Status::Ok();
  const Status& s = outcome.status();
  // Closed, from a fork, or not planable: recorded on the pull request, nothing to retry.
  if (s.code() == StatusCode::kFailedPrecondition || s.code() == StatusCode::kInvalidArgument ||
      s.code() == StatusCode::kNotFound) {
    log::Info("plan_skipped", {{"pull_request", number}, {"reason", s.message()}});
    return Status::Ok();
  }
  return s;
}

Status GithubEventHandler::OnPullRequest(const std::string& action, const json& payload) {
  int number = PullNumber(payload);
  if (number <= 0) return Status::Ok();
  if (action == "opened" || action == "reopened" || action == "synchronize" ||
      action == "ready_for_review") {
    return Plan(number);
  }
  if (action == "closed") reconciler_.Poke();
  return Status::Ok();
}

Status GithubEventHandler::Unlock(int number) {
  return proposal::ReleaseHeldBy(locks_, proposals_, number).status();
}

// The bot's visible answer to a command: +1 accepted, -1 refused. Best effort: a reaction
// that fails is logged and the command goes on (deliveries recorded before comment.id was
// kept have no id and get no reaction).
void GithubEventHandler::Acknowledge(long long comment_id, int number, forge::Reaction reaction) {
  if (comment_id <= 0) return;
  if (Status s = forge_.AddCommentReaction(comment_id, reaction); !s.ok()) {
    log::Warn("comment_reaction_failed", {{"pull_request", number},
                                          {"comment", comment_id},
                                          {"reaction", forge::ReactionName(reaction)},
                                          {"error", s.message()}});
  }
}

Status GithubEventHandler::OnComment(const json& payload) {
  const json& issue = Object(payload, "issue");
  if (!issue.contains("pull_request")) return Status::Ok();  // a comment on an issue
  const json& comment = Object(payload, "comment");
  std::string body = String(comment, "body");
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
  if (body != "/datamcp plan" && body != "/datamcp unlock" && body != "/datamcp confirm-destroy") {
    return Status::Ok();
  }
  std::string user = String(Object(comment, "user"), "login");
  DATAMCP_ASSIGN_OR_RETURN(forge::Permission permission, forge_.GetPermission(user));
  int number = PullNumber(issue);
  long long comment_id = Int(comment, "id");
  if (permission != forge::Permission::kWrite && permission != forge::Permission::kAdmin) {
    Acknowledge(comment_id, number, forge::Reaction::kMinusOne);
    log::Warn("comment_command_refused",
              {{"user", user}, {"command", body}, {"pull_request", number}});
    return Status::Ok();
  }
  log::Info("comment_command", {{"user", user}, {"command", body}, {"pull_request", number}});
  if (body == "/datamcp confirm-destroy") {
    DATAMCP_ASSIGN_OR_RETURN(bool recorded, ConfirmDestroy(number, user));
    Acknowledge(comment_id, number,
                recorded ? forge::Reaction::kPlusOne : forge::Reaction::kMinusOne);
    return Status::Ok();
  }
  Acknowledge(comment_id, number, forge::Reaction::kPlusOne);
  return body == "/datamcp plan" ? Plan(number) : Unlock(number);
}

Result<bool> GithubEventHandler::ConfirmDestroy(int number, const std::string& user) {
  DATAMCP_ASSIGN_OR_RETURN(forge::PullRequest pr, forge_.GetPullRequest(number));
  std::string said;
  bool recorded = false;
  if (pr.state != forge::PullRequestState::kOpen) {
    said = "Not confirmed: pull request #" + std::to_string(number) +
           " is not open; a destroy is confirmed before the merge.";
  } else {
    auto record = proposal::ConfirmDestroy(repo_, number, pr.head_sha, user, "github-comment",
                                           clock_.UnixSeconds());
    if (!record.ok() && record.status().code() != StatusCode::kFailedPrecondition) {
      return record.status();
    }
    recorded = record.ok();
    if (!recorded) {
      said = "Not confirmed: " + record.status().message() + ".";
    } else {
      said =
          "Destroy confirmed by @" + user + " for the plan of `" + pr.head_sha.substr(0, 12) + "`:";
      for (const auto& p : json_fields::Array(*record, "projects")) {
        said += "\n- `" + String(p, "project") + "` plan `" +
                String(p, "fingerprint").substr(0, 12) + "`";
      }
      said +=
          "\n\nIt is applied after merge if the plan on the merge commit is the same. A "
          "new plan needs a new confirmation.";
    }
  }
  DATAMCP_RETURN_IF_ERROR(forge_
                              .UpsertBotComment(number, "datamcp:confirm-destroy",
                                                {"### DataMCP destroy "
                                                 "confirmation\n\n" +
                                                 said + "\n"})
                              .status());
  return recorded;
}

Status GithubEventHandler::OnCheckRun(const json& payload) {
  for (const auto& pr : Array(Object(payload, "check_run"), "pull_requests")) {
    DATAMCP_RETURN_IF_ERROR(Plan(PullNumber(pr)));
  }
  return Status::Ok();
}

Status GithubEventHandler::OnWorkflowRun(const json& payload) {
  const json& run = Object(payload, "workflow_run");
  std::string sha = String(run, "head_sha");
  if (sha.size() != 40) return Status::Ok();
  json note = {{"type", "ci"},
               {"workflow", String(run, "name")},
               {"conclusion", String(run, "conclusion")},
               {"run_id", Int(run, "id")},
               {"url", String(run, "html_url")}};
  if (Status s = repo_.Fetch(); !s.ok()) return s;
  if (!repo_.ResolveRef(sha).ok()) return Status::Ok();  // not in this repository
  return repo_.AddNote(sha, note.dump());
}

}  // namespace datamcp::bot
