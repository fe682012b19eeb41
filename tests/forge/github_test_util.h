#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/clock.h"
#include "gitops/forge/github_forge.h"
#include "tests/forge/fake_github.h"

namespace datamcp::forge::testing {

// An RSA key pair in PEM, made fresh for a test (GitHub App keys).
struct RsaKeyPair {
  std::string private_pem;
  std::string public_pem;
};
RsaKeyPair MakeRsaKeyPair();

// One fake GitHub per test suite, reset before each test; after each test the fake must have
// seen no schema violation.
class GithubFakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  // A forge on the fake with token auth (the fake accepts "test-token").
  std::unique_ptr<GithubForge> TokenForge(const std::string& api_suffix = "");
  // A forge on the fake as GitHub App 5 (installation 6), the fake told the App's public key.
  std::unique_ptr<GithubForge> AppForge();
  GithubForgeOptions Options(const std::string& api_suffix = "") const;
  // The fake's state, and its request log filtered by method and path substring.
  nlohmann::json State();
  std::vector<nlohmann::json> Requests(const std::string& method, const std::string& path_part);
  nlohmann::json Control(const std::string& path, const nlohmann::json& body);

  static FakeGithub* fake_;
  static std::string start_error_;
  ManualClock clock_;
};

}  // namespace datamcp::forge::testing

namespace datamcp::forge::testing {

// Writes a self-signed certificate for "localhost" (and 127.0.0.1) and its key, as PEM files
// cert.pem and key.pem under `dir`.
void WriteSelfSignedCert(const std::string& dir);

}  // namespace datamcp::forge::testing
