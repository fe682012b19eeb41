#include "bot/auth/auth_log.h"

#include "gitops/common/log.h"

namespace datamcp::bot {

void LogAuthDecision(const AuthDecision& d) {
  nlohmann::json fields = {{"subject", d.subject},
                           {"scopes", d.scopes},
                           {"tool", d.tool},
                           {"decision", d.allowed ? "allowed" : "denied"},
                           {"reason", d.reason}};
  if (d.no_auth) fields["no_auth"] = true;
  if (!d.request_id.empty()) fields["request_id"] = d.request_id;
  if (d.allowed) {
    log::Info("auth_decision", fields);
  } else {
    log::Warn("auth_decision", fields);
  }
}

AuthDecision MakeAuthDecision(const Principal& principal, std::string tool, bool allowed,
                              std::string reason) {
  AuthDecision d;
  d.subject = principal.subject;
  d.scopes = principal.scopes;
  d.tool = std::move(tool);
  d.allowed = allowed;
  d.no_auth = principal.no_auth;
  d.reason = std::move(reason);
  return d;
}

}  // namespace datamcp::bot
