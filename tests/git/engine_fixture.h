#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/git/libgit2_repository.h"
#include "tests/git/git_servers.h"

namespace datamcp::git::testing {

inline Libgit2RepositoryOptions EngineOptions(const std::string& mirror, const std::string& url) {
  Libgit2RepositoryOptions o;
  o.mirror_path = mirror;
  o.remote.url = url;
  o.committer = {"DataMCP Bot", "bot@datamcp.test"};
  o.allowed_roots = {"envs", "modules"};
  return o;
}

inline CommitMeta Meta(const std::string& summary) {
  CommitMeta m;
  m.message = summary;
  m.author = {"Alice Requester", "alice@example.com"};
  m.trailers = {{"Datamcp-Tool", "propose_change"},
                {"Datamcp-Requested-By", "alice@example.com"},
                {"Datamcp-Request-Id", "req-1"},
                {"Datamcp-Env", "dev"}};
  return m;
}

inline std::string GitOut(const std::string& bare, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", bare});
  return MustRun(args);
}

inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace datamcp::git::testing
