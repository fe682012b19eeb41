#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace datamcp {

// What went wrong, in categories the HTTP and JSON-RPC layers can map (bot/ does the
// mapping; gitops/ never speaks HTTP).
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something wrong; the message says what to fix
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // a create that collides
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // credentials missing, wrong or expired
  kFailedPrecondition,  // the system is not in a state to do this (locked, stale plan)
  kConflict,            // a concurrent writer won (push race, CAS failure)
  kUnavailable,         // a dependency is down or unreachable; retrying may help
  kDeadlineExceeded,    // a timeout fired
  kCancelled,           // the caller cancelled
  kResourceExhausted,   // a limit was hit (size, rate)
  kInternal,            // a bug or an unexpected foreign error
};

std::string_view StatusCodeName(StatusCode code);

// A value type for success or an error with a message meant for the user: it says what was
// wrong, with which input, and what to do. Cheap to copy when OK.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: file 'a/b' does not exist at abc123"
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

  bool operator==(const Status&) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace datamcp

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define DATAMCP_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::datamcp::Status datamcp_status_ = (expr);        \
    if (!datamcp_status_.ok()) return datamcp_status_; \
  } while (0)
