#include "bot/webhooks/payload_fields.h"

#include <simdjson.h>

#include <memory>

namespace datamcp::bot {
namespace {

// Each HTTP thread keeps a parser for bodies up to this size (its buffers are reused); a
// larger body gets a parser of its own that is freed afterwards, so 25 MB payloads do not
// pin memory in every thread.
constexpr std::size_t kReusedParserCapacity = 1 << 20;

simdjson::dom::parser& ReusedParser() {
  thread_local simdjson::dom::parser parser(kReusedParserCapacity);
  return parser;
}

}  // namespace

bool ExtractPayloadFields(std::string_view body, PayloadFields* out) {
  *out = PayloadFields{};
  std::unique_ptr<simdjson::dom::parser> own;
  simdjson::dom::parser* parser = &ReusedParser();
  if (body.size() > kReusedParserCapacity) {
    own = std::make_unique<simdjson::dom::parser>(body.size());
    parser = own.get();
  }
  simdjson::dom::element doc;
  simdjson::dom::object payload;
  // parse() copies the body into its padded buffer and validates all of it (UTF-8 included).
  if (parser->parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(payload) != simdjson::SUCCESS) {
    return false;
  }
  std::string_view value;
  if (payload["action"].get_string().get(value) == simdjson::SUCCESS) out->action = value;
  simdjson::dom::object repository;
  if (payload["repository"].get_object().get(repository) == simdjson::SUCCESS &&
      repository["full_name"].get_string().get(value) == simdjson::SUCCESS) {
    out->repository = value;
  }
  return true;
}

}  // namespace datamcp::bot
