// Plan output around configured secrets: a secret value never survives masking.
#include "gitops/process/masker.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  static const char* kSecrets[] = {"s3cr3t-value-XYZ", "hunter2hunter2", "AKIAFUZZSECRET00"};
  static const process::Masker masker = [] {
    std::vector<process::NamedSecret> secrets;
    for (const char* s : kSecrets) secrets.push_back({"FUZZ", Secret(s)});
    return process::Masker::Create(secrets).value();
  }();
  // The fuzzer's bytes with the secrets spliced in where byte 0x00 appears.
  std::string text;
  int next = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      text += kSecrets[next++ % 3];
    } else {
      text += static_cast<char>(data[i]);
    }
  }
  std::string masked = masker.Mask(text);
  for (const char* s : kSecrets) FUZZ_ASSERT(masked.find(s) == std::string::npos);
  return 0;
}
