#include "gitops/repo/module_instance.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "gitops/repo/hcl_render.h"
#include "gitops/repo/module_variables.h"
#include "tests/repo/test_process.h"

namespace datamcp::repo {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const char* kVariables = R"tf(
# A comment with variable "fake" { inside
variable "name" {
  type        = string
  description = "Name with \"quotes\" and { braces }."

  validation {
    condition     = can(regex("^[a-z]{1,3}$", var.name)) && var.name != "default"
    error_message = "default = nope"
  }
}

/* variable "commented" { default = 1 } */
variable "labels" {
  type    = map(string)
  default = {}
}

variable "sizes" {
  type = list(number)
  default = [
    1,
    2,
  ]
}

variable "script" {
  type    = string
  default = <<-EOT
    echo "}"
    variable "heredoc" {
  EOT
}

variable "count_nodes" {
  type = number
}

variable "anything" {}
)tf";

RepoConfig Config() {
  std::string text = testing::ReadFile(testing::SourceDir() + "/repo-template/datamcp.yaml");
  Result<RepoConfig> config = ParseRepoConfig(text);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : RepoConfig{};
}

// Every module of repo-template, as the proposal code would read it from git.
ModuleLibrary TemplateLibrary() {
  ModuleLibrary library;
  fs::path dir = testing::SourceDir() + "/repo-template/infra/terraform/modules";
  for (const auto& entry : fs::directory_iterator(dir)) {
    library[entry.path().filename().string()] =
        testing::ReadFile((entry.path() / "variables.tf").string());
  }
  return library;
}

std::vector<std::string> TerraformEnv(const std::string& dir) {
  testing::WriteFile(dir + "/empty.tfrc", "");
  return {"PATH=/usr/bin:/bin", "HOME=" + dir, "TF_CLI_CONFIG_FILE=" + dir + "/empty.tfrc",
          "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"};
}

TEST(ModuleVariablesTest, ScansVariableBlocks) {
  Result<std::vector<ModuleVariable>> vars = ParseModuleVariables(kVariables, "m/variables.tf");
  ASSERT_TRUE(vars.ok()) << vars.status().ToString();
  ASSERT_EQ(vars->size(), 6u);
  EXPECT_EQ((*vars)[0].name, "name");
  EXPECT_EQ((*vars)[0].type, "string");
  EXPECT_EQ((*vars)[0].description, "Name with \"quotes\" and { braces }.");
  EXPECT_TRUE((*vars)[0].required);
  EXPECT_EQ((*vars)[1].type, "map(string)");
  EXPECT_FALSE((*vars)[1].required);
  EXPECT_FALSE((*vars)[2].required);
  EXPECT_EQ((*vars)[3].name, "script");
  EXPECT_FALSE((*vars)[3].required);
  EXPECT_TRUE((*vars)[4].required);
  EXPECT_EQ((*vars)[5].name, "anything");
  EXPECT_EQ((*vars)[5].type, "");
}

TEST(ModuleVariablesTest, ReportsMalformedFiles) {
  auto error = [](const char* text) {
    Result<std::vector<ModuleVariable>> r = ParseModuleVariables(text, "v.tf");
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(error("variable \"a\" {\n  type = string\n"),
            "v.tf: line 1: variable 'a' has no closing '}'");
  EXPECT_EQ(error("variable \"a\" {\n  description = \"open\n}\n"),
            "v.tf: line 2: unterminated string");
  EXPECT_EQ(error("variable a {\n}\n"), "v.tf: line 1: expected variable \"name\" {");
  EXPECT_EQ(error("variable \"a\" {}\nvariable \"a\" {}\n"),
            "v.tf: line 2: variable 'a' is declared twice");
  EXPECT_EQ(error("}\n"), "v.tf: line 1: unbalanced '}'");
}

// Finding 3 of issue #11: `description =` as the last tokens read one token past the end (a
// heap-buffer-overflow under ASan; tests/fuzz/corpus/module_variables holds the same bytes).
TEST(ModuleVariablesTest, AssignmentAtEndOfFileIsAnErrorNotAnOverread) {
  const std::string text = "variable\"\"{t=\ndescription=";
  ASSERT_EQ(text.size(), 26u);
  Result<std::vector<ModuleVariable>> r = ParseModuleVariables(text, "v.tf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "v.tf: line 1: variable '' has no closing '}'");
}

// Finding 2 of issue #11: `"${"` repeated recursed once per level in the scanner.
TEST(ModuleVariablesTest, DeeplyNestedTemplatesAreAnErrorNotACrash) {
  std::string text = "variable \"a\" {\n  default = \"";
  for (int i = 0; i < 200000; ++i) text += "${\"";
  Result<std::vector<ModuleVariable>> r = ParseModuleVariables(text, "v.tf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "v.tf: line 2: strings and ${ templates nest deeper than 256 levels; simplify the "
            "expression");
}

TEST(ModuleVariablesTest, EveryTemplateModuleScans) {
  for (const auto& [name, text] : TemplateLibrary()) {
    Result<std::vector<ModuleVariable>> vars = ParseModuleVariables(text, name);
    ASSERT_TRUE(vars.ok()) << vars.status().ToString();
    EXPECT_FALSE(vars->empty()) << name;
    for (const ModuleVariable& v : *vars) {
      EXPECT_FALSE(v.type.empty()) << name << "." << v.name;
      EXPECT_FALSE(v.description.empty()) << name << "." << v.name;
    }
  }
}

TEST(HclRenderTest, EscapesStringsSoNothingInterpolates) {
  EXPECT_EQ(HclQuote("a\"b\\c\n${x}%{if}$5 %d"), R"("a\"b\\c\n$${x}%%{if}$5 %d")");
  EXPECT_EQ(HclQuote(std::string("\x01", 1)), R"("\u0001")");
  EXPECT_FALSE(IsHclIdentifier("1abc"));
  EXPECT_TRUE(IsHclIdentifier("raw_events-1"));
}

TEST(ModuleInstanceTest, RendersAModuleBlockWithRelativeSource) {
  ModuleRequest req{"gcs", "raw_events", "dev",
                    json{{"project_id", "acme-data-dev"},
                         {"name", "acme-raw"},
                         {"location", "EU"},
                         {"labels", {{"team", "data"}, {"cost.center", "42"}}},
                         {"delete_after_days", 30}}};
  Result<GeneratedFile> file = InstantiateModule(Config(), TemplateLibrary(), req);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->path, "infra/terraform/envs/dev/raw_events.tf");
  EXPECT_EQ(file->content,
            "# Module instance proposed through DataMCP (module gcs, environment dev).\n"
            "module \"raw_events\" {\n"
            "  source = \"../../modules/gcs\"\n\n"
            "  delete_after_days = 30\n"
            "  labels = {\n"
            "    \"cost.center\" = \"42\"\n"
            "    team          = \"data\"\n"
            "  }\n"
            "  location   = \"EU\"\n"
            "  name       = \"acme-raw\"\n"
            "  project_id = \"acme-data-dev\"\n"
            "}\n");
}

TEST(ModuleInstanceTest, RejectsUnknownAndMissingVariables) {
  RepoConfig config = Config();
  ModuleLibrary library = TemplateLibrary();
  Result<GeneratedFile> unknown = InstantiateModule(
      config, library,
      {"local-data", "a", "local", json{{"name", "a"}, {"owner", "o"}, {"size", 1}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "variables.size: module 'local-data' has no such variable; it declares: name, owner, "
            "retention_days, labels");
  Result<GeneratedFile> missing =
      InstantiateModule(config, library, {"gcs", "b", "dev", json{{"name", "bucket"}}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "variables: module 'gcs' requires project_id, location (no default); add them to "
            "variables");
  Result<GeneratedFile> typed = InstantiateModule(
      config, library, {"local-data", "c", "local", json{{"name", "c"}, {"owner", 7}}});
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.status().message(),
            "variables.owner: module 'local-data' declares type string, got a JSON number");
}

TEST(ModuleInstanceTest, RejectsBadInstanceModuleAndEnvironment) {
  RepoConfig config = Config();
  ModuleLibrary library = TemplateLibrary();
  json vars{{"name", "a"}, {"owner", "o"}};
  Result<GeneratedFile> r =
      InstantiateModule(config, library, {"local-data", "../x", "local", vars});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("instance: '../x' must be a Terraform identifier"),
            std::string::npos);
  r = InstantiateModule(config, library, {"local-data", "main", "local", vars});
  EXPECT_EQ(r.status().message(),
            "instance: 'main' is reserved (it would replace the root's own main.tf); choose a "
            "name for what the module creates, e.g. raw_events");
  r = InstantiateModule(config, library, {"vpc", "a", "local", vars});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "module: 'vpc' is not in the module library; available: aws-account, aws-vpc, eks, "
            "gcs, gke, iam, local-data, network, project, s3");
  r = InstantiateModule(config, library, {"local-data", "a", "qa", vars});
  EXPECT_EQ(r.status().message(),
            "environment 'qa' is not defined in datamcp.yaml; known: local, dev, prod, aws-dev, "
            "aws-prod");
}

// The generated file is what terraform itself accepts: fmt leaves it unchanged, and the
// local environment plans and applies it offline, with hostile strings kept literal.
TEST(ModuleInstanceTest, GeneratedFilePlansAndAppliesWithRealTerraform) {
  testing::TempDir tmp;
  fs::copy(testing::SourceDir() + "/repo-template/infra", tmp.path() + "/infra",
           fs::copy_options::recursive);
  std::string hostile = "x\"; ${file(\"/etc/passwd\")} %{ if true }y%{ endif } \\ \n";
  ModuleRequest req{"local-data", "clicks", "local",
                    json{{"name", "clicks"},
                         {"owner", hostile},
                         {"retention_days", 14},
                         {"labels", {{"a b", "c"}, {"tier", "gold"}}}}};
  Result<GeneratedFile> file = InstantiateModule(Config(), TemplateLibrary(), req);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  testing::WriteFile(tmp.path() + "/" + file->path, file->content);
  std::string root = tmp.path() + "/infra/terraform/envs/local";
  auto env = TerraformEnv(tmp.path());
  auto fmt = testing::RunProcess(
      {"/usr/local/bin/terraform", "fmt", "-check", "-diff", "clicks.tf"}, root, env);
  EXPECT_EQ(fmt.exit_code, 0) << fmt.output;
  auto init = testing::RunProcess({"/usr/local/bin/terraform", "init", "-input=false", "-no-color"},
                                  root, env);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  auto apply = testing::RunProcess(
      {"/usr/local/bin/terraform", "apply", "-auto-approve", "-input=false", "-no-color"}, root,
      env);
  ASSERT_EQ(apply.exit_code, 0) << apply.output;
  auto out = testing::RunProcess({"/usr/local/bin/terraform", "output", "-json"}, root, env);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto show = testing::RunProcess({"/usr/local/bin/terraform", "show", "-json"}, root, env);
  json state = json::parse(show.output, nullptr, false);
  ASSERT_FALSE(state.is_discarded()) << show.output;
  bool found = false;
  for (const json& m : state["values"]["root_module"]["child_modules"]) {
    if (m["address"] != "module.clicks") continue;
    EXPECT_EQ(m["resources"][0]["values"]["output"]["owner"], hostile);
    found = true;
  }
  EXPECT_TRUE(found) << show.output.substr(0, 2000);
}

}  // namespace
}  // namespace datamcp::repo
