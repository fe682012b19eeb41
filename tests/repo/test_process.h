#pragma once

#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace datamcp::repo::testing {

struct ProcessOutput {
  int exit_code = -1;  // -1: killed on timeout or could not start
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (a path) in `cwd` with exactly `env`, stdin from /dev/null, killing it
// after `timeout_seconds`. Test helper only.
ProcessOutput RunProcess(const std::vector<std::string>& argv, const std::string& cwd,
                         const std::vector<std::string>& env, int timeout_seconds = 120,
                         const std::string& stdin_text = "");

using TempDir = ::datamcp::test::TempDir;

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
std::string SourceDir();  // $DATAMCP_SOURCE_DIR

}  // namespace datamcp::repo::testing
