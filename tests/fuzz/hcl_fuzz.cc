// A Terraform file (what a proposal can write) through both HCL scanners.
#include "gitops/repo/hcl_lexer.h"
#include "gitops/repo/module_sources.h"
#include "gitops/repo/module_variables.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text = AsText(data, size);
  auto tokens = repo::LexHcl(text, "main.tf");
  if (tokens.ok()) {
    for (const repo::HclToken& t : *tokens) FUZZ_ASSERT(t.begin <= t.end && t.end <= size);
  }
  (void)repo::ParseModuleSources(text, "main.tf");
  auto vars = repo::ParseModuleVariables(text, "variables.tf");
  if (vars.ok()) {
    for (const repo::ModuleVariable& v : *vars) FUZZ_ASSERT(v.type.size() <= size);
  }
  return 0;
}
