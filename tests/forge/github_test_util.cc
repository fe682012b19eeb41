#include "tests/forge/github_test_util.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cstdio>

namespace datamcp::forge::testing {

FakeGithub* GithubFakeTest::fake_ = nullptr;
std::string GithubFakeTest::start_error_;

RsaKeyPair MakeRsaKeyPair() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  RsaKeyPair pair;
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  char* data = nullptr;
  long n = BIO_get_mem_data(priv, &data);
  pair.private_pem.assign(data, static_cast<std::size_t>(n));
  n = BIO_get_mem_data(pub, &data);
  pair.public_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return pair;
}

void WriteSelfSignedCert(const std::string& dir) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  const char* exts[][2] = {{"subjectAltName", "DNS:localhost,IP:127.0.0.1"},
                           {"basicConstraints", "critical,CA:TRUE"}};
  for (const auto& e : exts) {
    X509_EXTENSION* ext = X509V3_EXT_conf(nullptr, &ctx, e[0], e[1]);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  FILE* f = std::fopen((dir + "/cert.pem").c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen((dir + "/key.pem").c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

void GithubFakeTest::SetUpTestSuite() {
  fake_ = new FakeGithub;
  Status s = fake_->Start();
  start_error_ = s.ok() ? "" : s.ToString();
}

void GithubFakeTest::TearDownTestSuite() {
  delete fake_;
  fake_ = nullptr;
}

void GithubFakeTest::SetUp() {
  ASSERT_TRUE(start_error_.empty()) << start_error_;
  ASSERT_TRUE(fake_->Control("reset").ok());
}

void GithubFakeTest::TearDown() {
  if (!start_error_.empty()) return;
  nlohmann::json state = State();
  EXPECT_EQ(state["violations"], nlohmann::json::array())
      << "the fake saw requests or answers that do not match @octokit/openapi: "
      << state["violations"].dump(2);
}

GithubForgeOptions GithubFakeTest::Options(const std::string& api_suffix) const {
  GithubForgeOptions options;
  options.http.api_url = fake_->url() + api_suffix;
  options.repository = "octo/gitops";
  return options;
}

std::unique_ptr<GithubForge> GithubFakeTest::TokenForge(const std::string& api_suffix) {
  GithubAuth auth;
  auth.token = Secret("test-token");
  auto forge = GithubForge::Create(Options(api_suffix), auth, clock_);
  EXPECT_TRUE(forge.ok()) << forge.status().ToString();
  return forge.ok() ? std::move(forge).value() : nullptr;
}

std::unique_ptr<GithubForge> GithubFakeTest::AppForge() {
  RsaKeyPair keys = MakeRsaKeyPair();
  Control("config", {{"app", {{"id", 5}, {"public_key_pem", keys.public_pem}}}});
  GithubAuth auth;
  auth.app_id = "5";
  auth.installation_id = "6";
  auth.app_private_key_pem = Secret(keys.private_pem);
  auto forge = GithubForge::Create(Options(), auth, clock_);
  EXPECT_TRUE(forge.ok()) << forge.status().ToString();
  return forge.ok() ? std::move(forge).value() : nullptr;
}

nlohmann::json GithubFakeTest::State() {
  auto state = fake_->State();
  EXPECT_TRUE(state.ok()) << state.status().ToString();
  return state.ok() ? *state : nlohmann::json::object();
}

std::vector<nlohmann::json> GithubFakeTest::Requests(const std::string& method,
                                                     const std::string& path_part) {
  std::vector<nlohmann::json> out;
  nlohmann::json state = State();
  for (const auto& r : state["requests"]) {
    if (r["method"] == method &&
        r["path"].get<std::string>().find(path_part) != std::string::npos) {
      out.push_back(r);
    }
  }
  return out;
}

nlohmann::json GithubFakeTest::Control(const std::string& path, const nlohmann::json& body) {
  auto r = fake_->Control(path, body);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nlohmann::json();
}

}  // namespace datamcp::forge::testing
