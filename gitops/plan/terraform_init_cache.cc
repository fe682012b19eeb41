#include "gitops/plan/terraform_init_cache.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "gitops/common/digest.h"
#include "gitops/plan/workspace.h"

namespace datamcp::plan {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxModuleDirs = 256;  // local modules followed per project

bool InitRelevant(const std::string& line) {
  static const std::regex kWords(
      R"(\b(source|version|required_version|required_providers|provider|module|backend|terraform|cloud)\b)");
  return std::regex_search(line, kWords);
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Adds `dir`'s init-relevant lines to `digest_input` and queues the local modules it calls.
// False when the directory cannot be cached (it holds a .terraform entry).
bool ScanDir(const fs::path& root, const fs::path& dir, std::string& digest_input,
             std::vector<fs::path>& queue, std::set<std::string>& seen) {
  static const std::regex kLocalSource(R"re(source\s*=\s*"(\.\.?/[^"]*)")re");
  std::error_code ec;
  if (fs::exists(dir / ".terraform", ec) || fs::is_symlink(dir / ".terraform", ec)) return false;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string ext = entry.path().extension().string();
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ec) &&
        (ext == ".tf" || name.ends_with(".tf.json") || name == ".terraform.lock.hcl")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::string text = ReadAll(file);
    digest_input += "\n@" + file.lexically_relative(root).string() + "\n";
    if (file.filename() == ".terraform.lock.hcl") {
      digest_input += text;
      continue;
    }
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (!InitRelevant(line)) continue;
      digest_input += line + "\n";
      std::smatch m;
      if (!std::regex_search(line, m, kLocalSource)) continue;
      fs::path module = (dir / m[1].str()).lexically_normal();
      std::string rel = module.lexically_relative(root).string();
      if (rel.empty() || rel.starts_with("..")) continue;  // outside the tree: not ours
      if (seen.insert(module.string()).second) queue.push_back(module);
    }
  }
  return true;
}

}  // namespace

std::string TerraformInitCache::Key(const std::string& tree_root, const std::string& project_dir,
                                    const std::string& extra) const {
  if (dir_.empty()) return "";
  fs::path root = fs::path(tree_root).lexically_normal();
  fs::path project = fs::path(project_dir).lexically_normal();
  std::string input =
      "terraform-init-v1\n" + extra + "\n" + project.lexically_relative(root).string() + "\n";
  std::vector<fs::path> queue{project};
  std::set<std::string> seen{project.string()};
  for (std::size_t i = 0; i < queue.size(); ++i) {
    if (i >= kMaxModuleDirs) return "";
    const fs::path dir = queue[i];  // a copy: ScanDir appends to the queue
    std::error_code ec;
    if (!fs::is_directory(dir, ec) || fs::is_symlink(dir, ec)) continue;
    if (!ScanDir(root, dir, input, queue, seen)) return "";
  }
  return Sha256Hex(input);
}

bool TerraformInitCache::Restore(const std::string& key, const std::string& project_dir) const {
  if (key.empty()) return false;
  fs::path entry = fs::path(dir_) / key;
  std::error_code ec;
  if (!fs::is_directory(entry / "dot-terraform", ec)) return false;
  if (!CopyTree((entry / "dot-terraform").string(), (fs::path(project_dir) / ".terraform").string())
           .ok()) {
    return false;
  }
  fs::path lock = fs::path(project_dir) / ".terraform.lock.hcl";
  if (fs::exists(entry / "lock.hcl", ec) && !fs::exists(lock, ec)) {
    fs::copy_file(entry / "lock.hcl", lock, ec);
    if (ec) {
      fs::remove_all(fs::path(project_dir) / ".terraform", ec);
      return false;
    }
  }
  return true;
}

void TerraformInitCache::Store(const std::string& key, const std::string& project_dir) const {
  if (key.empty()) return;
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  fs::path entry = fs::path(dir_) / key;
  if (fs::exists(entry, ec)) return;
  fs::path tmp = fs::path(dir_) / (".tmp-" + key + "-" + std::to_string(getpid()) + "-" +
                                   std::to_string(counter.fetch_add(1)));
  fs::create_directories(tmp, ec);
  fs::path dot = fs::path(project_dir) / ".terraform";
  bool ok = !ec;
  if (ok && fs::is_directory(dot, ec)) {
    ok = CopyTree(dot.string(), (tmp / "dot-terraform").string()).ok();
  } else if (ok) {
    fs::create_directories(tmp / "dot-terraform", ec);  // init that needed nothing
    ok = !ec;
  }
  fs::path lock = fs::path(project_dir) / ".terraform.lock.hcl";
  if (ok && fs::exists(lock, ec)) {
    fs::copy_file(lock, tmp / "lock.hcl", ec);
    ok = !ec;
  }
  if (ok) fs::rename(tmp, entry, ec);  // another writer first: keep theirs
  fs::remove_all(tmp, ec);
}

void TerraformInitCache::Forget(const std::string& key) const {
  if (key.empty()) return;
  std::error_code ec;
  fs::path gone = fs::path(dir_) / (".gone-" + key + "-" + std::to_string(getpid()));
  fs::rename(fs::path(dir_) / key, gone, ec);
  fs::remove_all(gone, ec);
}

}  // namespace datamcp::plan
