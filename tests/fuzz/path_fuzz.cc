// Paths from tool arguments and configuration: both entry points of the one validator agree,
// and an accepted path never has a segment that names .git.
#include "gitops/common/repo_path.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view path = AsText(data, size);
  const bool change = ValidateChangePath(path, {}).ok();
  const bool config = ValidateRepoPath(path, "p").ok();
  if (!path.empty() && path.back() != '/') FUZZ_ASSERT(change == config);
  if (change) {
    std::size_t start = 0;
    while (true) {
      std::size_t slash = path.find('/', start);
      std::string_view seg =
          path.substr(start, slash == std::string_view::npos ? slash : slash - start);
      FUZZ_ASSERT(!seg.empty() && seg != "." && seg != ".." && !IsGitDirAlias(seg));
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
  }
  return 0;
}
