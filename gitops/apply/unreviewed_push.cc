#include "gitops/apply/unreviewed_push.h"

#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/log.h"

namespace datamcp::apply {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxErrorBytes = 2000;

std::string Clip(const std::string& text) {
  return text.size() <= kMaxErrorBytes ? text : text.substr(0, kMaxErrorBytes) + "…";
}

json Entry(const proposal::Project& p) {
  return {{"project", p.path}, {"kind", std::string(proposal::ProjectKindName(p.kind))},
          {"env", p.env},      {"ok", false},
          {"summary", ""},     {"fingerprint", ""},
          {"error", ""}};
}

std::vector<proposal::Project> QueuedIn(const json& note,
                                        const std::vector<proposal::Project>& projects) {
  std::vector<proposal::Project> out;
  for (const auto& entry : json_fields::Array(note, "plans")) {
    if (json_fields::String(entry, "action") != kUnreviewedQueued) continue;
    for (const auto& p : projects) {
      if (p.path == json_fields::String(entry, "project")) out.push_back(p);
    }
  }
  return out;
}

std::string Action(std::size_t queued, std::size_t total) {
  if (queued == 0) return std::string(kUnreviewedNotApplied);
  if (queued == total) return std::string(kUnreviewedQueued);
  return std::string(kUnreviewedQueued) + ": " + std::to_string(queued) + " of " +
         std::to_string(total) + " projects (see plans)";
}

}  // namespace

bool IsUnreviewedPushRecord(const json& note, const std::string& commit) {
  using namespace json_fields;
  return String(note, "type") == "unreviewed-push" && !commit.empty() &&
         String(note, "commit") == commit && HasArray(note, "projects") &&
         !String(note, "action").empty();
}

std::optional<json> FindUnreviewedPushNote(const std::vector<std::string>& notes,
                                           const std::string& commit) {
  for (const auto& text : notes) {
    json note = ParseJsonOrDiscarded(text);
    if (IsUnreviewedPushRecord(note, commit)) return note;
  }
  return std::nullopt;
}

UnreviewedPushRecorder::UnreviewedPushRecorder(git::Repository& repo, forge::Forge& forge,
                                               proposal::PlanService& planner)
    : repo_(repo), forge_(forge), planner_(planner) {}

std::map<std::string, json> UnreviewedPushRecorder::Plan(
    const repo::RepoConfig& config, const git::CommitInfo& commit,
    const std::vector<proposal::Project>& projects) {
  std::map<std::string, json> out;
  if (projects.empty()) return out;
  auto run = planner_.Plan(config, commit.parents[0], commit.oid, projects);
  for (std::size_t i = 0; i < projects.size(); ++i) {
    json entry = Entry(projects[i]);
    if (!run.ok()) {  // the commit could not be exported: recorded, not retried
      entry["summary"] = "plan failed";
      entry["error"] = Clip(run.status().message());
    } else {
      const proposal::ProjectPlan& plan = run->plans.at(i);
      entry["ok"] = plan.ok;
      entry["summary"] = plan.summary;
      entry["fingerprint"] = plan.fingerprint;
      entry["error"] = Clip(plan.error);
    }
    out[projects[i].path] = std::move(entry);
  }
  return out;
}

json UnreviewedPushRecorder::Decide(const repo::RepoConfig& config, const git::CommitInfo& commit,
                                    const std::vector<proposal::Project>& projects,
                                    const std::map<std::string, std::string>& newer) {
  std::vector<proposal::Project> current;
  for (const auto& p : projects) {
    if (!newer.contains(p.path)) current.push_back(p);
  }
  auto planned = Plan(config, commit, current);
  bool apply = config.unreviewed_push == repo::UnreviewedPushPolicy::kApply;
  json plans = json::array();
  for (const auto& p : projects) {
    json entry = planned.contains(p.path) ? planned[p.path] : Entry(p);
    if (auto it = newer.find(p.path); it != newer.end()) {
      entry["action"] = "superseded by " + it->second.substr(0, 12) + ", not planned or applied";
    } else if (!entry["ok"].get<bool>()) {
      entry["action"] = "plan failed, not applied";
    } else {
      entry["action"] = apply ? kUnreviewedQueued : kUnreviewedNotApplied;
    }
    plans.push_back(std::move(entry));
  }
  return plans;
}

Result<std::vector<proposal::Project>> UnreviewedPushRecorder::Record(
    const repo::RepoConfig& config, const git::CommitInfo& commit,
    const std::vector<proposal::Project>& projects, const std::map<std::string, std::string>& newer,
    const std::vector<std::string>& notes) {
  if (auto recorded = FindUnreviewedPushNote(notes, commit.oid)) {
    return QueuedIn(*recorded, projects);
  }
  json plans = Decide(config, commit, projects, newer);
  json list = json::array();
  for (const auto& p : projects) list.push_back(p.path);
  auto queued = QueuedIn({{"plans", plans}}, projects);
  json note = {{"type", "unreviewed-push"},
               {"commit", commit.oid},
               {"author", commit.author.name},
               {"committer", commit.committer.name},
               {"projects", list},
               {"policy", std::string(repo::UnreviewedPushPolicyName(config.unreviewed_push))},
               {"reviewed", false},
               {"action", Action(queued.size(), projects.size())},
               {"plans", plans}};
  log::Warn("unreviewed_push", {{"commit", commit.oid},
                                {"author", commit.author.name},
                                {"projects", list},
                                {"policy", note["policy"]},
                                {"action", note["action"]}});
  DATAMCP_RETURN_IF_ERROR(repo_.AddNote(commit.oid, note.dump()));
  SetStatus(commit.oid, !queued.empty());
  return queued;
}

void UnreviewedPushRecorder::SetStatus(const std::string& commit, bool queued) {
  forge::CommitState state{
      queued ? forge::CommitStateKind::kPending : forge::CommitStateKind::kFailure, "datamcp/apply",
      queued ? "unreviewed push: queued for apply" : "unreviewed push: not applied", ""};
  // The note is the record; the status is the alert where people look.
  if (Status s = forge_.SetCommitStatus(commit, state); !s.ok()) {
    log::Warn("unreviewed_push_status_failed", {{"commit", commit}, {"error", s.message()}});
  }
}

}  // namespace datamcp::apply
