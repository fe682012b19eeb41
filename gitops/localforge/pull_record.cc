#include "gitops/localforge/pull_record.h"

#include <algorithm>
#include <limits>
#include <map>

#include "gitops/common/json_fields.h"

namespace datamcp::localforge {

using nlohmann::json;

std::vector<std::string> PullRecord::Approvers() const {
  std::map<std::string, std::string> latest;
  for (const auto& r : reviews) {
    if (r.state != "COMMENTED") latest[r.user] = r.state;
  }
  std::vector<std::string> out;
  for (const auto& [user, state] : latest) {
    if (state == "APPROVED") out.push_back(user);
  }
  return out;
}

json ToJson(const PullRecord& pr) {
  json reviews = json::array(), comments = json::array(), statuses = json::array();
  for (const auto& r : pr.reviews) {
    json review = {{"user", r.user}, {"state", r.state}, {"body", r.body}, {"at", r.at}};
    if (!r.head_sha.empty()) review["head_sha"] = r.head_sha;
    if (!r.fingerprints.empty()) review["fingerprints"] = r.fingerprints;
    reviews.push_back(std::move(review));
  }
  for (const auto& c : pr.comments) {
    comments.push_back({{"id", c.id}, {"author", c.author}, {"body", c.body}, {"at", c.at}});
  }
  for (const auto& s : pr.statuses) {
    statuses.push_back({{"sha", s.sha},
                        {"context", s.context},
                        {"state", s.state},
                        {"description", s.description}});
  }
  return {{"number", pr.number},
          {"title", pr.title},
          {"body", pr.body},
          {"head_ref", pr.head_ref},
          {"head_sha", pr.head_sha},
          {"base_ref", pr.base_ref},
          {"state", pr.state},
          {"merged", pr.merged},
          {"merge_commit_sha", pr.merge_commit_sha},
          {"author", pr.author},
          {"merged_by", pr.merged_by},
          {"closed_by", pr.closed_by},
          {"created_at", pr.created_at},
          {"updated_at", pr.updated_at},
          {"reviews", reviews},
          {"comments", comments},
          {"statuses", statuses}};
}

// Records live in the repository, where anyone with push access can change them: a field of
// the wrong type reads as absent (json_fields) instead of throwing.
Result<PullRecord> PullRecordFromJson(const json& j) {
  using namespace json_fields;
  const std::int64_t number = Int(j, "number", -1);
  if (number <= 0 || number > std::numeric_limits<int>::max()) {
    return Internal("pull request record is not an object with a positive number");
  }
  PullRecord pr;
  pr.number = static_cast<int>(number);
  pr.title = String(j, "title");
  pr.body = String(j, "body");
  pr.head_ref = String(j, "head_ref");
  pr.head_sha = String(j, "head_sha");
  pr.base_ref = String(j, "base_ref");
  pr.state = String(j, "state");
  pr.merged = Bool(j, "merged");
  pr.merge_commit_sha = String(j, "merge_commit_sha");
  pr.author = String(j, "author");
  pr.merged_by = String(j, "merged_by");
  pr.closed_by = String(j, "closed_by");
  pr.created_at = Int(j, "created_at");
  pr.updated_at = Int(j, "updated_at");
  for (const auto& r : Array(j, "reviews")) {
    Review review{String(r, "user"), String(r, "state"),    String(r, "body"),
                  Int(r, "at"),      String(r, "head_sha"), {}};
    for (const auto& [project, fingerprint] : Object(r, "fingerprints").items()) {
      if (fingerprint.is_string()) review.fingerprints[project] = fingerprint.get<std::string>();
    }
    pr.reviews.push_back(std::move(review));
  }
  for (const auto& c : Array(j, "comments")) {
    pr.comments.push_back({Int(c, "id"), String(c, "author"), String(c, "body"), Int(c, "at")});
  }
  for (const auto& s : Array(j, "statuses")) {
    pr.statuses.push_back(
        {String(s, "sha"), String(s, "context"), String(s, "state"), String(s, "description")});
  }
  return pr;
}

}  // namespace datamcp::localforge
