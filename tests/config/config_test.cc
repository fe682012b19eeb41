#include "gitops/config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gitops/config/config_keys.h"

namespace datamcp::config {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  fs::path dir_;
};

TEST_F(ConfigTest, DefaultsAreSafe) {
  auto c = Load({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.bind, "127.0.0.1");
  EXPECT_EQ(c->auth.mode, "jwt");
  EXPECT_EQ(c->forge.kind, "local");
  EXPECT_EQ(c->PublicUrl(), "http://127.0.0.1:8080");
}

TEST_F(ConfigTest, ReadsNestedYamlAndLists) {
  std::string f = Write("c.yaml",
                        "server:\n  port: 9000\n  allowed_origins: [https://a.example, "
                        "https://b.example]\nrepository:\n  url: file:///tmp/x.git\n"
                        "webhooks:\n  plan_forks: true\n");
  auto c = Load({.file = f});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.port, 9000);
  EXPECT_EQ(c->server.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c->repository.url, "file:///tmp/x.git");
  EXPECT_TRUE(c->webhooks.plan_forks);
}

TEST_F(ConfigTest, EnvironmentOverridesFile) {
  std::string f = Write("c.yaml", "server:\n  port: 9000\n");
  auto c = Load({.file = f,
                 .env = {{"DATAMCP_SERVER_PORT", "9100"},
                         {"DATAMCP_SERVER_ALLOWED_HOSTS", "a.example, b.example"}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.port, 9100);
  EXPECT_EQ(c->server.allowed_hosts, (std::vector<std::string>{"a.example", "b.example"}));
}

TEST_F(ConfigTest, BadValueNamesKeyAndSource) {
  auto c = Load({.env = {{"DATAMCP_SERVER_PORT", "70000"}}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "server.port (from DATAMCP_SERVER_PORT): 70000 is not a port number (0-65535); "
            "`datamcp config --reference` describes every key");

  auto d = Load({.env = {{"DATAMCP_SERVER_PORT", "eighty"}}});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "server.port (from DATAMCP_SERVER_PORT): 'eighty' is not a whole number");
}

TEST_F(ConfigTest, UnknownFileKeyIsAnError) {
  std::string f = Write("c.yaml", "server:\n  prot: 1\n");
  auto c = Load({.file = f});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("server.prot (from " + f + "): unknown key"),
            std::string::npos);
}

TEST_F(ConfigTest, UnknownEnvVariableIsOnlyAWarning) {
  std::vector<std::string> warnings;
  auto c = Load({.env = {{"DATAMCP_PORT", "tcp://10.0.0.1:80"}}}, &warnings);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("DATAMCP_PORT"), std::string::npos);
}

TEST_F(ConfigTest, SecretsAreRefusedInlineInTheFile) {
  std::string f = Write("c.yaml", "auth:\n  hs256_secret: hunter2\n");
  auto c = Load({.file = f});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("set auth.hs256_secret_file"), std::string::npos);
  EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos);
}

TEST_F(ConfigTest, SecretsComeFromFilesAndEnv) {
  std::string secret = Write("s", "from-file-secret\n");
  std::string f = Write("c.yaml", "auth:\n  hs256_secret_file: " + secret + "\n");
  auto c = Load({.file = f, .env = {{"DATAMCP_WEBHOOKS_SECRET", "env-secret"}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->auth.hs256_secret.Reveal(), "from-file-secret");
  EXPECT_EQ(c->webhooks.secret.Reveal(), "env-secret");

  auto d = Load({.env = {{"DATAMCP_FORGE_GITHUB_TOKEN_FILE", (dir_ / "missing").string()}}});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("forge.github_token (from DATAMCP_FORGE_GITHUB_TOKEN_FILE)"),
            std::string::npos);
}

TEST_F(ConfigTest, NoAuthIsRefusedOffLoopback) {
  EXPECT_TRUE(Load({.env = {{"DATAMCP_AUTH_MODE", "none"}}}).ok());
  auto c = Load({.env = {{"DATAMCP_AUTH_MODE", "none"}, {"DATAMCP_SERVER_BIND", "0.0.0.0"}}});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(
      c.status().message().starts_with("auth.mode (from DATAMCP_AUTH_MODE): none is only allowed"))
      << c.status().message();
}

TEST_F(ConfigTest, GithubForgeNeedsCredentialsAndWebhookSecret) {
  std::map<std::string, std::string> env = {{"DATAMCP_FORGE_KIND", "github"},
                                            {"DATAMCP_FORGE_GITHUB_REPOSITORY", "acme/gitops"}};
  auto a = Load({.env = env});
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(a.status().message().starts_with("forge.github_token:"));
  env["DATAMCP_FORGE_GITHUB_TOKEN"] = "t";
  auto b = Load({.env = env});
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(b.status().message().starts_with("webhooks.secret:"));
  env["DATAMCP_WEBHOOKS_SECRET"] = "w";
  EXPECT_TRUE(Load({.env = env}).ok());
}

TEST_F(ConfigTest, MalformedYamlReportsLine) {
  std::string f = Write("c.yaml", "server:\n  port: [1,\n");
  auto c = Load({.file = f});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("line"), std::string::npos);
}

TEST_F(ConfigTest, RsaNeedsAKey) {
  auto c = Load({.env = {{"DATAMCP_AUTH_ALGORITHM", "RS256"}}});
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().message().starts_with("auth.public_key_file:"));
  EXPECT_FALSE(Load({.env = {{"DATAMCP_AUTH_ALGORITHM", "none"}}}).ok());
}

