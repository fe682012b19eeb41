#pragma once

#include <string>
#include <string_view>

#include "gitops/common/result.h"

namespace datamcp::bot {

// base64url without padding (RFC 4648 section 5, as JWS uses it; RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view bytes);

// Strict decoding: only A-Z a-z 0-9 - _ are accepted; padding ('='), whitespace, the standard
// alphabet's '+' and '/', a length of 4n+1 and non-zero trailing bits are all rejected, so
// every byte string has exactly one accepted encoding. Errors are InvalidArgument and never
// echo the input (it may be a credential).
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace datamcp::bot
