#pragma once

#include <string>
#include <vector>

#include "bot/app/startup.h"

namespace datamcp::bot {

// token --sub NAME --scopes "a b" [--ttl 1h]: mints an HS256 token with the server's key.
int RunToken(const std::vector<std::string>& args, const CommonOptions& common);

// init-repo DEST [--template DIR]: bootstraps a GitOps repository from repo-template/.
int RunInitRepo(const std::vector<std::string>& args, const CommonOptions& common);

}  // namespace datamcp::bot
