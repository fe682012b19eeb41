#pragma once

#include <string>
#include <string_view>

namespace datamcp::plan {

// Lower-case hex SHA-256 of `data` (OpenSSL EVP).
std::string Sha256Hex(std::string_view data);

}  // namespace datamcp::plan
