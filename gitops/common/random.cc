#include "gitops/common/random.h"

#include <openssl/rand.h>

#include <vector>

#include "gitops/common/encoding.h"

namespace datamcp {

Result<std::string> RandomHex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    return Internal("the system random number generator failed");
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
}

}  // namespace datamcp
