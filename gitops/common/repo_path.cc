#include "gitops/common/repo_path.h"

#include <algorithm>
#include <cctype>

#include "gitops/common/encoding.h"

namespace datamcp {
namespace {

constexpr std::size_t kMaxPathBytes = 4096;

std::string_view NormalizeRepoPathView(std::string_view path) {
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// HFS+ ignores these code points in names (git's next_hfs_char); all are 3 bytes in UTF-8.
std::size_t HfsIgnorableLength(std::string_view s, std::size_t i) {
  if (i + 3 > s.size()) return 0;
  const auto b0 = static_cast<unsigned char>(s[i]), b1 = static_cast<unsigned char>(s[i + 1]),
             b2 = static_cast<unsigned char>(s[i + 2]);
  const bool ignorable = (b0 == 0xE2 && b1 == 0x80 && b2 >= 0x8C && b2 <= 0x8F) ||  // 200C-200F
                         (b0 == 0xE2 && b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) ||  // 202A-202E
                         (b0 == 0xE2 && b1 == 0x81 && b2 >= 0xAA && b2 <= 0xAF) ||  // 206A-206F
                         (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF);                  // FEFF
  return ignorable ? 3 : 0;
}

// Why `path` is not a repository path, or "" when it is one.
std::string PathProblem(std::string_view path, bool allow_trailing_slash) {
  if (path.empty()) return "it is empty";
  if (path.size() > kMaxPathBytes) return "it is longer than 4096 bytes";
  if (path.front() == '/') return "it is absolute; it must be relative to the repository root";
  for (char c : path) {
    if (c == '\\') return "use '/' as the separator, not '\\'";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "it has a NUL or control character";
    }
  }
  if (allow_trailing_slash) path = NormalizeRepoPathView(path);
  for (const std::string& part : Split(path)) {
    if (part.empty()) return "it has an empty segment ('//' or a trailing '/')";
    if (part == "." || part == "..") return "'.' and '..' segments are not allowed";
    if (IsGitDirAlias(part)) return "'.git' is not writable ('" + part + "' names it)";
  }
  return "";
}

std::string Quote(std::string_view path) {
  std::string out = "'";
  for (unsigned char c : path.substr(0, 200)) {
    if (c < 0x20 || c == 0x7f) {
      char byte = static_cast<char>(c);
      out += "\\x" + HexEncode(std::string_view(&byte, 1));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

}  // namespace

bool IsGitDirAlias(std::string_view segment) {
  std::string s;
  for (std::size_t i = 0; i < segment.size();) {
    if (std::size_t n = HfsIgnorableLength(segment, i)) {
      i += n;
      continue;
    }
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(segment[i++])));
  }
  std::string_view rest = s;
  if (rest.starts_with(".git")) {
    rest.remove_prefix(4);
  } else if (rest.starts_with("git~1")) {
    rest.remove_prefix(5);
  } else {
    return false;
  }
  for (char c : rest) {
    if (c == ':') return true;  // an NTFS stream of it
    if (c != ' ' && c != '.') return false;
  }
  return true;
}

Status ValidateRepoPath(std::string_view path, std::string_view what) {
  std::string why = PathProblem(path, true);
  if (why.empty()) return Status::Ok();
  return InvalidArgument(std::string(what) + ": " + Quote(path) +
                         " is not a valid repository path: " + why);
}

Status ValidateChangePath(std::string_view path, const std::vector<std::string>& allowed_roots) {
  std::string why = PathProblem(path, false);
  if (!why.empty()) {
    return InvalidArgument("path " + Quote(path) + " is not allowed: " + why +
                           "; use a relative path inside the repository such as "
                           "'envs/dev/main.tf'");
  }
  if (allowed_roots.empty()) return Status::Ok();
  for (const std::string& root : allowed_roots) {
    if (IsUnderRoot(path, root)) return Status::Ok();
  }
  std::string roots;
  for (const std::string& root : allowed_roots) roots += (roots.empty() ? "'" : ", '") + root + "'";
  return InvalidArgument("path " + Quote(path) + " is outside the allowed roots (" + roots +
                         "); put the file under one of them");
}

std::string NormalizeRepoPath(std::string_view path) {
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

bool IsUnderRoot(std::string_view path, std::string_view root) {
  std::string p = NormalizeRepoPath(path);
  std::string r = NormalizeRepoPath(root);
  if (p.size() < r.size() || p.compare(0, r.size(), r) != 0) return false;
  return p.size() == r.size() || p[r.size()] == '/';
}

std::string RelativePath(std::string_view from_dir, std::string_view to) {
  std::vector<std::string> from = Split(NormalizeRepoPath(from_dir));
  std::vector<std::string> target = Split(NormalizeRepoPath(to));
  std::size_t common = 0;
  while (common < from.size() && common < target.size() && from[common] == target[common]) {
    ++common;
  }
  std::string out;
  for (std::size_t i = common; i < from.size(); ++i) out += "../";
  for (std::size_t i = common; i < target.size(); ++i) out += target[i] + "/";
  if (out.empty()) return ".";
  out.pop_back();
  return out;
}

}  // namespace datamcp
