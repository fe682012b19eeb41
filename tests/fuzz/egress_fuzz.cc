// What a sandboxed planner sends the egress proxy (its CONNECT head), and the operator's
// plan.allowed_hosts: parsing never crashes, and a parsed target has a port and a host an
// allow-list can match only when it names that host.
#include "gitops/process/egress_rules.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp::process;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view text = AsText(data, size);
  auto target = ParseConnectHead(text);
  if (target.ok()) {
    FUZZ_ASSERT(target->port >= 1 && target->port <= 65535);
    FUZZ_ASSERT(!target->host.empty());
    auto rules = ParseEgressRules({"registry.terraform.io", "*.googleapis.com"});
    FUZZ_ASSERT(rules.ok());
    if (EgressAllowed(*rules, target->host, target->port)) {
      FUZZ_ASSERT(target->port == 443);
      FUZZ_ASSERT(target->host == "registry.terraform.io" ||
                  target->host.ends_with(".googleapis.com") ||
                  target->host.ends_with(".googleapis.com."));
    }
  }
  // The same bytes as an allowed_hosts entry: a rule parsed from it matches its own host.
  auto newline = text.find('\n');
  std::string entry(text.substr(0, newline));
  auto rules = ParseEgressRules({entry});
  if (rules.ok() && !(*rules)[0].wildcard) {
    FUZZ_ASSERT(EgressAllowed(*rules, (*rules)[0].host, (*rules)[0].port));
  }
  return 0;
}
