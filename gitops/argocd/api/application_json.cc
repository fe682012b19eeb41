#include "gitops/argocd/api/application_json.h"

#include <nlohmann/json.hpp>

#include "gitops/common/json_parse.h"

namespace datamcp::argocd {
namespace {

using nlohmann::json;

// Reads obj[path...] as a string into *out. Absent is fine; a non-string is an error.
Status ReadString(const json& obj, std::initializer_list<const char*> path, std::string* out) {
  const json* cur = &obj;
  std::string dotted;
  for (const char* key : path) {
    dotted += dotted.empty() ? key : std::string(".") + key;
    if (!cur->is_object()) return Status::Ok();
    auto it = cur->find(key);
    if (it == cur->end() || it->is_null()) return Status::Ok();
    cur = &*it;
  }
  if (!cur->is_string()) {
    return Internal("Argo CD returned an Application whose " + dotted + " is not a string");
  }
  *out = cur->get<std::string>();
  return Status::Ok();
}

}  // namespace

Result<AppStatus> ParseApplication(const std::string& body) {
  json doc = ParseJsonOrDiscarded(body);
  if (doc.is_discarded() || !doc.is_object()) {
    return Internal("Argo CD returned a body that is not a JSON Application object: '" +
                    body.substr(0, 120) + "'");
  }
  AppStatus s;
  DATAMCP_RETURN_IF_ERROR(ReadString(doc, {"status", "sync", "status"}, &s.sync_status));
  DATAMCP_RETURN_IF_ERROR(ReadString(doc, {"status", "sync", "revision"}, &s.sync_revision));
  DATAMCP_RETURN_IF_ERROR(ReadString(doc, {"status", "health", "status"}, &s.health_status));
  DATAMCP_RETURN_IF_ERROR(
      ReadString(doc, {"status", "operationState", "phase"}, &s.operation_phase));
  DATAMCP_RETURN_IF_ERROR(
      ReadString(doc, {"status", "operationState", "message"}, &s.operation_message));
  DATAMCP_RETURN_IF_ERROR(ReadString(
      doc, {"status", "operationState", "operation", "sync", "revision"}, &s.operation_revision));
  return s;
}

std::string SyncRequestBody(const std::string& name, const std::string& app_namespace,
                            const std::string& revision) {
  json body = {{"name", name}, {"revision", revision}, {"prune", false}, {"dryRun", false}};
  if (!app_namespace.empty()) body["appNamespace"] = app_namespace;
  return body.dump();
}

std::string ErrorMessageOf(const std::string& body) {
  json doc = ParseJsonOrDiscarded(body);
  if (!doc.is_discarded() && doc.is_object()) {
    for (const char* key : {"message", "error"}) {
      auto it = doc.find(key);
      if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
        return it->get<std::string>();
      }
    }
  }
  return body.substr(0, 200);
}

}  // namespace datamcp::argocd
