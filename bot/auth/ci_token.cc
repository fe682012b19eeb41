#include "bot/auth/ci_token.h"

#include "bot/auth/claims.h"
#include "bot/auth/jws.h"
#include "gitops/common/json_parse.h"

namespace datamcp::bot {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxClaimBytes = 512;

// A string claim; Unauthenticated when `required` and absent, or when not a short string
// without control characters (claims end up in commit trailers and pull request bodies).
Result<std::string> Claim(const json& claims, const char* name, bool required) {
  auto it = claims.find(name);
  if (it == claims.end()) {
    if (!required) return std::string();
    return Unauthenticated(std::string("token has no ") + name +
                           " claim; is it a GitHub Actions OIDC token?");
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxClaimBytes) {
    return Unauthenticated(std::string(name) + " claim is not a string of at most 512 bytes");
  }
  const std::string& value = it->get_ref<const std::string&>();
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Unauthenticated(std::string(name) + " claim holds control characters");
    }
  }
  return value;
}

}  // namespace

CiTokenVerifier::CiTokenVerifier(CiTokenOptions options, JwksCache& keys, const Clock& clock)
    : options_(std::move(options)), keys_(keys), clock_(clock) {}

Result<repo::CiIdentity> CiTokenVerifier::Verify(const std::string& token) const {
  if (token.empty()) return Unauthenticated("missing bearer token (the CI job's OIDC token)");
  if (token.size() > options_.max_token_bytes) return Unauthenticated("token too large");
  DATAMCP_ASSIGN_OR_RETURN(CompactJws jws, DecodeCompactJws(token, JwsAlgorithm::kRs256));
  DATAMCP_ASSIGN_OR_RETURN(VerificationKey key, keys_.KeyFor(jws.kid));
  DATAMCP_RETURN_IF_ERROR(VerifyWithKey(jws, JwsAlgorithm::kRs256, key));
  json claims = ParseJsonOrDiscarded(jws.payload);
  if (claims.is_discarded() || !claims.is_object()) {
    return Unauthenticated("token payload is not a JSON object");
  }
  ClaimRules rules{options_.issuer, options_.audiences, options_.clock_skew_seconds,
                   options_.max_lifetime_seconds};
  DATAMCP_RETURN_IF_ERROR(CheckRegisteredClaims(claims, rules, clock_.UnixSeconds()));
  repo::CiIdentity who;
  DATAMCP_ASSIGN_OR_RETURN(who.repository, Claim(claims, "repository", true));
  DATAMCP_ASSIGN_OR_RETURN(who.job_workflow_ref, Claim(claims, "job_workflow_ref", true));
  DATAMCP_ASSIGN_OR_RETURN(who.ref, Claim(claims, "ref", false));
  DATAMCP_ASSIGN_OR_RETURN(who.environment, Claim(claims, "environment", false));
  DATAMCP_ASSIGN_OR_RETURN(who.actor, Claim(claims, "actor", false));
  DATAMCP_ASSIGN_OR_RETURN(who.run_id, Claim(claims, "run_id", false));
  return who;
}

}  // namespace datamcp::bot
