#include "gitops/git/path_safety.h"

#include <algorithm>
#include <cctype>

namespace datamcp::git {
namespace {

constexpr std::size_t kMaxPathBytes = 4096;

std::string Quote(std::string_view path) {
  std::string out = "'";
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

Status Reject(std::string_view path, std::string_view why) {
  return InvalidArgument("path " + Quote(path) + " is not allowed: " + std::string(why) +
                         "; use a relative path inside the repository such as 'envs/dev/main.tf'");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// True for names that git or some filesystem treats as the .git directory.
bool IsGitDirAlias(std::string_view component) {
  std::string lower = Lower(component);
  while (!lower.empty() && (lower.back() == ' ' || lower.back() == '.')) lower.pop_back();
  return lower == ".git" || lower == "git~1";
}

Status CheckComponent(std::string_view path, std::string_view component) {
  if (component.empty()) return Reject(path, "it has an empty component ('//' or a trailing '/')");
  if (component == "." || component == "..") return Reject(path, "it has a '.' or '..' component");
  if (IsGitDirAlias(component)) return Reject(path, "it has a '.git' component");
  return Status::Ok();
}

bool UnderRoot(std::string_view path, std::string_view root) {
  if (root.empty()) return true;
  if (path.size() < root.size() || path.substr(0, root.size()) != root) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

}  // namespace

Status ValidateRepoPath(std::string_view path, const std::vector<std::string>& allowed_roots) {
  if (path.empty()) return Reject(path, "it is empty");
  if (path.size() > kMaxPathBytes)
    return Reject(path.substr(0, 64), "it is longer than 4096 bytes");
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f) return Reject(path, "it contains a NUL or control character");
  }
  if (path.front() == '/') return Reject(path, "it is absolute");
  if (path.find('\\') != std::string_view::npos) return Reject(path, "it contains a backslash");
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    std::string_view component = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    DATAMCP_RETURN_IF_ERROR(CheckComponent(path, component));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (allowed_roots.empty()) return Status::Ok();
  for (const std::string& root : allowed_roots) {
    if (UnderRoot(path, root)) return Status::Ok();
  }
  std::string roots;
  for (const std::string& root : allowed_roots) roots += (roots.empty() ? "'" : ", '") + root + "'";
  return InvalidArgument("path " + Quote(path) + " is outside the allowed roots (" + roots +
                         "); put the file under one of them");
}

}  // namespace datamcp::git
