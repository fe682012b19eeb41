#pragma once

#include <string>
#include <string_view>

namespace datamcp::bot {

// What the intake keeps of a payload. The payload only triggers work (the bot re-reads the
// pull request, commits and files from the forge and git), so the delivery store records
// these fields rather than the whole body: a 20 KB pull_request payload becomes a few
// hundred bytes, which is what makes durable recording cheap (tests/bench/webhooks).
struct PayloadFields {
  std::string action;      // top-level "action"; empty when absent or not a string
  std::string repository;  // "repository.full_name"; empty when absent or not a string
  // A JSON object in GitHub's own shape holding only the paths in kTriggerPaths that the
  // payload has (scalars only), so the event handler reads it exactly like the payload.
  std::string trigger;
  // "comment.created_at" as GitHub writes it ("2019-05-15T15:20:33Z"); empty when absent.
  // The intake refuses a comment command older than its window (a replayed command).
  std::string comment_created_at;
};

// The payload paths the event handler (bot/events) reads, plus identity fields for the
// audit log. "a.b" is a nested field; "a[].b" is field b of every object in array a.
// A string longer than kMaxTriggerString bytes is cut (at a UTF-8 boundary): no command
// or identifier is that long.
inline constexpr std::string_view kTriggerPaths[] = {
    "action",
    "number",
    "ref",
    "before",
    "after",
    "repository.full_name",
    "sender.login",
    "pull_request.merged",
    "pull_request.head.sha",
    "pull_request.head.repo.full_name",
    "issue.number",
    "issue.pull_request.url",  // present only when the issue is a pull request
    "comment.id",              // the command comment the bot reacts to (+1 accepted, -1 refused)
    "comment.body",
    "comment.user.login",
    "comment.created_at",
    "check_run.head_sha",
    "check_run.pull_requests[].number",
    "workflow_run.id",
    "workflow_run.name",
    "workflow_run.head_sha",
    "workflow_run.conclusion",
    "workflow_run.html_url",
};
inline constexpr std::size_t kMaxTriggerString = 4096;

// Parses the body with simdjson (Debian libsimdjson-dev): parsing is most of the intake's
// CPU time, and simdjson validates a 20 KB payload several times faster than nlohmann/json.
// The whole body is validated (UTF-8 included). False when the body is not JSON or not an
// object, or when it nests arrays/objects deeper than kMaxJsonDepth (gitops/common/json_parse.h);
// `why` (optional) then says which. Never throws.
bool ExtractPayloadFields(std::string_view body, PayloadFields* out, std::string* why = nullptr);

}  // namespace datamcp::bot
