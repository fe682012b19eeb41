#include "gitops/forge/forge.h"

#include <algorithm>

namespace datamcp::forge {

std::string_view PermissionName(Permission p) {
  switch (p) {
    case Permission::kNone:
      return "none";
    case Permission::kRead:
      return "read";
    case Permission::kWrite:
      return "write";
    case Permission::kAdmin:
      return "admin";
  }
  return "none";
}

std::string_view ReviewStateName(ReviewState s) {
  switch (s) {
    case ReviewState::kApproved:
      return "APPROVED";
    case ReviewState::kChangesRequested:
      return "CHANGES_REQUESTED";
    case ReviewState::kCommented:
      return "COMMENTED";
    case ReviewState::kDismissed:
      return "DISMISSED";
    case ReviewState::kPending:
      return "PENDING";
  }
  return "COMMENTED";
}

std::string_view CommitStateKindName(CommitStateKind k) {
  switch (k) {
    case CommitStateKind::kPending:
      return "pending";
    case CommitStateKind::kSuccess:
      return "success";
    case CommitStateKind::kFailure:
      return "failure";
    case CommitStateKind::kError:
      return "error";
  }
  return "error";
}

std::string_view ReactionName(Reaction r) {
  switch (r) {
    case Reaction::kPlusOne:
      return "+1";
    case Reaction::kMinusOne:
      return "-1";
  }
  return "+1";
}

std::string_view CheckConclusionName(CheckConclusion c) {
  switch (c) {
    case CheckConclusion::kSuccess:
      return "success";
    case CheckConclusion::kFailure:
      return "failure";
    case CheckConclusion::kNeutral:
      return "neutral";
  }
  return "neutral";
}

Status CheckDriftReport(const DriftReport& report) {
  if (report.project.empty() || report.environment.empty()) {
    return InvalidArgument("a drift report needs a project and an environment");
  }
  bool hex = report.commit.size() == 40 &&
             std::all_of(report.commit.begin(), report.commit.end(),
                         [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!hex) {
    return InvalidArgument("drift report of '" + report.project +
                           "': the commit must be 40 hex digits, not '" + report.commit + "'");
  }
  if (report.resources.empty()) {
    return InvalidArgument("drift report of '" + report.project +
                           "' lists no resource; a check without drift resolves the report");
  }
  for (const auto& r : report.resources) {
    if (r.address.empty() || r.action.empty()) {
      return InvalidArgument("drift report of '" + report.project +
                             "': every resource needs an address and an action");
    }
  }
  return Status::Ok();
}

}  // namespace datamcp::forge
