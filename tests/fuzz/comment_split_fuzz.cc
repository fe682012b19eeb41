// Plan output (proposal-controlled text) split into forge comments: every part fits.
#include "gitops/forge/comment_split.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t limit = 1024 + data[0] * 64;
  std::string_view rest = AsText(data + 1, size - 1);
  forge::PlanComment comment;
  comment.summary = "summary";
  while (!rest.empty() && comment.sections.size() < 8) {
    std::size_t cut = rest.find('\x01');
    std::string_view part = rest.substr(0, cut);
    std::size_t nl = part.find('\n');
    comment.sections.push_back({std::string(part.substr(0, nl)),
                                nl == std::string_view::npos ? "" : std::string(part.substr(nl))});
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + 1);
  }
  auto parts = forge::SplitPlanComment(comment, limit);
  if (!parts.ok()) return 0;
  FUZZ_ASSERT(!parts->empty());
  for (const std::string& p : *parts) FUZZ_ASSERT(p.size() <= limit);
  return 0;
}
