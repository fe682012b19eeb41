#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace datamcp::bot {

// `WWW-Authenticate` values for the MCP endpoint (RFC 6750 section 3, RFC 9728 section 5.1).
// Every parameter is a quoted-string; '"' and '\' are backslash-escaped and control or
// non-ASCII characters are replaced, so untrusted text (a reason, a scope) can neither break
// out of the quotes nor split the header.

// 401. `error` is "" when the request carried no token (RFC 6750 section 3.1: no error code
// then), else e.g. "invalid_token" or "invalid_request". `description` becomes
// error_description and is omitted when empty or when `error` is empty.
// Example: Bearer resource_metadata="https://h/.well-known/oauth-protected-resource",
//          error="invalid_token", error_description="token expired"
std::string WwwAuthenticate401(std::string_view resource_metadata_url, std::string_view error,
                               std::string_view description);

// 403 for missing scopes: Bearer error="insufficient_scope", scope="a b"
// (plus resource_metadata when `resource_metadata_url` is non-empty). Entries that are not
// valid scope-tokens (IsValidScopeToken) are left out.
std::string WwwAuthenticate403(const std::vector<std::string>& scopes,
                               std::string_view resource_metadata_url = {});

// Quotes `value` as an HTTP quoted-string (exposed for tests).
std::string QuoteHeaderValue(std::string_view value);

}  // namespace datamcp::bot
