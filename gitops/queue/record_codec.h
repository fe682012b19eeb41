#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gitops/queue/delivery.h"

// The on-disk record format of the delivery log. Each record is
//
//   u32 payload_length | u32 crc32c(payload) | payload
//
// (little endian). The payload starts with a one-byte kind:
//   kDelivery: id, event, action, repository (u32-length-prefixed strings),
//              i64 received_unix_ms, u32-length-prefixed body
//   kDone:     id, i64 received_unix_ms (so compaction can keep the dedup window)
// A record whose header or payload is cut short, or whose CRC does not match, ends the
// valid log: everything from its offset on is a torn tail (kill -9, power loss).
namespace datamcp::queue::codec {

inline constexpr std::size_t kHeaderBytes = 8;
// Larger payloads are treated as corruption when scanning (bodies are capped far below).
inline constexpr std::uint32_t kMaxPayloadBytes = 1u << 30;

enum class Kind : std::uint8_t { kDelivery = 1, kDone = 2 };

// CRC-32C (Castagnoli, as in iSCSI, ext4 and LevelDB): the SSE4.2 instruction when the CPU
// has it, else a slicing-by-8 table. PortableCrc32c is the table path (exposed for tests).
std::uint32_t Crc32c(std::string_view data);
std::uint32_t PortableCrc32c(std::string_view data);

// Returns header + payload, ready for one write().
std::string EncodeDelivery(const Delivery& d);
std::string EncodeDone(std::string_view id, std::int64_t received_unix_ms);

// A decoded payload. For kDone only id and received_unix_ms are set. With
// `with_body` false the delivery body is skipped (the index keeps only offsets).
struct Decoded {
  Kind kind = Kind::kDelivery;
  Delivery delivery;
};
// Decodes a payload (without its header). False when it is malformed.
bool DecodePayload(std::string_view payload, bool with_body, Decoded* out);

// Reads a record header. False when `header` is shorter than kHeaderBytes.
bool DecodeHeader(std::string_view header, std::uint32_t* length, std::uint32_t* crc);

}  // namespace datamcp::queue::codec
