#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace datamcp::bot::tools {

// The text content of the read tools' results: what a client that shows only `content`
// (not structuredContent) needs to act, one item per line. Each takes the structured
// result the tool returns, so text and structure cannot disagree. Fields come from notes
// anyone who can push may write: read with json_fields, never throwing.
std::string ProposalText(const nlohmann::json& proposal);          // get_proposal
std::string ProposalsText(const nlohmann::json& proposals);        // list_proposals
std::string EnvironmentsText(const nlohmann::json& environments);  // list_environments
std::string LocksText(const nlohmann::json& locks);                // list_locks

}  // namespace datamcp::bot::tools
