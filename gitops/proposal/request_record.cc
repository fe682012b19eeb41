#include "gitops/proposal/request_record.h"

#include "gitops/common/digest.h"
#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"

namespace datamcp::proposal {

using nlohmann::json;

json RecordedArguments(const json& arguments, const process::Masker& masker) {
  if (arguments.is_string()) {
    const auto& s = arguments.get_ref<const std::string&>();
    if (s.size() > kMaxRecordedString) {
      return "[" + std::to_string(s.size()) + " bytes, sha256 " + Sha256Hex(s).substr(0, 12) + "]";
    }
    return masker.Mask(s);
  }
  if (arguments.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : arguments.items()) {
      out[masker.Mask(key)] = RecordedArguments(value, masker);
    }
    return out;
  }
  if (arguments.is_array()) {
    json out = json::array();
    for (const auto& value : arguments) out.push_back(RecordedArguments(value, masker));
    return out;
  }
  return arguments;  // numbers, booleans, null
}

json BuildRequestRecord(const std::string& commit, const std::string& request_id,
                        const json& arguments, const process::Masker& masker) {
  return {{"type", kRequestRecordType},
          {"commit", commit},
          {"request_id", request_id},
          {"arguments", RecordedArguments(arguments, masker)}};
}

json RecordedRequestArguments(const std::vector<std::string>& notes, const std::string& commit) {
  for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
    json note = ParseJsonOrDiscarded(*it);
    if (json_fields::String(note, "type") != kRequestRecordType ||
        json_fields::String(note, "commit") != commit) {
      continue;
    }
    const json& arguments = json_fields::Object(note, "arguments");
    return arguments.is_object() ? arguments : json(nullptr);
  }
  return nullptr;
}

}  // namespace datamcp::proposal
