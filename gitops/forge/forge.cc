#include "gitops/forge/forge.h"

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

}  // namespace datamcp::forge
