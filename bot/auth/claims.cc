#include "bot/auth/claims.h"

#include <algorithm>

#include "bot/auth/scopes.h"

namespace datamcp::bot {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxSubjectBytes = 256;

// Reads an optional NumericDate; `*present` tells whether the claim was there.
Result<long long> NumericDate(const json& claims, const char* name, bool* present) {
  auto it = claims.find(name);
  *present = it != claims.end();
  if (!*present) return 0LL;
  if (!it->is_number()) {
    return Unauthenticated(std::string(name) + " claim is not a number");
  }
  double v = it->get<double>();
  if (!(v > -1e15 && v < 1e15))
    return Unauthenticated(std::string(name) + " claim is out of range");
  return static_cast<long long>(v);
}

bool AudienceMatches(const json& aud, const std::vector<std::string>& wanted) {
  auto one = [&](const json& a) {
    return a.is_string() &&
           std::find(wanted.begin(), wanted.end(), a.get<std::string>()) != wanted.end();
  };
  if (aud.is_string()) return one(aud);
  return aud.is_array() && std::any_of(aud.begin(), aud.end(), one);
}

Status CheckTimes(const json& claims, long long skew, long long max_lifetime, long long now) {
  bool present = false;
  DATAMCP_ASSIGN_OR_RETURN(long long exp, NumericDate(claims, "exp", &present));
  if (!present) return Unauthenticated("token has no exp claim");
  if (now >= exp + skew) return Unauthenticated("token expired");
  DATAMCP_ASSIGN_OR_RETURN(long long nbf, NumericDate(claims, "nbf", &present));
  if (present && now + skew < nbf) return Unauthenticated("token not yet valid");
  DATAMCP_ASSIGN_OR_RETURN(long long iat, NumericDate(claims, "iat", &present));
  if (present && iat > now + skew) return Unauthenticated("token issued in the future");
  if (max_lifetime > 0) {
    if (!present) {
      return Unauthenticated("token has no iat claim; tokens must say when they were issued");
    }
    if (exp - iat > max_lifetime) {
      return Unauthenticated("token lifetime (exp - iat) of " + std::to_string(exp - iat) +
                             " s exceeds auth.max_token_lifetime (" + std::to_string(max_lifetime) +
                             " s)");
    }
  }
  return Status::Ok();
}

void AddUnique(std::vector<std::string>* scopes, std::string scope) {
  if (std::find(scopes->begin(), scopes->end(), scope) == scopes->end()) {
    scopes->push_back(std::move(scope));
  }
}

Status InvalidScope(const std::string& why) {
  return Unauthenticated("invalid scope claim: " + why);
}

}  // namespace

Status CheckRegisteredClaims(const json& claims, const ClaimRules& rules, long long now) {
  if (!claims.is_object()) return Unauthenticated("token payload is not a JSON object");
  DATAMCP_RETURN_IF_ERROR(
      CheckTimes(claims, rules.clock_skew_seconds, rules.max_lifetime_seconds, now));
  if (!rules.issuer.empty()) {
    auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != rules.issuer) {
      return Unauthenticated("issuer mismatch");
    }
  }
  if (!rules.audiences.empty()) {
    auto aud = claims.find("aud");
    if (aud == claims.end() || !AudienceMatches(*aud, rules.audiences)) {
      return Unauthenticated("audience mismatch");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ScopesFromClaims(const json& claims) {
  std::vector<std::string> scopes;
  if (auto it = claims.find("scope"); it != claims.end()) {
    if (!it->is_string()) return InvalidScope("scope must be a space-separated string");
    for (std::string& s : SplitScopes(it->get<std::string>())) {
      if (!IsValidScopeToken(s)) return InvalidScope("scope holds a character not allowed");
      AddUnique(&scopes, std::move(s));
    }
  }
  if (auto it = claims.find("scopes"); it != claims.end()) {
    if (!it->is_array()) return InvalidScope("scopes must be an array of strings");
    for (const json& s : *it) {
      if (!s.is_string()) return InvalidScope("scopes must be an array of strings");
      if (!IsValidScopeToken(s.get<std::string>())) {
        return InvalidScope("scopes holds a character not allowed");
      }
      AddUnique(&scopes, s.get<std::string>());
    }
  }
  return scopes;
}

Result<Principal> PrincipalFromClaims(const json& claims) {
  auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty()) {
    return Unauthenticated("token has no sub claim");
  }
  const std::string& subject = sub->get_ref<const std::string&>();
  if (subject.size() > kMaxSubjectBytes) return Unauthenticated("sub claim is too long");
  for (char c : subject) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return Unauthenticated("sub claim holds control characters");
  }
  Principal principal;
  principal.subject = subject;
  DATAMCP_ASSIGN_OR_RETURN(principal.scopes, ScopesFromClaims(claims));
  return principal;
}

}  // namespace datamcp::bot
