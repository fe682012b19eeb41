#include "bot/mcp/json_rpc.h"

namespace datamcp::bot::mcp {

namespace {

bool ValidId(const json& id) { return id.is_string() || id.is_number_integer(); }

MessageKind Invalid(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return MessageKind::kInvalid;
}

}  // namespace

MessageKind Classify(const json& message, std::string* why) {
  if (!message.is_object()) return Invalid(why, "a JSON-RPC message must be a JSON object");
  auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0") {
    return Invalid(why, "\"jsonrpc\" must be \"2.0\"");
  }
  auto method = message.find("method");
  auto id = message.find("id");
  if (method != message.end()) {
    if (!method->is_string()) return Invalid(why, "\"method\" must be a string");
    auto params = message.find("params");
    if (params != message.end() && !params->is_object() && !params->is_array()) {
      return Invalid(why, "\"params\" must be an object");
    }
    if (id == message.end()) return MessageKind::kNotification;
    if (!ValidId(*id)) return Invalid(why, "\"id\" must be a string or an integer");
    return MessageKind::kRequest;
  }
  if (message.contains("result") || message.contains("error")) {
    if (id == message.end()) return Invalid(why, "a response needs an \"id\"");
    return MessageKind::kResponse;
  }
  return Invalid(why, "a JSON-RPC message needs a \"method\" (request) or a \"result\"/\"error\"");
}

json MakeResult(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json MakeError(const json& id, int code, std::string message, json data) {
  json error{{"code", code}, {"message", std::move(message)}};
  if (!data.is_null()) error["data"] = std::move(data);
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

json MakeNotification(std::string method, json params) {
  return json{{"jsonrpc", "2.0"}, {"method", std::move(method)}, {"params", std::move(params)}};
}

json IdOf(const json& message) {
  if (!message.is_object()) return nullptr;
  auto id = message.find("id");
  if (id == message.end() || !ValidId(*id)) return nullptr;
  return *id;
}

std::string StringField(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

int ParseErrorCode(const Status& parse_status) {
  return parse_status.code() == StatusCode::kResourceExhausted ? rpc::kInvalidRequest
                                                               : rpc::kParseError;
}

std::string ParseErrorMessage(const Status& parse_status) {
  return (parse_status.code() == StatusCode::kResourceExhausted ? "Invalid Request: "
                                                                : "Parse error: ") +
         parse_status.message();
}

}  // namespace datamcp::bot::mcp
