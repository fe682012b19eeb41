#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitops/common/result.h"

// The forge: where pull requests, their comments, reviews and commit statuses live.
// One interface, two implementations: GithubForge (REST API) and LocalForge (records the bot
// keeps in the repository itself). Everything here is forge-neutral: no GitHub JSON leaks out.
namespace datamcp::forge {

enum class PullRequestState { kOpen, kClosed };

struct PullRequest {
  int number = 0;
  std::string title;
  std::string body;
  std::string head_ref;  // branch name, without refs/heads/
  std::string head_sha;
  std::string base_ref;  // branch name, without refs/heads/
  PullRequestState state = PullRequestState::kOpen;
  bool merged = false;
  std::string merge_commit_sha;   // the commit on base_ref; empty unless merged
  std::optional<bool> mergeable;  // unset while the forge is still computing it
  std::string author;             // login of whoever opened it
  std::string merged_by;          // login; empty unless merged
  bool from_fork = false;         // head lives in another repository (untrusted code)
  std::string html_url;           // where a human can see it
};

enum class ReviewState { kApproved, kChangesRequested, kCommented, kDismissed, kPending };

struct Review {
  std::string user;
  ReviewState state = ReviewState::kCommented;
  std::string commit_sha;      // the head commit the review was given on
  long long submitted_at = 0;  // Unix seconds; 0 when the forge did not say
  // project -> plan fingerprint the forge recorded with the review (the local forge does;
  // GitHub does not): what proposal::BindApprovals binds the approval to first.
  std::map<std::string, std::string> fingerprints;
};

enum class CommitStateKind { kPending, kSuccess, kFailure, kError };

// A status on a commit, shown next to the pull request ("checks").
struct CommitState {
  CommitStateKind state = CommitStateKind::kPending;
  std::string context = "datamcp/plan";
  std::string description;  // one line; forges truncate it (GitHub: 140 characters)
  std::string target_url;   // optional link to details
};

// A check run's outcome: kFailure for a failed or policy-denied plan, kNeutral for a plan
// that may not proceed for another reason (e.g. its project is locked by another proposal).
enum class CheckConclusion { kSuccess, kFailure, kNeutral };

// A named check on a commit with a report ("check run" on GitHub): one per project of a plan.
struct CheckRun {
  std::string name;  // stable per project: re-reporting under the same name updates it
  CheckConclusion conclusion = CheckConclusion::kNeutral;
  std::string title;    // one line
  std::string summary;  // markdown, at most kMaxCheckOutputBytes; never cut
  std::string text;     // plain text shown verbatim (the plan); cut to fit, saying so
};

// GitHub's cap on each check run output field (characters; we count bytes, never fewer).
inline constexpr std::size_t kMaxCheckOutputBytes = 65535;

// One resource a drift check found different from the code: its address and the action a
// plan would take to bring it back (create, update, delete, replace).
struct DriftedAddress {
  std::string address;
  std::string action;
  bool operator==(const DriftedAddress&) const = default;
};

// What the forge shows operators about one project's drift: a GitHub issue, a local record.
// One report per project (the key); it stays open while the project drifts.
struct DriftReport {
  std::string project;      // the Terraform root, e.g. infra/terraform/envs/dev
  std::string environment;  // e.g. dev
  std::string commit;       // the default branch's tip the check planned (40 hex digits)
  std::vector<DriftedAddress> resources;  // not empty; sorted by address
  long long checked_at = 0;               // Unix seconds
};

enum class Permission { kNone, kRead, kWrite, kAdmin };

// A reaction on a comment: how the bot acknowledges a command it accepted or refused.
enum class Reaction { kPlusOne, kMinusOne };

struct PullRequestFile {
  std::string path;
  std::string previous_path;  // set for renames
  std::string status;         // added | modified | removed | renamed | copied | changed
};

// What to open: a pull request from head_ref into base_ref.
struct PullRequestDraft {
  std::string head_ref;
  std::string base_ref;
  std::string title;
  std::string body;
};

struct OpenedPullRequest {
  PullRequest pull_request;
  bool created = false;  // false: an open pull request for head_ref -> base_ref was reused
};

// Marker identifying the bot's plan comment on a pull request.
inline constexpr std::string_view kPlanCommentMarker = "datamcp:plan";
// The largest comment GitHub accepts (characters; we count bytes, which is never fewer).
inline constexpr std::size_t kMaxCommentBytes = 65536;
// Room a forge keeps for its hidden marker line in each comment.
inline constexpr std::size_t kCommentMarkerReserve = 256;
// The largest part a caller may pass to UpsertBotComment.
inline constexpr std::size_t kMaxCommentPartBytes = kMaxCommentBytes - kCommentMarkerReserve;

std::string_view PermissionName(Permission p);            // "none" | "read" | "write" | "admin"
std::string_view ReviewStateName(ReviewState s);          // "APPROVED", "CHANGES_REQUESTED", ...
std::string_view CommitStateKindName(CommitStateKind k);  // "pending" | "success" | ...
std::string_view ReactionName(Reaction r);                // "+1" | "-1"
std::string_view CheckConclusionName(CheckConclusion c);  // "success" | "failure" | "neutral"

// What UpsertDriftReport accepts: a project and environment, a commit of 40 hex digits, at
// least one resource, each with an address and an action. InvalidArgument naming the field.
Status CheckDriftReport(const DriftReport& report);

// Errors (all methods): NotFound for a pull request or user that does not exist,
// Unauthenticated / PermissionDenied when the bot's credentials do not allow the call,
// Unavailable when the forge cannot be reached (after retries), ResourceExhausted when a rate
// limit resets too far in the future (the message names the reset time), InvalidArgument for
// input the forge refuses (the message says which field). Implementations are thread-safe.
class Forge {
 public:
  virtual ~Forge() = default;

