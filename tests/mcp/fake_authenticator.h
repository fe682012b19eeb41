#pragma once

#include <map>
#include <string>

#include "bot/auth/principal.h"

namespace datamcp::bot::mcp::testing {

// An Authenticator over a fixed token table, for transport tests (the real JWT one is
// tested in tests/auth). "expired-token-xyz" is refused as expired; unknown tokens as invalid.
class FakeAuthenticator final : public Authenticator {
 public:
  void Add(const std::string& token, Principal p) { tokens_[token] = std::move(p); }
  Result<Principal> Authenticate(const std::string& token) const override {
    if (token.empty()) return Unauthenticated("a bearer token is required");
    if (token == "expired-token-xyz") return Unauthenticated("the token expired");
    auto it = tokens_.find(token);
    if (it == tokens_.end()) return Unauthenticated("the token is not valid");
    return it->second;
  }

 private:
  std::map<std::string, Principal> tokens_;
};

}  // namespace datamcp::bot::mcp::testing
