// Bytes a client sends, through the event loop's request head reader.
#include "bot/http/request_head.h"
#include "tests/fuzz/fuzz_util.h"

using namespace datamcp;

namespace {

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  constexpr std::size_t kMaxHeaders = 16;
  const std::string_view bytes = AsText(data, size);
  bot::RequestHead head;
  const bot::HeadParse parsed = bot::ParseRequestHead(bytes, &head, kMaxHeaders);
  const bool has_end = bytes.find("\r\n\r\n") != std::string_view::npos;
  FUZZ_ASSERT((parsed == bot::HeadParse::kIncomplete) == !has_end);
  if (parsed != bot::HeadParse::kParsed) return 0;
  // The head ends at the first empty line, and every view lies inside it.
  FUZZ_ASSERT(head.size == bytes.find("\r\n\r\n") + 4);
  const std::string_view text = bytes.substr(0, head.size);
  FUZZ_ASSERT(Inside(head.method, text) && Inside(head.target, text) && Inside(head.version, text));
  FUZZ_ASSERT(!head.method.empty() && !head.target.empty() && head.target.front() == '/');
  FUZZ_ASSERT(head.version == "HTTP/1.1" || head.version == "HTTP/1.0");
  FUZZ_ASSERT(head.headers.size() <= kMaxHeaders);
  for (const auto& [name, value] : head.headers) {
    FUZZ_ASSERT(Inside(name, text) && Inside(value, text) && !name.empty());
    // No line break survives in a name or value (what request smuggling needs).
    FUZZ_ASSERT(name.find_first_of("\r\n:") == std::string_view::npos);
    FUZZ_ASSERT(value.find_first_of("\r\n") == std::string_view::npos);
    FUZZ_ASSERT(head.Header(name).has_value() && head.Count(name) >= 1);
  }
  return 0;
}
