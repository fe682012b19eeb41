#include "tests/forge/github_test_util.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

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
