#include "gitops/common/json_parse.h"

#include <string>

namespace datamcp {

int JsonNestingDepth(std::string_view text, int stop) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest >= stop) return stop;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what, int max_depth) {
  if (JsonNestingDepth(text, max_depth + 1) > max_depth) {
    return ResourceExhausted(std::string(what) + " nests arrays/objects deeper than " +
                             std::to_string(max_depth) +
                             " levels, which is the limit; send a flatter document");
  }
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  std::string where;
  try {
    nlohmann::json discarded = nlohmann::json::parse(text);
    (void)discarded;
  } catch (const nlohmann::json::exception& e) {
    where = e.what();
  }
  return InvalidArgument(std::string(what) + " is not valid JSON" +
                         (where.empty() ? "" : ": " + where));
}

nlohmann::json ParseJsonOrDiscarded(std::string_view text, int max_depth) {
  if (JsonNestingDepth(text, max_depth + 1) > max_depth) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace datamcp
