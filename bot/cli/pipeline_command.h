#pragma once

#include <string>
#include <vector>

#include "bot/app/startup.h"

namespace datamcp::bot {

// pipeline new NAME --env ENV --template T --image IMAGE [--tag T] [--digest D]
//   [--schedule CRON] [--replicas N] [--request cpu=Q] [--limit memory=Q]
//   [--source KEY=VALUE]... [--sink KEY=VALUE]... [--dir CHECKOUT]
// Scaffolds a data pipeline by hand in a checkout of the GitOps repository (default: the
// current directory): its definition and, when absent, its Argo CD Application, checked like
// propose_pipeline checks them (every field, then the template's schema read from the
// checkout). Never overwrites a definition. Commit the files on a branch and open a pull
// request: DataMCP plans it like any change. Exit 0 done, 1 failure, 2 usage.
int RunPipeline(const std::vector<std::string>& args, const CommonOptions& common);

}  // namespace datamcp::bot
