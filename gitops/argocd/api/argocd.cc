#include "gitops/argocd/api/argocd.h"

namespace datamcp::argocd {
namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

Status ValidateObjectName(const std::string& value, const std::string& what) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument(what + " '" + value.substr(0, 64) +
                           "' is not a valid Kubernetes name (" + why +
                           "): use lower-case letters, digits, '-' and '.'");
  };
  if (value.empty()) return bad("empty");
  if (value.size() > 253) return bad("longer than 253 characters");
  if (!IsAlnum(value.front()) || !IsAlnum(value.back())) {
    return bad("must start and end with a letter or digit");
  }
  for (char c : value) {
    if (!IsAlnum(c) && c != '-' && c != '.')
      return bad("contains a character other than a-z 0-9 - .");
  }
  return Status::Ok();
}

}  // namespace datamcp::argocd
