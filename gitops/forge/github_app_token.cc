#include "gitops/forge/github_app_token.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "gitops/common/log.h"

namespace datamcp::forge {
namespace {

using nlohmann::json;

std::string Base64Url(const unsigned char* data, std::size_t len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string Base64Url(const std::string& s) {
  return Base64Url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Result<PkeyPtr> LoadRsaKey(const Secret& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.Reveal().data(), static_cast<int>(pem.Reveal().size())), BIO_free);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
              EVP_PKEY_free);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return InvalidArgument(
        "forge.github_app_private_key is not an RSA private key in PEM; download the App's "
        "private key (.pem) from its GitHub settings");
  }
  return key;
}

}  // namespace

Result<Secret> MakeGithubAppJwt(const std::string& app_id, const Secret& private_key_pem,
                                long long now) {
  DATAMCP_ASSIGN_OR_RETURN(PkeyPtr key, LoadRsaKey(private_key_pem));
  std::string header = Base64Url(json{{"alg", "RS256"}, {"typ", "JWT"}}.dump());
  std::string claims =
      Base64Url(json{{"iat", now - 60}, {"exp", now + 540}, {"iss", app_id}}.dump());
  std::string input = header + "." + claims;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t sig_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return Internal("cannot sign the GitHub App JWT (OpenSSL)");
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return Internal("cannot sign the GitHub App JWT (OpenSSL)");
  }
  sig.resize(sig_len);
  return Secret(input + "." + Base64Url(sig));
}

Result<long long> ParseGithubTime(const std::string& s) {
  std::tm tm{};
  char z = 0;
  int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                      &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z);
  if (n != 7 || z != 'Z' || s.size() != 20) {
    return InvalidArgument("'" + s + "' is not a UTC time like 2016-07-11T22:14:10Z");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm));
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
  DATAMCP_RETURN_IF_ERROR(LoadRsaKey(private_key_pem).status());
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
  DATAMCP_ASSIGN_OR_RETURN(expires_at_, ParseGithubTime(j["expires_at"].get<std::string>()));
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
