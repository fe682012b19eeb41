#include "gitops/common/json_fields.h"

#include <limits>

namespace datamcp::json_fields {
namespace {

using nlohmann::json;

const json* Find(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

}  // namespace

std::string String(const json& j, std::string_view key, std::string fallback) {
  const json* v = Find(j, key);
  return v && v->is_string() ? v->get<std::string>() : std::move(fallback);
}

std::int64_t Int(const json& j, std::string_view key, std::int64_t fallback) {
  const json* v = Find(j, key);
  if (v && v->is_number_integer() && !v->is_number_unsigned()) return v->get<std::int64_t>();
  if (v && v->is_number_unsigned() &&
      v->get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(v->get<std::uint64_t>());
  }
  return fallback;
}

bool Bool(const json& j, std::string_view key, bool fallback) {
  const json* v = Find(j, key);
  return v && v->is_boolean() ? v->get<bool>() : fallback;
}

bool HasString(const json& j, std::string_view key) {
  const json* v = Find(j, key);
  return v && v->is_string();
}

bool HasArray(const json& j, std::string_view key) {
  const json* v = Find(j, key);
  return v && v->is_array();
}

const json& Array(const json& j, std::string_view key) {
  static const json kEmpty = json::array();
  const json* v = Find(j, key);
  return v && v->is_array() ? *v : kEmpty;
}

const json& Object(const json& j, std::string_view key) {
  static const json kEmpty = json::object();
  const json* v = Find(j, key);
  return v && v->is_object() ? *v : kEmpty;
}

}  // namespace datamcp::json_fields
