#include "gitops/config/env_files.h"

#include <algorithm>
#include <cctype>

#include "gitops/common/durable_file.h"

namespace datamcp::config {
namespace {

bool ValidName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

}  // namespace

Result<std::map<std::string, std::string>> ReadEnvFiles(const std::vector<std::string>& files,
                                                        const std::string& key) {
  std::map<std::string, std::string> out;
  for (const std::string& file : files) {
    auto text = ReadWholeFile(file);
    if (!text.ok()) {
      return InvalidArgument(key + ": cannot read '" + file + "': " + text.status().message());
    }
    std::size_t start = 0;
    for (int line_no = 1; start <= text->size(); ++line_no) {
      std::size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      std::string line = text->substr(start, end - start);
      start = end + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line[first] == '#') continue;
      std::size_t eq = line.find('=');
      std::string name = eq == std::string::npos ? "" : line.substr(first, eq - first);
      if (!ValidName(name)) {
        return InvalidArgument(key + ": '" + file + "' line " + std::to_string(line_no) +
                               " is not KEY=VALUE with KEY made of letters, digits and '_'");
      }
      out[name] = line.substr(eq + 1);
      if (end == text->size()) break;
    }
  }
  return out;
}

bool LooksSecret(const std::string& name, const std::string& value) {
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const char* word : {"KEY", "SECRET", "TOKEN", "PASSWORD", "CREDENTIAL", "AUTH"}) {
    if (upper.find(word) != std::string::npos) return value.size() >= 4;
  }
  return value.size() >= 20;
}

}  // namespace datamcp::config