  // Returns the open pull request from draft.head_ref into draft.base_ref, creating it when
  // there is none. One pull request per proposal: a reused one gets draft's title and body
  // when they differ. head_ref and base_ref must name existing branches.
  virtual Result<OpenedPullRequest> OpenOrReusePullRequest(const PullRequestDraft& draft) = 0;

  virtual Result<PullRequest> GetPullRequest(int number) = 0;

  // Every open pull request, oldest first.
  virtual Result<std::vector<PullRequest>> ListOpenPullRequests() = 0;

  // Keeps exactly one bot comment (in parts) on the pull request for `marker`: parts[0] is
  // the main comment, parts[1..] overflow comments. Existing parts are edited in place (and
  // left alone when unchanged), missing ones created, surplus ones deleted. Each part is at
  // most kMaxCommentPartBytes bytes and parts is not empty (else InvalidArgument, nothing
  // changed). marker is [a-z0-9:._-]+; the forge stores it hidden in each comment. Returns
  // a URL to the first part.
  virtual Result<std::string> UpsertBotComment(int number, std::string_view marker,
                                               const std::vector<std::string>& parts) = 0;

  // Sets (replaces) the status for state.context on commit sha (40 hex digits).
  virtual Status SetCommitStatus(const std::string& sha, const CommitState& state) = 0;

  // Creates, or updates in place, the check run named run.name on commit sha (40 hex
  // digits): re-reporting never adds a second one. Returns the URL of the check's page, or
  // "" when the forge has no page for it (the caller then keeps the details elsewhere).
  // PermissionDenied when the bot may not write checks (a GitHub App without
  // `checks:write`, or a token): callers fall back to SetCommitStatus and the comment.
  // InvalidArgument for a bad sha, an empty name or a summary over kMaxCheckOutputBytes.
  virtual Result<std::string> UpsertCheckRun(const std::string& sha, const CheckRun& run) = 0;

  // Reviews in the order they were given (several per user possible; the last one counts).
  virtual Result<std::vector<Review>> ListReviews(int number) = 0;

  // The user's permission on the repository; kNone for users who are not collaborators.
  virtual Result<Permission> GetPermission(const std::string& user) = 0;

  // The files the pull request changes (as the forge computed them).
  virtual Result<std::vector<PullRequestFile>> ListPullRequestFiles(int number) = 0;

  // Adds the bot's `reaction` to comment `comment_id` of a pull request's conversation (the
  // forge's own comment id). Idempotent: a reaction the bot already gave is kept, and OK.
  // InvalidArgument for comment_id <= 0 (nothing sent); NotFound when there is no such
  // comment. Forges whose comments are never commands may do nothing.
  virtual Status AddCommentReaction(long long comment_id, Reaction reaction) = 0;

  // Closes an open pull request without merging, after posting `comment` on it (why, with a
  // link to what replaces it). FailedPrecondition when it is not open (nothing changed).
  virtual Status ClosePullRequest(int number, const std::string& comment) = 0;

  // Keeps one open drift report for report.project: opens it when none is open, edits it in
  // place when what it says changed (resources, actions, tip), else leaves it. Found again
  // after a restart from the forge itself; a report the bot did not write is never taken
  // for its own. Returns where a human sees it (a URL, or the CLI command that shows it).
  // InvalidArgument for an empty project or resource list, or a commit that is not 40 hex
  // digits (nothing sent).
  virtual Result<std::string> UpsertDriftReport(const DriftReport& report) = 0;

  // The check of `project` at `commit` found no drift: the open report, if any, gets a
  // comment saying so and is closed. Returns whether one was closed (false: none was open).
  virtual Result<bool> ResolveDriftReport(const std::string& project,
                                          const std::string& commit) = 0;
};

}  // namespace datamcp::forge
