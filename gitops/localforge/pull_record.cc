#include "gitops/localforge/pull_record.h"

#include <algorithm>
#include <map>

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
    reviews.push_back({{"user", r.user}, {"state", r.state}, {"body", r.body}, {"at", r.at}});
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

Result<PullRecord> PullRecordFromJson(const json& j) {
  if (!j.is_object() || !j.contains("number") || !j["number"].is_number_integer()) {
    return Internal("pull request record is not an object with a number");
  }
  PullRecord pr;
  auto str = [&](const char* key) { return j.value(key, std::string()); };
  pr.number = j["number"].get<int>();
  pr.title = str("title");
  pr.body = str("body");
  pr.head_ref = str("head_ref");
  pr.head_sha = str("head_sha");
  pr.base_ref = str("base_ref");
  pr.state = str("state");
  pr.merged = j.value("merged", false);
  pr.merge_commit_sha = str("merge_commit_sha");
  pr.author = str("author");
  pr.merged_by = str("merged_by");
  pr.closed_by = str("closed_by");
  pr.created_at = j.value("created_at", 0LL);
  pr.updated_at = j.value("updated_at", 0LL);
  for (const auto& r : j.value("reviews", json::array())) {
    pr.reviews.push_back(
        {r.value("user", ""), r.value("state", ""), r.value("body", ""), r.value("at", 0LL)});
  }
  for (const auto& c : j.value("comments", json::array())) {
    pr.comments.push_back(
        {c.value("id", 0LL), c.value("author", ""), c.value("body", ""), c.value("at", 0LL)});
  }
  for (const auto& s : j.value("statuses", json::array())) {
    pr.statuses.push_back({s.value("sha", ""), s.value("context", ""), s.value("state", ""),
                           s.value("description", "")});
  }
  return pr;
}

}  // namespace datamcp::localforge
