#include "gitops/plan/workspace.h"

#include <filesystem>
#include <system_error>

namespace datamcp::plan {

namespace fs = std::filesystem;

Status CheckRelativePath(std::string_view relative, std::string_view what) {
  std::string quoted = std::string(what) + " '" + std::string(relative) + "'";
  if (relative.empty()) return InvalidArgument(std::string(what) + " is empty");
  if (relative.find('\0') != std::string_view::npos) {
    return InvalidArgument(std::string(what) + " contains a NUL byte");
  }
  if (relative.front() == '/') {
    return InvalidArgument(quoted + " is absolute: give a path relative to the repository root");
  }
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t slash = relative.find('/', start);
    std::string_view part = relative.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") {
      return InvalidArgument(quoted +
                             " has an empty, '.' or '..' component: give a normalized "
                             "path inside the repository");
    }
    if (part == ".git") return InvalidArgument(quoted + " points into .git");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

Status CopyTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (!fs::is_directory(from, ec)) {
    return NotFound("source tree '" + from + "' does not exist or is not a directory");
  }
  if (fs::exists(to, ec)) return AlreadyExists("copy target '" + to + "' already exists");
  fs::create_directories(fs::path(to).parent_path(), ec);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove_all(to, ignored);
    return Internal("copying '" + from + "' to '" + to + "' failed: " + ec.message());
  }
  return Status::Ok();
}

std::string Tail(std::string_view text, std::size_t max_bytes) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.size() <= max_bytes) return std::string(text);
  return "...\n" + std::string(text.substr(text.size() - max_bytes));
}

Status StepFailed(std::string_view what, const process::ProcessResult& result,
                  std::string_view output) {
  std::string message = std::string(what) + " " + result.Describe();
  std::string tail = Tail(output);
  if (!tail.empty()) message += ":\n" + tail;
  if (result.timed_out) return DeadlineExceeded(message + "\n(raise plan.timeout_seconds?)");
  if (result.cancelled) return Cancelled(message);
  return FailedPrecondition(message);
}

Status ToolNotFound(const Status& status, std::string_view tool, std::string_view config_key) {
  if (status.code() != StatusCode::kNotFound) return status;
  return NotFound(std::string(tool) + " is not available: " + status.message() + "; install " +
                  std::string(tool) + " or set " + std::string(config_key) + " to its full path");
}

}  // namespace datamcp::plan
