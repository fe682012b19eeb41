#include "gitops/queue/record_codec.h"

#include <array>
#include <cstring>

namespace datamcp::queue::codec {
namespace {

constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = MakeCrcTable();

void PutU32(std::string* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutI64(std::string* out, std::int64_t value) {
  auto v = static_cast<std::uint64_t>(value);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutString(std::string* out, std::string_view s) {
  PutU32(out, static_cast<std::uint32_t>(s.size()));
  out->append(s);
}

// Reads from the front of `in`, consuming what it reads. False when `in` is too short.
bool GetU32(std::string_view* in, std::uint32_t* v) {
  if (in->size() < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i)
    *v |= static_cast<std::uint32_t>(static_cast<unsigned char>((*in)[i])) << (8 * i);
  in->remove_prefix(4);
  return true;
}
bool GetI64(std::string_view* in, std::int64_t* value) {
  if (in->size() < 8) return false;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>((*in)[i])) << (8 * i);
  in->remove_prefix(8);
  *value = static_cast<std::int64_t>(v);
  return true;
}
bool GetString(std::string_view* in, std::string* s, bool keep = true) {
  std::uint32_t n = 0;
  if (!GetU32(in, &n) || in->size() < n) return false;
  if (keep) s->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

std::string Frame(const std::string& payload) {
  std::string out;
  out.reserve(kHeaderBytes + payload.size());
  PutU32(&out, static_cast<std::uint32_t>(payload.size()));
  PutU32(&out, Crc32(payload));
  out.append(payload);
  return out;
}

}  // namespace

std::uint32_t Crc32(std::string_view data) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = kCrcTable[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string EncodeDelivery(const Delivery& d) {
  std::string p;
  p.reserve(64 + d.id.size() + d.event.size() + d.action.size() + d.repository.size() +
            d.body.size());
  p.push_back(static_cast<char>(Kind::kDelivery));
  PutString(&p, d.id);
  PutString(&p, d.event);
  PutString(&p, d.action);
  PutString(&p, d.repository);
  PutI64(&p, d.received_unix_ms);
  PutString(&p, d.body);
  return Frame(p);
}

std::string EncodeDone(std::string_view id, std::int64_t received_unix_ms) {
  std::string p;
  p.push_back(static_cast<char>(Kind::kDone));
  PutString(&p, id);
  PutI64(&p, received_unix_ms);
  return Frame(p);
}

bool DecodePayload(std::string_view in, bool with_body, Decoded* out) {
  if (in.empty()) return false;
  auto kind = static_cast<Kind>(static_cast<unsigned char>(in[0]));
  in.remove_prefix(1);
  Delivery& d = out->delivery;
  d = Delivery{};
  out->kind = kind;
  if (kind == Kind::kDone) {
    return GetString(&in, &d.id) && GetI64(&in, &d.received_unix_ms) && in.empty();
  }
  if (kind != Kind::kDelivery) return false;
  return GetString(&in, &d.id) && GetString(&in, &d.event) && GetString(&in, &d.action) &&
         GetString(&in, &d.repository) && GetI64(&in, &d.received_unix_ms) &&
         GetString(&in, &d.body, with_body) && in.empty();
}

bool DecodeHeader(std::string_view header, std::uint32_t* length, std::uint32_t* crc) {
  return GetU32(&header, length) && GetU32(&header, crc);
}

}  // namespace datamcp::queue::codec
