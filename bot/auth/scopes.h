#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/auth/principal.h"

namespace datamcp::bot {

// The scopes DataMCP's MCP tools require. A token carries them in `scope` ("a b c") or
// `scopes` (["a", "b"]).
inline constexpr std::string_view kScopeProposalsWrite = "proposals:write";  // propose changes
inline constexpr std::string_view kScopePlansRead = "plans:read";            // read plan output
inline constexpr std::string_view kScopeAuditRead = "audit:read";            // read the audit log
inline constexpr std::string_view kScopeLocksRead = "locks:read";            // list locks, queue
inline constexpr std::string_view kScopeServerRead = "server:read";          // server status
// Per-environment access: "env:<name>", e.g. "env:prod". Writing to an environment needs
// both kScopeProposalsWrite and EnvScope(environment).
inline constexpr std::string_view kEnvScopePrefix = "env:";

std::string EnvScope(std::string_view env);

// RFC 6749 section 3.3 scope-token: one or more of %x21 / %x23-5B / %x5D-7E (printable
// ASCII except space, '"' and '\'). Such a token is safe inside a quoted header value.
bool IsValidScopeToken(std::string_view scope);

// Splits a space-separated scope string, dropping empty pieces.
std::vector<std::string> SplitScopes(std::string_view text);
// Joins scopes with single spaces.
std::string JoinScopes(const std::vector<std::string>& scopes);

// The scopes in `required` that `principal` lacks, in `required` order (empty when allowed;
// always empty in no-auth mode). Feed them to WwwAuthenticate403.
std::vector<std::string> MissingScopes(const Principal& principal,
                                       const std::vector<std::string>& required);

}  // namespace datamcp::bot
