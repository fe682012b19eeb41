#pragma once

#include <string>
#include <string_view>

#include "gitops/common/result.h"

// The one home for hex and base64 (RFC 4648). Decoders are strict: every byte string has
// exactly one accepted encoding, and errors are InvalidArgument that never echo the input
// (it may be a credential).
namespace datamcp {

// Lower-case hex of `bytes` (2 characters per byte).
std::string HexEncode(std::string_view bytes);

// The bytes of `text`, an even number of hex digits in either case.
Result<std::string> HexDecode(std::string_view text);

// RFC 4648 base64: the standard alphabet with '=' padding (section 4), or with `url` the
// URL-safe alphabet ('-', '_') without padding (section 5, as JWS uses it).
std::string Base64Encode(std::string_view bytes, bool url = false);

// base64url without padding (RFC 4648 section 5; RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view bytes);

// Standard base64 with its '=' padding to a multiple of 4 characters. Whitespace, the URL
// alphabet and non-zero trailing bits are rejected.
Result<std::string> Base64Decode(std::string_view text);

// base64url without padding: only A-Z a-z 0-9 - _ are accepted; padding ('='), whitespace,
// the standard alphabet's '+' and '/', a length of 4n+1 and non-zero trailing bits are all
// rejected.
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace datamcp
