#pragma once

#include <map>
#include <string>
#include <vector>

#include "gitops/common/result.h"

namespace datamcp::config {

// Reads files of `KEY=VALUE` lines (config plan.env_files, apply.env_files): blank lines and
// lines starting with '#' are skipped, KEY is [A-Za-z_][A-Za-z0-9_]*, VALUE is the rest of
// the line verbatim (no quotes, no expansion). Later files override earlier ones.
// InvalidArgument names `key`, the file and the line number (never the value).
Result<std::map<std::string, std::string>> ReadEnvFiles(const std::vector<std::string>& files,
                                                        const std::string& key);

// Whether a variable from an env file is masked in output: names that say they hold a
// secret (KEY, SECRET, TOKEN, PASSWORD, CREDENTIAL, AUTH) or values of 20 characters or
// more. Short settings such as AWS_REGION stay readable.
bool LooksSecret(const std::string& name, const std::string& value);

}  // namespace datamcp::config
