#include "gitops/forge/check_text.h"

#include <algorithm>

#include "gitops/forge/comment_split.h"

namespace datamcp::forge {
namespace {

std::string CutNote(std::size_t shown, std::size_t total) {
  return "\n" + std::string(kCheckTextCutNote) +
         " GitHub's limit of 65,535 characters: the first " + std::to_string(shown) + " of " +
         std::to_string(total) +
         " bytes are shown. The summary above is complete; `plan_preview` or a local "
         "`terraform plan` shows the rest.)*\n";
}

std::string Fenced(std::string_view body, std::size_t fence) {
  std::string f(fence, '`');
  std::string out = f + "\n" + std::string(body);
  if (!body.empty() && body.back() != '\n') out += '\n';
  return out + f + "\n";
}

}  // namespace

std::string FenceCheckText(std::string_view plain, std::size_t limit) {
  if (plain.empty()) return "";
  limit = std::max(limit, kMinCheckTextLimit);
  std::size_t fence = FenceLength(plain);
  std::string full = Fenced(plain, fence);
  if (full.size() <= limit) return full;
  // Room for the fences, a closing newline and the note with the largest numbers it can say.
  std::size_t reserve = 2 * (fence + 1) + 1 + CutNote(plain.size(), plain.size()).size();
  if (reserve >= limit) return CutNote(0, plain.size()).substr(1);
  std::size_t cut = Utf8Floor(plain, limit - reserve);
  if (std::size_t eol = plain.rfind('\n', cut == 0 ? 0 : cut - 1);
      eol != std::string_view::npos && eol > 0) {
    cut = eol + 1;
  }
  return Fenced(plain.substr(0, cut), fence) + CutNote(cut, plain.size());
}

}  // namespace datamcp::forge
