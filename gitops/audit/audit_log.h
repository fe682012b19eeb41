#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gitops/git/repository.h"

namespace datamcp::audit {

// What happened to one project of a merged change.
struct ProjectRecord {
  std::string project;
  std::string planned_fingerprint;  // from the plan note on the reviewed head
  std::string result;               // from the apply note on the merge commit; "" = pending
  std::string summary;
  std::string fingerprint;  // re-planned on the merge commit
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
  std::string merged_by;
  std::vector<std::string> approvers;
  std::vector<ProjectRecord> projects;
};

struct AuditFilter {
  long long since = 0;  // Unix seconds; 0: no limit
  std::string env;      // "" = every environment
  int max_commits = 1000;
};

// Newest first. Reads only the repository (the mirror as last fetched).
Result<std::vector<AuditEntry>> ReadAuditLog(git::Repository& repo, const std::string& branch,
                                             const AuditFilter& filter);

nlohmann::json ToJson(const AuditEntry& entry);
// proposed (who, tool) -> planned (fingerprint) -> approved -> merged -> applied, per entry.
std::string FormatText(const std::vector<AuditEntry>& entries);

}  // namespace datamcp::audit
