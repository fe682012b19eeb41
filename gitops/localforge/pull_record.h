#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::localforge {

// One review, comment or commit status on a local pull request.
struct Review {
  std::string user;
  std::string state;  // APPROVED | COMMENTED | CHANGES_REQUESTED
  std::string body;
  long long at = 0;  // Unix seconds
  // The head it was given on and, for an approval, the fingerprint of each project's plan
  // recorded there then (project -> fingerprint): what the approval is bound to. Empty in
  // records written before approvals were bound (the head then counts).
  std::string head_sha;
  std::map<std::string, std::string> fingerprints;
};

struct Comment {
  long long id = 0;
  std::string author;
  std::string body;
  long long at = 0;
};

struct CommitStatus {
  std::string sha;
  std::string context;  // e.g. datamcp/plan
  std::string state;    // pending | success | failure | error
  std::string description;
};

// A pull request of the local forge, stored as prs/<number>.json in the repository itself.
struct PullRecord {
  int number = 0;
  std::string title;
  std::string body;
  std::string head_ref;  // branch name, without refs/heads/
  std::string head_sha;  // open: the branch's tip as read (LocalPrStore follows the branch)
  std::string base_ref;
  std::string state = "open";  // open | closed
  bool merged = false;
  std::string merge_commit_sha;
  std::string author;
  std::string merged_by;
  std::string closed_by;  // login; set when closed without merging
  long long created_at = 0;
  long long updated_at = 0;
  std::vector<Review> reviews;
  std::vector<Comment> comments;
  std::vector<CommitStatus> statuses;

  // Users whose latest review is APPROVED.
  std::vector<std::string> Approvers() const;
};

nlohmann::json ToJson(const PullRecord& pr);
Result<PullRecord> PullRecordFromJson(const nlohmann::json& j);

}  // namespace datamcp::localforge
