#include "gitops/audit/audit_log.h"

#include <ctime>

#include "gitops/apply/apply_note.h"
#include "gitops/apply/unreviewed_push.h"
#include "gitops/proposal/plan_report.h"

namespace datamcp::audit {
namespace {

using nlohmann::json;

std::vector<json> ParseNotes(const std::vector<std::string>& notes) {
  std::vector<json> out;
  for (const auto& n : notes) {
    json j = json::parse(n, nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

ProjectRecord& RecordFor(AuditEntry& e, const std::string& project) {
  for (auto& r : e.projects) {
    if (r.project == project) return r;
  }
  e.projects.emplace_back();
  e.projects.back().project = project;
  return e.projects.back();
}

std::string Iso(long long t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
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
  auto notes = repo.ReadNotes(head);
  if (!notes.ok()) return;
  for (const auto& note : ParseNotes(*notes)) {
    if (note.value("type", "") != "plan") continue;
    for (const auto& p : note.value("projects", json::array())) {
      std::string path = p.value("project", "");
      ProjectRecord& r = RecordFor(e, path);
      r.planned_fingerprint = p.value("fingerprint", "");
    }
  }
}

// The plans and actions an `unreviewed-push` note recorded (older notes list projects only).
void ReadUnreviewedPush(const std::vector<json>& notes, AuditEntry& e) {
  for (const auto& note : notes) {
    if (note.value("type", "") != "unreviewed-push") continue;
    e.unreviewed = true;
    e.unreviewed_policy = note.value("policy", "");
    e.unreviewed_action = note.value("action", "");
    for (const auto& p : note.value("projects", json::array())) {
      if (p.is_string()) RecordFor(e, p.get<std::string>());
    }
    for (const auto& plan : note.value("plans", json::array())) {
      if (!plan.is_object()) continue;
      ProjectRecord& r = RecordFor(e, plan.value("project", ""));
      r.planned_fingerprint = plan.value("fingerprint", "");
      r.summary = plan.value("summary", "");
      r.action = plan.value("action", "");
      if (e.env.empty()) e.env = plan.value("env", "");
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

void ReadApplies(const std::vector<json>& notes, AuditEntry& e) {
  for (const auto& note : notes) {
    if (note.value("type", "") != "apply") continue;
    std::string path = note.value("project", "");
    ProjectRecord& r = RecordFor(e, path);
    r.result = note.value("result", "");
    r.summary = note.value("summary", "");
    r.fingerprint = note.value("fingerprint", "");
    if (!note.value("merged_by", "").empty()) e.merged_by = note.value("merged_by", "");
    if (e.env.empty()) e.env = note.value("env", "");
    for (const auto& a : note.value("approvers", json::array())) {
      if (std::find(e.approvers.begin(), e.approvers.end(), a) == e.approvers.end()) {
        e.approvers.push_back(a.get<std::string>());
      }
    }
  }
}

}  // namespace

Result<std::vector<AuditEntry>> ReadAuditLog(git::Repository& repo, const std::string& branch,
                                             const AuditFilter& filter) {
  DATAMCP_ASSIGN_OR_RETURN(std::string tip, repo.ResolveRef(branch));
  DATAMCP_ASSIGN_OR_RETURN(auto commits, repo.Log(tip, {}, filter.max_commits));
  std::vector<AuditEntry> out;
  for (const auto& c : commits) {
    if (filter.since && c.time < filter.since) break;  // first-parent history is ordered
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
      ReadUnreviewedPush(parsed, e);
      ReadApplies(parsed, e);
      MarkNotApplied(e);
    }
    if (e.merged_by.empty()) e.merged_by = apply::Trailer(c.message, "Datamcp-Merged-By");
    if (!filter.env.empty() && e.env != filter.env) continue;
    out.push_back(std::move(e));
  }
  return out;
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
    projects.push_back({{"project", p.project},
                        {"planned_fingerprint", p.planned_fingerprint},
                        {"result", p.result.empty() ? "pending" : p.result},
                        {"summary", p.summary},
                        {"fingerprint", p.fingerprint},
                        {"action", p.action}});
  }
  json unreviewed = nullptr;
  if (e.unreviewed) {
    unreviewed = {
        {"policy", e.unreviewed_policy}, {"action", e.unreviewed_action}, {"applied", e.Applied()}};
  }
  return {{"commit", e.commit},
          {"time", Iso(e.time)},
          {"pull_request", e.pull_request},
          {"title", e.title},
          {"requester", e.requester},
          {"tool", e.tool},
          {"env", e.env},
          {"request_id", e.request_id},
          {"merged_by", e.merged_by},
          {"approvers", e.approvers},
          {"projects", projects},
          {"unreviewed_push", unreviewed}};
}

std::string FormatText(const std::vector<AuditEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    out += Iso(e.time) + "  " + e.commit.substr(0, 12) + "  ";
    out += e.pull_request ? "#" + std::to_string(e.pull_request) : std::string("direct push");
    out += "  " + e.title + "\n";
    if (e.pull_request) {
      out += "  proposed by " + (e.requester.empty() ? "?" : e.requester) + " with " +
             (e.tool.empty() ? "?" : e.tool) + " in " + (e.env.empty() ? "?" : e.env) + "\n";
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
    }
  }
  return out.empty() ? "no changes recorded\n" : out;
}

}  // namespace datamcp::audit
