#pragma once

// Shared by the libFuzzer targets in this folder: each defines LLVMFuzzerTestOneInput and
// aborts (a crash libFuzzer reports) when a property the code promises does not hold.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_ASSERT(cond)                                                              \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

inline std::string_view AsText(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}
