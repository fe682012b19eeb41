#pragma once

#include <cstddef>
#include <string>

#include "gitops/common/result.h"

namespace datamcp {

// `bytes` bytes from OpenSSL's CSPRNG as lowercase hex (2 * bytes characters). Internal
// when the generator cannot be seeded: never a predictable fallback.
Result<std::string> RandomHex(std::size_t bytes);

}  // namespace datamcp
