#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace datamcp::bot {

// An HTTP/1.1 request head (request line and headers) read in place: the views point into
// the parsed bytes.
struct RequestHead {
  std::string_view method;
  std::string_view target;                                             // as sent: path and query
  std::string_view version;                                            // "HTTP/1.1"
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // values trimmed
  std::size_t size = 0;  // bytes of the head, its closing empty line included

  // The first value of header `name` (compared case-insensitively); nullopt when absent.
  std::optional<std::string_view> Header(std::string_view name) const;
  // How many times header `name` appears.
  std::size_t Count(std::string_view name) const;
};

enum class HeadParse { kParsed, kIncomplete, kUnusual };

// Reads the request head at the start of `bytes` into *head.
//   kIncomplete: no empty line yet (more bytes may complete it).
//   kUnusual: a head this strict reader does not take: a line not ending in CRLF, a folded
//     or nameless header, control bytes, a request line not of three parts, or more than
//     `max_headers` headers. Not necessarily malformed: the caller hands such a request to
//     the full parser (cpp-httplib), which answers it.
// For the front's event loop (ConnectionLoop), which serves only plain requests itself.
HeadParse ParseRequestHead(std::string_view bytes, RequestHead* head, std::size_t max_headers);

}  // namespace datamcp::bot
