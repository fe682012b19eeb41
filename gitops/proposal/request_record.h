#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gitops/process/masker.h"

namespace datamcp::proposal {

// The `request` note on a proposal's commit: what the caller asked for, so the audit log
// answers "who changed this, with which arguments" from the repository alone. Who and with
// which tool are the commit's trailers; the note adds the arguments.
inline constexpr const char* kRequestRecordType = "request";

// Longer strings (file contents, which the commit itself holds) are recorded as their size
// and digest, so a note stays small.
inline constexpr std::size_t kMaxRecordedString = 256;

// The tool's arguments as recorded: every string masked (configured secrets and token
// shapes), long strings reduced to "[<n> bytes, sha256 <12 hex>]". Keys are kept.
nlohmann::json RecordedArguments(const nlohmann::json& arguments, const process::Masker& masker);

// {"type": "request", "commit", "request_id", "arguments"}.
nlohmann::json BuildRequestRecord(const std::string& commit, const std::string& request_id,
                                  const nlohmann::json& arguments, const process::Masker& masker);

// The arguments of the newest request record for `commit` among `notes` (JSON documents as
// read from git), or null when none is recorded.
nlohmann::json RecordedRequestArguments(const std::vector<std::string>& notes,
                                        const std::string& commit);

}  // namespace datamcp::proposal
