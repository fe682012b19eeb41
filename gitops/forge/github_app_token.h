#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/common/secret.h"
#include "gitops/forge/github_http.h"

namespace datamcp::forge {

// Where GithubForge gets the bearer token for each call. Thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual Result<Secret> Token() = 0;
  // The forge saw a 401 with the current token: drop any cached one. Returns whether a
  // retry can get a different token.
  virtual bool Invalidate() { return false; }
};

// A fixed token (personal access token, fine-grained token, Actions token).
class StaticTokenSource final : public TokenSource {
 public:
  explicit StaticTokenSource(Secret token) : token_(std::move(token)) {}
  Result<Secret> Token() override { return token_; }

 private:
  Secret token_;
};

// Signs a GitHub App JWT: RS256, {"iat": now-60, "exp": now+540, "iss": app_id}.
// Errors: InvalidArgument when the key is not an RSA private key in PEM.
Result<Secret> MakeGithubAppJwt(const std::string& app_id, const Secret& private_key_pem,
                                long long now_unix_seconds);

// A GitHub App installation token: a JWT signed with the App's key is exchanged at
// POST /app/installations/{id}/access_tokens; the token is cached and exchanged again
// `refresh_before` ahead of its expires_at (and after Invalidate()).
class AppTokenSource final : public TokenSource {
 public:
  // Checks the key and ids up front: InvalidArgument names the bad one.
  static Result<std::unique_ptr<AppTokenSource>> Create(
      GithubHttp& http, Clock& clock, std::string app_id, std::string installation_id,
      Secret private_key_pem, Clock::Duration refresh_before = std::chrono::minutes(5));

  Result<Secret> Token() override;
  bool Invalidate() override;

 private:
  AppTokenSource(GithubHttp& http, Clock& clock) : http_(http), clock_(clock) {}

  GithubHttp& http_;
  Clock& clock_;
  std::string app_id_;
  std::string installation_id_;
  Secret key_;
  Clock::Duration refresh_before_{};
  std::mutex mu_;
  Secret token_;
  long long expires_at_ = 0;
};

}  // namespace datamcp::forge
