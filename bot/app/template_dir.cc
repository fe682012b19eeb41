#include "bot/app/template_dir.h"

#include <filesystem>
#include <vector>

namespace datamcp::bot {

std::string FindTemplateDir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      candidates.push_back(dir / "repo-template");
      candidates.push_back(dir / "share" / "datamcp" / "repo-template");
    }
  }
  candidates.push_back("/usr/share/datamcp/repo-template");
  for (const auto& c : candidates) {
    if (fs::exists(c / "datamcp.yaml", ec)) return c.string();
  }
  return "";
}

}  // namespace datamcp::bot
