#include "gitops/forge/github_app_token.h"

#include <nlohmann/json.hpp>

#include "gitops/common/jwt_sign.h"
#include "gitops/common/log.h"
#include "gitops/common/utc_time.h"

namespace datamcp::forge {
namespace {

using nlohmann::json;

Status BadAppKey() {
  return InvalidArgument(
      "forge.github_app_private_key is not an RSA private key in PEM; download the App's "
      "private key (.pem) from its GitHub settings");
}

}  // namespace

Result<Secret> MakeGithubAppJwt(const std::string& app_id, const Secret& private_key_pem,
                                long long now) {
  auto jwt =
      SignJwtRs256(json{{"iat", now - 60}, {"exp", now + 540}, {"iss", app_id}}, private_key_pem);
  if (!jwt.ok() && jwt.status().code() == StatusCode::kInvalidArgument) return BadAppKey();
  if (!jwt.ok()) return jwt.status().WithContext("GitHub App JWT");
  return Secret(std::move(jwt).value());
}

Result<std::unique_ptr<AppTokenSource>> AppTokenSource::Create(GithubHttp& http, Clock& clock,
                                                               std::string app_id,
                                                               std::string installation_id,
                                                               Secret private_key_pem,
                                                               Clock::Duration refresh_before) {
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() < 20 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(app_id)) {
    return InvalidArgument("forge.github_app_id '" + app_id + "' is not a number (App ID)");
  }
  if (!digits(installation_id)) {
    return InvalidArgument("forge.github_installation_id '" + installation_id +
                           "' is not a number (installation ID)");
  }
  if (!CheckRsaPrivateKeyPem(private_key_pem).ok()) return BadAppKey();
  std::unique_ptr<AppTokenSource> source(new AppTokenSource(http, clock));
  source->app_id_ = std::move(app_id);
  source->installation_id_ = std::move(installation_id);
  source->key_ = std::move(private_key_pem);
  source->refresh_before_ = refresh_before;
  return source;
}

Result<Secret> AppTokenSource::Token() {
  std::lock_guard lock(mu_);
  long long now = clock_.UnixSeconds();
  long long margin = std::chrono::duration_cast<std::chrono::seconds>(refresh_before_).count();
  if (!token_.empty() && now < expires_at_ - margin) return token_;
  DATAMCP_ASSIGN_OR_RETURN(Secret jwt, MakeGithubAppJwt(app_id_, key_, now));
  json body = json::object();
  auto answer =
      http_.Call("POST", "/app/installations/" + installation_id_ + "/access_tokens", &body, jwt);
  if (!answer.ok()) {
    return Status(answer.status().code(), answer.status().message())
        .WithContext("GitHub App installation token for app " + app_id_);
  }
  const json& j = *answer;
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string() ||
      !j.contains("expires_at") || !j["expires_at"].is_string()) {
    return Internal("GitHub's installation token answer lacks token or expires_at");
  }
  DATAMCP_ASSIGN_OR_RETURN(expires_at_, ParseUtcIso8601(j["expires_at"].get<std::string>()));
  token_ = Secret(j["token"].get<std::string>());
  log::Info("github_app_token", {{"app_id", app_id_},
                                 {"installation_id", installation_id_},
                                 {"expires_at", j["expires_at"]}});
  return token_;
}

bool AppTokenSource::Invalidate() {
  std::lock_guard lock(mu_);
  token_ = Secret();
  expires_at_ = 0;
  return true;
}

}  // namespace datamcp::forge
