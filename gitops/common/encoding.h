#pragma once

#include <string>
#include <string_view>

namespace datamcp {

// Lower-case hex of `bytes` (2 characters per byte).
std::string HexEncode(std::string_view bytes);

// RFC 4648 base64: the standard alphabet with '=' padding (section 4), or with `url` the
// URL-safe alphabet ('-', '_') without padding (section 5, as JWS uses it).
std::string Base64Encode(std::string_view bytes, bool url = false);

}  // namespace datamcp
