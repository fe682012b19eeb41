#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace datamcp::plan::testing {

using TempDir = ::datamcp::test::TempDir;

inline void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every path under `dir`, relative, with its size: to prove a tree was not written.
inline std::string Snapshot(const std::string& dir) {
  std::string out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    out += std::filesystem::relative(e.path(), dir).string();
    if (e.is_regular_file()) out += " " + std::to_string(e.file_size());
    out += "\n";
  }
  return out;
}

}  // namespace datamcp::plan::testing
