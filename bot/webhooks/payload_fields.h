#pragma once

#include <string>
#include <string_view>

namespace datamcp::bot {

// The two payload fields the intake needs: top-level "action" and "repository.full_name".
struct PayloadFields {
  std::string action;      // empty when absent or not a string
  std::string repository;  // empty when absent or not a string
};

// Reads them with simdjson (Debian libsimdjson-dev): parsing the body is most of the intake's
// CPU time, and simdjson validates a 20 KB payload several times faster than nlohmann/json.
// The whole body is validated (UTF-8 included). False when the body is not JSON or not an
// object. Never throws.
bool ExtractPayloadFields(std::string_view body, PayloadFields* out);

}  // namespace datamcp::bot
