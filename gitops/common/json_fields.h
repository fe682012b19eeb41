#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

// Reading JSON that someone else may have written: git notes anyone with push access can add,
// forge records, webhook payloads. nlohmann's value() throws when the document is not an
// object or a field has another type; these read such a field as absent instead, so a
// malformed record is skipped rather than stopping the pass that reads it.
namespace datamcp::json_fields {

// The string at `key`, or `fallback` when `j` is not an object or the field is not a string.
std::string String(const nlohmann::json& j, std::string_view key, std::string fallback = "");
// The integer at `key` (an integral number that fits in int64), or `fallback`.
std::int64_t Int(const nlohmann::json& j, std::string_view key, std::int64_t fallback = 0);
// The boolean at `key`, or `fallback`.
bool Bool(const nlohmann::json& j, std::string_view key, bool fallback = false);
// Whether `j` is an object whose field `key` is a string (an array), even an empty one: for
// a record that must have the field, where String() and Array() cannot tell absent from empty.
bool HasString(const nlohmann::json& j, std::string_view key);
bool HasArray(const nlohmann::json& j, std::string_view key);
// The array or object at `key`, or an empty one.
const nlohmann::json& Array(const nlohmann::json& j, std::string_view key);
const nlohmann::json& Object(const nlohmann::json& j, std::string_view key);

}  // namespace datamcp::json_fields
