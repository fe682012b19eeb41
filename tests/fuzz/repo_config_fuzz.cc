// The repository's datamcp.yaml (from the default branch, written by anyone with push).
#include "gitops/common/repo_path.h"
#include "gitops/repo/repo_config.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  auto config = repo::ParseRepoConfig(AsText(data, size));
  if (!config.ok()) {
    FUZZ_ASSERT(!config.status().message().empty());
    return 0;
  }
  for (const std::string& root : config->allowed_roots) {
    FUZZ_ASSERT(ValidateRepoPath(root, "root").ok());
  }
  return 0;
}
