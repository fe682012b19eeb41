#pragma once

#include <string>
#include <string_view>

namespace datamcp::bot {

// The two payload fields the intake needs: top-level "action" and "repository.full_name".
struct PayloadFields {
  std::string action;      // empty when absent or not a string
  std::string repository;  // empty when absent or not a string
};

// Reads them with a SAX pass (no document tree: webhook bodies are tens of kilobytes and the
// intake answers GitHub within its 10 s budget). The whole body is validated. False when the
// body is not JSON or not an object.
bool ExtractPayloadFields(std::string_view body, PayloadFields* out);

}  // namespace datamcp::bot
