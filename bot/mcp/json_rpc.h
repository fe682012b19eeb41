#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gitops/common/status.h"

// JSON-RPC 2.0 message helpers for the MCP server: building responses and errors, and
// classifying incoming messages. Pure functions, thread-safe.
namespace datamcp::bot::mcp {

using json = nlohmann::json;

namespace rpc {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// Server-defined codes (-32000..-32099).
inline constexpr int kForbidden = -32003;         // authenticated, missing a scope
inline constexpr int kRateLimited = -32029;       // over the caller's limit; data says when
inline constexpr int kRequestCancelled = -32800;  // the client cancelled the request
}  // namespace rpc

enum class MessageKind {
  kRequest,       // has "method" and "id"
  kNotification,  // has "method", no "id"
  kResponse,      // has "result" or "error" and "id" (a reply to a server request)
  kInvalid,       // anything else
};

// Classifies one decoded message. `why` (optional) receives a precise reason for kInvalid.
MessageKind Classify(const json& message, std::string* why = nullptr);

json MakeResult(const json& id, json result);
json MakeError(const json& id, int code, std::string message, json data = nullptr);
json MakeNotification(std::string method, json params);

// The JSON-RPC error for a body ParseJson refused: Invalid Request when it nests too deep
// (valid JSON, refused by the depth limit), Parse error when it is not JSON.
int ParseErrorCode(const Status& parse_status);
std::string ParseErrorMessage(const Status& parse_status);

// The id of a message when it has a usable one (string or integer), else null.
json IdOf(const json& message);

// obj[key] when obj is an object and that member is a string, else "" (never throws, unlike
// json::value on a member of another type).
std::string StringField(const json& obj, const char* key);

}  // namespace datamcp::bot::mcp