TEST_F(ConfigTest, ReadsMcpExposureAndLimitsAndRefusesBadLimits) {
  std::string f = Write("c.yaml",
                        "mcp:\n  read_only: true\n  tools: [get_server_info, plan_preview]\n"
                        "  rate_limit_burst: 5\n  rate_limit_per_minute: 0\n");
  auto c = Load({.file = f});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->mcp.read_only);
  EXPECT_EQ(c->mcp.tools, (std::vector<std::string>{"get_server_info", "plan_preview"}));
  EXPECT_EQ(c->mcp.rate_limit_burst, 5);
  EXPECT_EQ(c->mcp.rate_limit_per_minute, 0);
  auto burst = Load({.env = {{"DATAMCP_MCP_RATE_LIMIT_BURST", "0"}}});
  ASSERT_FALSE(burst.ok());
  EXPECT_TRUE(burst.status().message().starts_with(
      "mcp.rate_limit_burst (from DATAMCP_MCP_RATE_LIMIT_BURST): 0 must be between 1"))
      << burst.status().message();
  auto rate = Load({.env = {{"DATAMCP_MCP_RATE_LIMIT_PER_MINUTE", "-1"}}});
  ASSERT_FALSE(rate.ok());
  EXPECT_TRUE(rate.status().message().starts_with(
      "mcp.rate_limit_per_minute (from DATAMCP_MCP_RATE_LIMIT_PER_MINUTE): -1"))
      << rate.status().message();
}

TEST_F(ConfigTest, AllowedHostsNeedAnAllowedNetwork) {
  auto alone = Load({.env = {{"DATAMCP_PLAN_ALLOWED_HOSTS", "registry.terraform.io"}}});
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.status().message().find("plan.allowed_hosts"), std::string::npos);
  EXPECT_NE(alone.status().message().find("needs plan.network: allow"), std::string::npos)
      << alone.status().message();
  auto c =
      Load({.env = {{"DATAMCP_PLAN_NETWORK", "allow"},
                    {"DATAMCP_PLAN_ALLOWED_HOSTS", "registry.terraform.io, *.googleapis.com"}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->plan.allowed_hosts,
            (std::vector<std::string>{"registry.terraform.io", "*.googleapis.com"}));
}

TEST_F(ConfigTest, ReadmeDocumentsEveryKey) {
  const char* src = std::getenv("DATAMCP_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  std::ifstream in(fs::path(src) / "README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  // The README's table is `datamcp config --reference`; regenerate it when keys change.
  EXPECT_NE(ss.str().find(ReferenceMarkdown()), std::string::npos)
      << "README.md's configuration table is stale; paste `datamcp config --reference`";
}

TEST_F(ConfigTest, ReadmeStaysInTheRepositoryAndShowsHowToConnect) {
  const char* src = std::getenv("DATAMCP_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  std::ifstream in(fs::path(src) / "README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  EXPECT_EQ(readme.find("../"), std::string::npos) << "README.md points outside the repository";
  for (const char* needed : {"server:read", "\"mcpServers\"", "DATAMCP_TOKEN", "\"url\": \"http://",
                             "\"module\": \"local-data\"", "terraform_bin"}) {
    EXPECT_NE(readme.find(needed), std::string::npos) << "README.md lacks " << needed;
  }
}

TEST_F(ConfigTest, DriftIsOffByDefaultAndReadFromFileAndEnvironment) {
  auto c = Load({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->drift.interval_seconds, 0);
  auto f = Write("c.yaml", "drift:\n  interval_seconds: 300\n");
  auto file = Load({.file = f});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->drift.interval_seconds, 300);
  auto env = Load({.file = f, .env = {{"DATAMCP_DRIFT_INTERVAL_SECONDS", "2"}}});
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->drift.interval_seconds, 2);
}

TEST_F(ConfigTest, RejectsBadDriftIntervalNamingTheKeyAndSource) {
  auto negative = Load({.env = {{"DATAMCP_DRIFT_INTERVAL_SECONDS", "-5"}}});
  ASSERT_FALSE(negative.ok());
  EXPECT_TRUE(negative.status().message().starts_with(
      "drift.interval_seconds (from DATAMCP_DRIFT_INTERVAL_SECONDS): -5 must be 0 (off) or "
      "between 1 and 604800"))
      << negative.status().message();
  auto words = Load({.file = Write("c.yaml", "drift:\n  interval_seconds: 5m\n")});
  ASSERT_FALSE(words.ok());
  EXPECT_NE(words.status().message().find("drift.interval_seconds"), std::string::npos)
      << words.status().message();
  EXPECT_NE(words.status().message().find("'5m' is not a whole number"), std::string::npos)
      << words.status().message();
}

TEST_F(ConfigTest, AdminPortIsOffByDefaultAndMustDifferFromThePort) {
  auto c = Load({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.admin_port, 0);
  auto set =
      Load({.file = Write("c.yaml", "server:\n  admin_port: 9090\n  admin_bind: 0.0.0.0\n")});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->server.admin_port, 9090);
  EXPECT_EQ(set->server.admin_bind, "0.0.0.0");

  auto same = Load({.env = {{"DATAMCP_SERVER_ADMIN_PORT", "8080"}}});
  ASSERT_FALSE(same.ok());
  EXPECT_TRUE(same.status().message().starts_with(
      "server.admin_port (from DATAMCP_SERVER_ADMIN_PORT): must differ from server.port (8080)"))
      << same.status().message();
  auto range = Load({.env = {{"DATAMCP_SERVER_ADMIN_PORT", "-1"}}});
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("-1 is not a port number (0: off, 1-65535)"),
            std::string::npos)
      << range.status().message();
}

}  // namespace
}  // namespace datamcp::config
