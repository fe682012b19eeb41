#include "gitops/repo/repo_path.h"

#include <algorithm>
#include <cctype>

namespace datamcp::repo {
namespace {

constexpr std::size_t kMaxPathBytes = 4096;

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

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

Status ValidateRepoPath(std::string_view path, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument(std::string(what) + ": '" + std::string(path.substr(0, 200)) +
                           "' is not a valid repository path: " + std::string(why));
  };
  if (path.empty()) return bad("it is empty");
  if (path.size() > kMaxPathBytes) return bad("it is longer than 4096 bytes");
  if (path.front() == '/') return bad("it must be relative to the repository root");
  for (char c : path) {
    if (c == '\\') return bad("use '/' as the separator, not '\\'");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad("it has a control character");
  }
  for (const std::string& part : Split(NormalizeRepoPath(path))) {
    if (part.empty()) return bad("it has an empty segment ('//')");
    if (part == "." || part == "..") return bad("'.' and '..' segments are not allowed");
    if (EqualsIgnoreCase(part, ".git")) return bad("'.git' is not writable");
  }
  return Status::Ok();
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

}  // namespace datamcp::repo
