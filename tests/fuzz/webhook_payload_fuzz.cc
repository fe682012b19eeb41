// A webhook body through the intake's field extraction (simdjson, depth-limited), and the
// stored trigger document back through the event handler's parse and through the extraction
// again.
#include "bot/webhooks/payload_fields.h"
#include "gitops/common/json_parse.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  bot::PayloadFields fields;
  std::string why;
  if (!bot::ExtractPayloadFields(AsText(data, size), &fields, &why)) {
    FUZZ_ASSERT(!why.empty());
    return 0;
  }
  // What the intake records must read back as a JSON object holding only short strings.
  nlohmann::json trigger = ParseJsonOrDiscarded(fields.trigger);
  FUZZ_ASSERT(trigger.is_object());
  FUZZ_ASSERT(fields.action.size() <= bot::kMaxTriggerString);
  FUZZ_ASSERT(fields.repository.size() <= bot::kMaxTriggerString);
  // The trigger is written by hand: read back, it must be its own trigger (escaping, numbers
  // and the kept shape survive the round trip).
  bot::PayloadFields again;
  FUZZ_ASSERT(bot::ExtractPayloadFields(fields.trigger, &again, &why));
  FUZZ_ASSERT(again.trigger == fields.trigger);
  FUZZ_ASSERT(again.action == fields.action && again.repository == fields.repository);
  return 0;
}
