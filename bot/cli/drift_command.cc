#include "bot/cli/drift_command.h"

#include <cstdio>

#include "bot/cli/cli_support.h"
#include "bot/cli/ops_commands.h"
#include "gitops/apply/drift_record.h"

namespace datamcp::bot {

int RunDrift(const std::vector<std::string>& args, const CommonOptions& common) {
  bool now = false, json = false;
  for (const auto& a : args) {
    if (a == "--now") {
      now = true;
    } else if (a == "--json") {
      json = true;
    } else {
      return CliFail(
          "drift: unexpected argument '" + a + "'; usage: datamcp drift [--now] [--json]", 2);
    }
  }
  config::Config config;
  auto stack = OpenStack(common, &config);
  if (!stack.ok()) return CliFail(stack.status().message());
  if (now) {
    auto report = (*stack)->drift->RunOnce();
    if (!report.ok()) return CliFail("drift --now: " + report.status().message());
    if (report->deferred) return CliFail("drift --now: another replica is running a pass", 1);
    for (const auto& skipped : report->skipped) {
      std::fprintf(stderr, "skipped %s (tried again next pass)\n", skipped.c_str());
    }
  }
  std::string tip;
  auto repo_config = (*stack)->proposals->LoadConfig(&tip);
  if (!repo_config.ok()) return CliFail(repo_config.status().message());
  auto notes = (*stack)->repo->ReadNotes(tip);
  if (!notes.ok()) return CliFail(notes.status().message());
  nlohmann::json out = nlohmann::json::array();
  bool drifted = false;
  for (const auto& env : repo_config->environments) {
    if (env.terraform_root.empty()) continue;
    auto record = apply::FindDriftRecord(*notes, tip, env.terraform_root);
    if (!record) {
      out.push_back({{"project", env.terraform_root},
                     {"environment", env.name},
                     {"result", "unchecked"},
                     {"commit", tip}});
      if (!json) std::printf("%s: not checked at %.12s\n", env.terraform_root.c_str(), tip.c_str());
      continue;
    }
    drifted = drifted || record->drifted();
    out.push_back(apply::ToJson(*record));
    if (json) continue;
    std::printf("%s: %s at %.12s\n", record->project.c_str(), record->result.c_str(),
                record->commit.c_str());
    for (const auto& r : record->resources) {
      std::printf("  %s %s\n", r.action.c_str(), r.address.c_str());
    }
  }
  if (json) std::printf("%s\n", out.dump(2).c_str());
  return drifted ? 3 : 0;
}

}  // namespace datamcp::bot
