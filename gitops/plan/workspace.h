#pragma once

#include <string>
#include <string_view>

#include "gitops/common/status.h"
#include "gitops/process/process_runner.h"

// Helpers the planners share for handling untrusted trees and tool output.
namespace datamcp::plan {

// OK when `relative` is a non-empty relative path without "..", "." or empty components and
// without a ".git" component. `what` names the input in the error ("project path").
Status CheckRelativePath(std::string_view relative, std::string_view what);

// Copies the directory tree `from` into `to` (created; must not exist yet). Symbolic links
// are copied as links, never followed. On error `to` is removed again.
Status CopyTree(const std::string& from, const std::string& to);

// The last `max_bytes` of `text` (prefixed with "...\n" when cut), trimmed of trailing
// whitespace: for error messages that quote a tool's stderr.
std::string Tail(std::string_view text, std::size_t max_bytes = 4000);

// The Status for a tool run that did not succeed: DeadlineExceeded for a timeout,
// Cancelled, else FailedPrecondition. `what` says which step ("terraform plan in project
// 'envs/prod'"); `output` (already masked) is quoted by its tail.
Status StepFailed(std::string_view what, const process::ProcessResult& result,
                  std::string_view output);

// Rewrites a NotFound from the runner for a missing tool binary into one that names the
// configuration key to set, e.g. plan.terraform_bin.
Status ToolNotFound(const Status& status, std::string_view tool, std::string_view config_key);

}  // namespace datamcp::plan
