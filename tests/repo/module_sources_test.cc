#include "gitops/repo/module_sources.h"

#include <gtest/gtest.h>

namespace datamcp::repo {
namespace {

std::vector<std::string> Sources(std::string_view tf) {
  auto r = ParseModuleSources(tf, "main.tf");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<std::string>{};
}

TEST(ParseModuleSourcesTest, ReadsTheSourceOfEachModuleBlock) {
  EXPECT_EQ(Sources(R"(module "a" {
  source = "../../modules/gcs"
  name   = "x"
}

module "b" {
  name = "y"
  source   =   "./local"
}
)"),
            (std::vector<std::string>{"../../modules/gcs", "./local"}));
}

TEST(ParseModuleSourcesTest, IgnoresCommentsStringsAndOtherBlocks) {
  EXPECT_EQ(Sources(R"(# module "c" { source = "../c" }
// module "d" {
/* module "e" {
  source = "../e"
} */
resource "terraform_data" "x" {
  source = "../not-a-module"
  input  = "module \"f\" { source = \"../f\" }"
}
locals {
  module = { source = "../g" }
}
module "h" {
  source = "../h" # a comment after it
}
)"),
            (std::vector<std::string>{"../h"}));
}

TEST(ParseModuleSourcesTest, ReadsOnlyTheBlocksOwnTopLevelSource) {
  EXPECT_EQ(Sources(R"(module "a" {
  providers = {
    source = "../nested"
  }
  settings {
    source = "../nested-block"
  }
  description = <<EOT
  source = "../heredoc"
EOT
  source = "../../modules/a"
}
)"),
            (std::vector<std::string>{"../../modules/a"}));
}

TEST(ParseModuleSourcesTest, SkipsSourcesThatAreNotPlainLiterals) {
  EXPECT_EQ(Sources(R"(module "a" {
  source = "../${var.name}"
}
module "b" {
  source = local.path
}
module "c" {
  source = "../c" != "" ? "../c" : "../d"
}
module "d" { source = "../inline" }
)"),
            (std::vector<std::string>{"../inline"}));
}

TEST(ParseModuleSourcesTest, RefusesBrokenFiles) {
  EXPECT_FALSE(ParseModuleSources("module \"a\" {\n  source = \"../a\"\n", "x.tf").ok());
  EXPECT_FALSE(ParseModuleSources("}\n", "x.tf").ok());
  EXPECT_FALSE(ParseModuleSources("module \"a\" {\n  source = \"../a\n}\n", "x.tf").ok());
  auto r = ParseModuleSources("/* never closed", "envs/dev/x.tf");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("envs/dev/x.tf"), std::string::npos);
  EXPECT_TRUE(Sources("").empty());
}

// Finding 2 of issue #11: an env:local proposal with this .tf overflowed the stack in the
// scanner (SkipString and SkipTemplate recursing into each other).
TEST(ParseModuleSourcesTest, DeeplyNestedTemplatesAreAnErrorNotACrash) {
  std::string tf = "x = \"";
  for (int i = 0; i < 200000; ++i) tf += "${\"";
  auto r = ParseModuleSources(tf, "main.tf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "main.tf: line 1: strings and ${ templates nest deeper than 256 levels; simplify the "
            "expression");
  // Nesting below the limit still scans, closed or not.
  std::string nested = "x = \"";
  for (int i = 0; i < 100; ++i) nested += "${\"";
  for (int i = 0; i < 100; ++i) nested += "\"}";
  EXPECT_TRUE(
      ParseModuleSources(nested + "\"\nmodule \"m\" {\n  source = \"./m\"\n}\n", "main.tf").ok());
  EXPECT_EQ(ParseModuleSources(nested, "main.tf").status().message(),
            "main.tf: line 1: unterminated string");
}

TEST(ResolveLocalModuleSourceTest, ResolvesAgainstTheCallersDirectory) {
  const std::string dir = "infra/terraform/envs/dev";
  EXPECT_EQ(ResolveLocalModuleSource(dir, "../../modules/gcs"), "infra/terraform/modules/gcs");
  EXPECT_EQ(ResolveLocalModuleSource(dir, "./sub//x/"), "infra/terraform/envs/dev/sub/x");
  EXPECT_EQ(ResolveLocalModuleSource(dir, "../../modules/./a/../b"), "infra/terraform/modules/b");
  EXPECT_EQ(ResolveLocalModuleSource(dir, "./"), dir);
}

TEST(ResolveLocalModuleSourceTest, RefusesRemoteAndEscapingSources) {
  const std::string dir = "infra/terraform/envs/dev";
  EXPECT_FALSE(ResolveLocalModuleSource(dir, "hashicorp/consul/aws"));
  EXPECT_FALSE(ResolveLocalModuleSource(dir, "git::https://example.com/m.git"));
  EXPECT_FALSE(ResolveLocalModuleSource(dir, "/abs/path"));
  EXPECT_FALSE(ResolveLocalModuleSource(dir, "../../../../../etc"));
  EXPECT_FALSE(ResolveLocalModuleSource(dir, "../../../.."));  // the repository root
  EXPECT_FALSE(ResolveLocalModuleSource(dir, "./.git/hooks"));
  EXPECT_FALSE(ResolveLocalModuleSource(dir, "..\\x"));
}

}  // namespace
}  // namespace datamcp::repo
