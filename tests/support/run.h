#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/support/temp_dir.h"

namespace datamcp::test {

// Test-only helpers that run fixed command lines written by the test itself (never input
// from outside), to build fixtures with the real git CLI.
inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

inline std::string MustOut(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) ADD_FAILURE() << "popen failed: " << cmd;
  std::array<char, 4096> buf;
  size_t n;
  while (p && (n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int rc = p ? pclose(p) : -1;
  if (rc != 0) ADD_FAILURE() << "command failed (" << rc << "): " << cmd << "\n" << out;
  return out;
}

inline void Must(const std::string& cmd) { (void)MustOut(cmd); }

}  // namespace datamcp::test
