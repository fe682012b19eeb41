#include "bot/auth/scopes.h"

namespace datamcp::bot {

std::string EnvScope(std::string_view env) {
  return std::string(kEnvScopePrefix) + std::string(env);
}

bool IsValidScopeToken(std::string_view scope) {
  if (scope.empty()) return false;
  for (char c : scope) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

std::vector<std::string> SplitScopes(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::vector<std::string> MissingScopes(const Principal& principal,
                                       const std::vector<std::string>& required) {
  std::vector<std::string> missing;
  for (const auto& scope : required) {
    if (!principal.HasScope(scope)) missing.push_back(scope);
  }
  return missing;
}

}  // namespace datamcp::bot
