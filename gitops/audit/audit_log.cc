#include "gitops/audit/audit_log.h"

#include <algorithm>
#include <cstdlib>

#include "gitops/apply/apply_note.h"
#include "gitops/apply/unreviewed_push.h"
#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/common/utc_time.h"
#include "gitops/plan/classification.h"
#include "gitops/proposal/destroy_gate.h"
#include "gitops/proposal/plan_report.h"
#include "gitops/proposal/request_record.h"
#include "gitops/proposal/rollback.h"

namespace datamcp::audit {
namespace {

using json_fields::Array;
using json_fields::String;
using nlohmann::json;

// The documents of a note that are objects. Each reader then takes only the records it
// knows, with json_fields: a field of the wrong type reads as absent, never as a throw.
std::vector<json> ParseNotes(const std::vector<std::string>& notes) {
  std::vector<json> out;
  for (const auto& n : notes) {
    json j = ParseJsonOrDiscarded(n);
    if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// Adds what a plan's `changes` record names to `resources`, keeping it sorted and unique.
void AddResources(const json& changes, std::vector<std::string>& resources) {
  plan::Classification c = plan::ClassificationFromJson(changes);
  for (const auto* list : {&c.created, &c.updated, &c.deleted, &c.replaced}) {
    resources.insert(resources.end(), list->begin(), list->end());
  }
  std::sort(resources.begin(), resources.end());
  resources.erase(std::unique(resources.begin(), resources.end()), resources.end());
}

// The request note of the proposal's commit; a refreshed proposal's head is a rebuilt commit
// (Datamcp-Refreshed-From names the one it replaced), so the chain is followed a few steps.
json RequestArguments(git::Repository& repo, std::string commit, std::string message) {
  for (int hop = 0; hop < 8 && !commit.empty(); ++hop) {
    auto notes = repo.ReadNotes(commit);
    if (notes.ok()) {
      json arguments = proposal::RecordedRequestArguments(*notes, commit);
      if (!arguments.is_null()) return arguments;
    }
    commit = apply::Trailer(message, "Datamcp-Refreshed-From");
    if (commit.empty()) break;
    auto log = repo.Log(commit, {}, 1);
    if (!log.ok() || log->empty()) break;
    message = (*log)[0].message;
  }
  return nullptr;
}

ProjectRecord& RecordFor(AuditEntry& e, const std::string& project) {
  for (auto& r : e.projects) {
    if (r.project == project) return r;
  }
  e.projects.emplace_back();
  e.projects.back().project = project;
  return e.projects.back();
}

// A destroy confirmation on the head (proposal::ConfirmDestroy), for the projects it names.
void ReadConfirmation(const json& note, AuditEntry& e) {
  if (String(note, "by").empty() || json_fields::Int(note, "pull_request") != e.pull_request) {
    return;
  }
  for (const auto& p : Array(note, "projects")) {
    std::string path = String(p, "project");
    if (path.empty()) continue;
    ProjectRecord& r = RecordFor(e, path);
    r.destroy_confirmed_by = String(note, "by");
    r.destroy_confirmed_at = json_fields::Int(note, "at");
    r.destroy_confirmed_fingerprint = String(p, "fingerprint");
  }
}

// Fills the proposal side (trailers, plan notes) from the pull request's head commit.
void ReadProposal(git::Repository& repo, const std::string& head, AuditEntry& e) {
  auto log = repo.Log(head, {}, 1);
  if (!log.ok() || log->empty()) return;
  const std::string& message = (*log)[0].message;
  e.title = FirstLine(message);
  e.requester = apply::Trailer(message, "Datamcp-Requested-By");
  e.tool = apply::Trailer(message, "Datamcp-Tool");
  e.env = apply::Trailer(message, "Datamcp-Env");
  e.request_id = apply::Trailer(message, "Datamcp-Request-Id");
  e.arguments = RequestArguments(repo, head, message);
  e.rollback_of = apply::Trailer(message, proposal::kRollbackOfTrailer);
  std::string of_pr = apply::Trailer(message, proposal::kRollbackOfPullRequestTrailer);
  if (!e.rollback_of.empty()) e.rollback_of_pull_request = std::atoi(of_pr.c_str());
  auto notes = repo.ReadNotes(head);
  if (!notes.ok()) return;
  for (const auto& note : ParseNotes(*notes)) {
    if (String(note, "type") == proposal::kDestroyConfirmationType) {
      ReadConfirmation(note, e);
      continue;
    }
    if (String(note, "type") != "plan") continue;
    for (const auto& p : Array(note, "projects")) {
      std::string path = String(p, "project");
      if (path.empty() || !json_fields::HasString(p, "fingerprint")) continue;  // not ours
      ProjectRecord& r = RecordFor(e, path);
      r.planned_fingerprint = String(p, "fingerprint");
      r.destroys =
          plan::ClassificationFromJson(json_fields::Object(p, "changes")).DescribeDestroys();
      AddResources(json_fields::Object(p, "changes"), r.resources);
    }
  }
}

// The plans and actions the `unreviewed-push` record of the commit holds (older records list
// projects only). The same record the reconciler goes by (apply::IsUnreviewedPushRecord).
void ReadUnreviewedPush(const std::vector<json>& notes, const std::string& commit, AuditEntry& e) {
  for (const auto& note : notes) {
    if (!apply::IsUnreviewedPushRecord(note, commit)) continue;
    e.unreviewed = true;
    e.unreviewed_policy = String(note, "policy");
    e.unreviewed_action = String(note, "action");
    for (const auto& p : Array(note, "projects")) {
      if (p.is_string() && !p.get<std::string>().empty()) RecordFor(e, p.get<std::string>());
    }
    for (const auto& plan : Array(note, "plans")) {
      std::string path = String(plan, "project");
      if (path.empty()) continue;
      ProjectRecord& r = RecordFor(e, path);
      r.planned_fingerprint = String(plan, "fingerprint");
      r.summary = String(plan, "summary");
      r.action = String(plan, "action");
      if (e.env.empty()) e.env = String(plan, "env");
    }
    return;
  }
}

// Projects of an unreviewed push that were only recorded will never get an apply note.
void MarkNotApplied(AuditEntry& e) {
  if (!e.unreviewed) return;
  for (auto& r : e.projects) {
    if (r.result.empty() && r.action != apply::kUnreviewedQueued) r.result = "not applied";
  }
}

// The apply records of the commit: the ones the reconciler counts (apply::IsApplyRecord),
// so the log never shows as applied what the reconciler would apply again.
void ReadApplies(const std::vector<json>& notes, const std::string& commit, AuditEntry& e) {
  for (const auto& note : notes) {
    if (!apply::IsApplyRecord(note, commit)) continue;
    ProjectRecord& r = RecordFor(e, String(note, "project"));
    r.result = String(note, "result");
    r.summary = String(note, "summary");
    r.fingerprint = String(note, "fingerprint");
    if (auto res = note.find("resolution"); res != note.end() && res->is_object()) {
      r.resolved_by = String(*res, "by");
      r.resolution = String(*res, "how");
      r.resolution_message = String(*res, "message");
    }
    if (auto changes = note.find("changes"); changes != note.end() && changes->is_object()) {
      r.destroys = plan::ClassificationFromJson(*changes).DescribeDestroys();
      AddResources(*changes, r.resources);
    }
    const json& destroy = json_fields::Object(note, "destroy");
    r.destroy_gate = String(destroy, "why");
    if (const json& c = json_fields::Object(destroy, "confirmation"); !String(c, "by").empty()) {
      r.destroy_confirmed_by = String(c, "by");
      r.destroy_confirmed_at = json_fields::Int(c, "at");
      r.destroy_confirmed_fingerprint = String(c, "fingerprint");
    }
    r.stale_approvals.clear();
    for (const auto& a : Array(note, "stale_approvals")) {
      if (String(a, "user").empty()) continue;
      std::string fingerprint = String(a, "fingerprint");
      r.stale_approvals.push_back(String(a, "user") + " (plan " +
                                  (fingerprint.empty() ? "none" : fingerprint.substr(0, 12)) + ")");
    }
    if (std::string by = String(note, "merged_by"); !by.empty()) e.merged_by = by;
    if (e.env.empty()) e.env = String(note, "env");
    for (const auto& a : Array(note, "approvers")) {
      if (!a.is_string()) continue;
      std::string name = a.get<std::string>();
      if (std::find(e.approvers.begin(), e.approvers.end(), name) == e.approvers.end()) {
        e.approvers.push_back(std::move(name));
      }
    }
  }
}

}  // namespace

Result<std::vector<AuditEntry>> ReadAuditLog(git::Repository& repo, const std::string& branch,
                                             const AuditFilter& filter) {
  DATAMCP_ASSIGN_OR_RETURN(std::string tip, repo.ResolveRef(branch));
  std::vector<std::string> paths;
  if (!filter.path.empty()) paths.push_back(filter.path);
  DATAMCP_ASSIGN_OR_RETURN(auto commits, repo.Log(tip, paths, filter.max_commits));
  std::vector<AuditEntry> out;
  for (const auto& c : commits) {
    // Not a stop: commit times are what each committer's wall clock said, and a clock that
    // stepped back leaves an older time above newer ones in history.
    if (filter.since && c.time < filter.since) continue;
    AuditEntry e;
    e.commit = c.oid;
    e.time = c.time;
    e.pull_request = apply::PullRequestOfMerge(c.message);
    e.title = FirstLine(c.message);
    if (e.pull_request && c.parents.size() > 1) ReadProposal(repo, c.parents[1], e);
    if (!e.pull_request) {
      e.requester = c.author.name;
      e.merged_by = c.committer.name;
    }
    auto notes = repo.ReadNotes(c.oid);
    if (notes.ok()) {
      auto parsed = ParseNotes(*notes);
      ReadUnreviewedPush(parsed, c.oid, e);
      ReadApplies(parsed, c.oid, e);
      MarkNotApplied(e);
    }
    if (e.merged_by.empty()) e.merged_by = apply::Trailer(c.message, "Datamcp-Merged-By");
    if (!filter.env.empty() && e.env != filter.env) continue;
    if (!filter.resource.empty() &&
        std::none_of(e.projects.begin(), e.projects.end(), [&](const ProjectRecord& p) {
          return TouchesResource(p.resources, filter.resource);
        })) {
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

bool TouchesResource(const std::vector<std::string>& resources, const std::string& address) {
  return std::any_of(resources.begin(), resources.end(), [&](const std::string& r) {
    return r == address || (r.size() > address.size() && r.starts_with(address) &&
                            (r[address.size()] == '.' || r[address.size()] == '['));
  });
}

bool AuditEntry::Applied() const {
  for (const auto& p : projects) {
    if (p.result == "applied" || p.result == "synced") return true;
  }
  return false;
}

json ToJson(const AuditEntry& e) {
  json projects = json::array();
  for (const auto& p : e.projects) {
    projects.push_back(
        {{"project", p.project},
         {"planned_fingerprint", p.planned_fingerprint},
         {"result", p.result.empty() ? "pending" : p.result},
         {"summary", p.summary},
         {"fingerprint", p.fingerprint},
         {"action", p.action},
         {"resolution", p.resolved_by.empty() ? json(nullptr)
                                              : json{{"by", p.resolved_by},
                                                     {"how", p.resolution},
                                                     {"message", p.resolution_message}}},
         {"destroys", p.destroys},
         {"destroy_gate", p.destroy_gate},
         {"stale_approvals", p.stale_approvals},
         {"resources", p.resources},
         {"destroy_confirmation", p.destroy_confirmed_by.empty()
                                      ? json(nullptr)
                                      : json{{"by", p.destroy_confirmed_by},
                                             {"at", FormatUtcIso8601(p.destroy_confirmed_at)},
                                             {"fingerprint", p.destroy_confirmed_fingerprint}}}});
  }
  json unreviewed = nullptr;
  if (e.unreviewed) {
    unreviewed = {
        {"policy", e.unreviewed_policy}, {"action", e.unreviewed_action}, {"applied", e.Applied()}};
  }
  return {{"commit", e.commit},
          {"time", FormatUtcIso8601(e.time)},
          {"pull_request", e.pull_request},
          {"title", e.title},
          {"requester", e.requester},
          {"tool", e.tool},
          {"env", e.env},
          {"request_id", e.request_id},
          {"arguments", e.arguments},
          {"rollback_of",
           e.rollback_of.empty()
               ? json(nullptr)
               : json{{"commit", e.rollback_of}, {"pull_request", e.rollback_of_pull_request}}},
          {"merged_by", e.merged_by},
          {"approvers", e.approvers},
          {"projects", projects},
          {"unreviewed_push", unreviewed}};
}

std::string FormatText(const std::vector<AuditEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    out += FormatUtcIso8601(e.time) + "  " + e.commit.substr(0, 12) + "  ";
    out += e.pull_request ? "#" + std::to_string(e.pull_request) : std::string("direct push");
    out += "  " + e.title + "\n";
    if (e.pull_request) {
      out += "  proposed by " + (e.requester.empty() ? "?" : e.requester) + " with " +
             (e.tool.empty() ? "?" : e.tool) + " in " + (e.env.empty() ? "?" : e.env) + "\n";
      if (!e.rollback_of.empty()) {
        out += "  rolls back #" + std::to_string(e.rollback_of_pull_request) + " (merge " +
               e.rollback_of.substr(0, 12) + ")\n";
      }
      if (e.arguments.is_object() && !e.arguments.empty()) {
        out += "  arguments: " + e.arguments.dump(-1, ' ', false, json::error_handler_t::replace) +
               "\n";
      }
      std::string approvers;
      for (const auto& a : e.approvers) approvers += (approvers.empty() ? "" : ", ") + a;
      out += "  approved by " + (approvers.empty() ? "-" : approvers) + "; merged by " +
             (e.merged_by.empty() ? "?" : e.merged_by) + "\n";
    } else if (e.unreviewed) {
      out += "  pushed by " + e.requester + " (not reviewed through a pull request; policy " +
             e.unreviewed_policy + ": " + (e.Applied() ? "applied" : e.unreviewed_action) + ")\n";
    } else {
      out += "  pushed by " + e.requester + " (not reviewed through a pull request)\n";
    }
    for (const auto& p : e.projects) {
      out += "  " + p.project + ": planned " +
             (p.planned_fingerprint.empty() ? "-" : p.planned_fingerprint.substr(0, 12)) + " -> " +
             (p.result.empty() ? "pending" : p.result) +
             (p.summary.empty() ? "" : " (" + p.summary + ")") + "\n";
      if (!p.resources.empty()) {
        std::string names;
        for (std::size_t i = 0; i < p.resources.size() && i < 20; ++i) {
          names += (i ? ", " : "") + p.resources[i];
        }
        if (p.resources.size() > 20) {
          names += " and " + std::to_string(p.resources.size() - 20) + " more";
        }
        out += "    changes: " + names + "\n";
      }
      if (!p.destroys.empty()) out += "    destructive: " + p.destroys + "\n";
      if (!p.destroy_confirmed_by.empty()) {
        out += "    destroy confirmed by " + p.destroy_confirmed_by + " at " +
               FormatUtcIso8601(p.destroy_confirmed_at) + " for plan " +
               p.destroy_confirmed_fingerprint.substr(0, 12) + "\n";
      } else if (!p.destroy_gate.empty()) {
        out += "    destroy gate: " + p.destroy_gate + "\n";
      }
      if (!p.stale_approvals.empty()) {
        std::string stale;
        for (const auto& a : p.stale_approvals) stale += (stale.empty() ? "" : ", ") + a;
        out += "    stale approvals (given on another plan, not counted): " + stale + "\n";
      }
      if (!p.resolved_by.empty()) {
        out += "    interrupted, resolved by " + p.resolved_by + ": " + p.resolution +
               (p.resolution_message.empty() ? "" : " (" + p.resolution_message + ")") + "\n";
      }
    }
  }
  return out.empty() ? "no changes recorded\n" : out;
}

}  // namespace datamcp::audit
