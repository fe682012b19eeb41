#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gitops/git/repository.h"

namespace datamcp::audit {

// What happened to one project of a merged change.
struct ProjectRecord {
  std::string project;
  // From the plan note on the reviewed head; for an unreviewed push, the plan made on the
  // pushed commit when it was recorded.
  std::string planned_fingerprint;
  // From the apply note on the merge commit; "" = pending; "not applied" for an unreviewed
  // push that was only recorded.
  std::string result;
  std::string summary;
  std::string fingerprint;  // re-planned on the merge commit
  std::string action;       // unreviewed push: what its note says is done ("queued for apply")
  // An interrupted apply a human settled with `datamcp resolve`: who, how (applied, failed,
  // retry), their message. Kept when a later record (the retry's outcome) follows.
  std::string resolved_by;
  std::string resolution;
  std::string resolution_message;
  // A destructive plan: what it deletes or replaces (plan::Classification::DescribeDestroys),
  // the newest destroy confirmation recorded for it (on the reviewed head, or the one the
  // apply went by: who, when, which fingerprint), and the destroy gate's verdict at apply.
  std::string destroys;
  std::string destroy_confirmed_by;
  long long destroy_confirmed_at = 0;
  std::string destroy_confirmed_fingerprint;
  std::string destroy_gate;  // the apply note's destroy.why
  // Approvals that did not count because they were given on another plan (the apply note's
  // stale_approvals): "carol (plan 0a1b2c3d4e5f)".
  std::vector<std::string> stale_approvals;
  // What its plan created, updated, deleted or replaced (Terraform addresses, rendered
  // objects' keys), sorted: from the reviewed plan and the apply's own plan.
  std::vector<std::string> resources;
};

// One change on the default branch, reconstructed from the repository alone: commit
// trailers (who asked, with which tool), plan notes (what was reviewed), apply notes
// (approvers, merger, result).
struct AuditEntry {
  std::string commit;  // the merge commit (or the direct push)
  long long time = 0;
  int pull_request = 0;  // 0: a direct push that did not come through a pull request
  std::string title;
  std::string requester;
  std::string tool;
  std::string env;
  std::string request_id;
  // The tool's arguments as recorded in the proposal's `request` note (masked; long strings
  // as their size and digest); null when none was recorded.
  nlohmann::json arguments = nullptr;
  // A rollback (propose_rollback): the merge commit it reverts and that pull request, from
  // its commit's Datamcp-Rollback-Of trailers; empty and 0 otherwise.
  std::string rollback_of;
  int rollback_of_pull_request = 0;
  std::string merged_by;
  std::vector<std::string> approvers;
  std::vector<ProjectRecord> projects;
  // A push that bypassed review and touched projects (its `unreviewed-push` note): the
  // repository's policy then, and what was done ("recorded, not applied", "queued for apply").
  bool unreviewed = false;
  std::string unreviewed_policy;
  std::string unreviewed_action;

  bool Applied() const;  // some project was applied or synced
};

struct AuditFilter {
  long long since = 0;  // Unix seconds; 0: no limit
  std::string env;      // "" = every environment
  int max_commits = 1000;
  // "" = every change; else only changes whose plan touched this resource: the address
  // itself, or one inside it ("module.net" matches "module.net.google_compute_network.x",
  // "aws_s3_bucket.b" matches "aws_s3_bucket.b[\"logs\"]", and a type "aws_s3_bucket" every
  // resource of that type outside modules).
  std::string resource;
  std::string path;  // "" = every commit; else only commits that changed it (a file or dir)
};

// Newest first. Reads only the repository (the mirror as last fetched).
Result<std::vector<AuditEntry>> ReadAuditLog(git::Repository& repo, const std::string& branch,
                                             const AuditFilter& filter);

// Whether `resources` holds `address` or one inside it (AuditFilter::resource).
bool TouchesResource(const std::vector<std::string>& resources, const std::string& address);

nlohmann::json ToJson(const AuditEntry& entry);
// proposed (who, tool) -> planned (fingerprint) -> approved -> merged -> applied, per entry.
std::string FormatText(const std::vector<AuditEntry>& entries);

}  // namespace datamcp::audit
