#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/run.h"

namespace datamcp::test {

// A bare repository with a `main` branch, built with the real git CLI in a temp dir.
// Helpers commit files on branches through a scratch clone, as a person would.
class GitFixture {
 public:
  GitFixture() {
    root_ = std::filesystem::path(MakeTempDir("gitfixture"));
    bare_ = (root_ / "origin.git").string();
    work_ = (root_ / "work").string();
    Must("git init -q --bare -b main " + bare_);
    Must("git clone -q " + bare_ + " " + work_ + " 2>/dev/null");
    Git("config user.email test@example.com");
    Git("config user.name Test");
    Write("README.md", "hello\n");
    Git("add -A");
    Git("commit -q -m initial");
    Git("push -q origin HEAD:main");
  }
  ~GitFixture() { std::filesystem::remove_all(root_); }

  const std::string& bare() const { return bare_; }
  const std::string& root() const { return root_str_ = root_.string(); }

  void Git(const std::string& args) { Must("git -C " + work_ + " " + args); }
  std::string GitOut(const std::string& args) { return MustOut("git -C " + work_ + " " + args); }
  std::string BareOut(const std::string& args) { return MustOut("git -C " + bare_ + " " + args); }

  void Write(const std::string& path, const std::string& content) {
    auto p = std::filesystem::path(work_) / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }

  // Commits `files` on `branch` (created from main) and pushes it; returns the commit id.
  std::string CommitOnBranch(const std::string& branch,
                             const std::map<std::string, std::string>& files) {
    Git("fetch -q origin");
    Git("checkout -q -B " + branch + " origin/main");
    for (const auto& [path, content] : files) Write(path, content);
    Git("add -A");
    Git("commit -q -m 'change on " + branch + "'");
    Git("push -q -f origin " + branch);
    return Trim(GitOut("rev-parse HEAD"));
  }

 private:
  std::filesystem::path root_;
  mutable std::string root_str_;
  std::string bare_;
  std::string work_;
};

}  // namespace datamcp::test
