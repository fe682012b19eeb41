#include "gitops/localforge/local_drift_reports.h"

#include <algorithm>

#include "gitops/common/encoding.h"
#include "gitops/common/json_fields.h"
#include "gitops/common/json_parse.h"
#include "gitops/localforge/forge_ref.h"

namespace datamcp::localforge {
namespace {

using nlohmann::json;
constexpr char kDir[] = "drift";

std::string FileOf(const std::string& project) { return HexEncode(project) + ".json"; }

}  // namespace

json ToJson(const DriftReportRecord& r) {
  json resources = json::array();
  for (const auto& d : r.resources)
    resources.push_back({{"address", d.address}, {"action", d.action}});
  return {{"project", r.project},
          {"environment", r.environment},
          {"commit", r.commit},
          {"resources", resources},
          {"state", r.state},
          {"resolved_commit", r.resolved_commit},
          {"opened_at", r.opened_at},
          {"updated_at", r.updated_at},
          {"resolved_at", r.resolved_at},
          {"edits", r.edits}};
}

Result<DriftReportRecord> DriftReportRecordFromJson(const json& j) {
  using namespace json_fields;
  std::string state = String(j, "state");
  if (String(j, "project").empty() || (state != "open" && state != "resolved") ||
      !HasArray(j, "resources")) {
    return InvalidArgument(
        "drift report record: needs a project, a state (open|resolved) and "
        "a resources array");
  }
  DriftReportRecord r{.project = String(j, "project"),
                      .environment = String(j, "environment"),
                      .commit = String(j, "commit"),
                      .resources = {},
                      .state = state,
                      .resolved_commit = String(j, "resolved_commit"),
                      .opened_at = Int(j, "opened_at"),
                      .updated_at = Int(j, "updated_at"),
                      .resolved_at = Int(j, "resolved_at"),
                      .edits = static_cast<int>(Int(j, "edits"))};
  for (const auto& item : Array(j, "resources")) {
    if (!HasString(item, "address") || !HasString(item, "action")) {
      return InvalidArgument("drift report record of '" + r.project +
                             "': a resource without an address or action");
    }
    r.resources.push_back({String(item, "address"), String(item, "action")});
  }
  return r;
}

LocalDriftReports::LocalDriftReports(std::string repo_path, const Clock& clock,
                                     std::string committer_name, std::string committer_email)
    : repo_path_(std::move(repo_path)),
      clock_(clock),
      committer_name_(std::move(committer_name)),
      committer_email_(std::move(committer_email)) {}

Result<bool> LocalDriftReports::Update(
    const std::string& project, const std::string& action,
    const std::function<Result<bool>(DriftReportRecord&, bool exists)>& mutate) {
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  const git::Signature sig = ForgeSignature(committer_name_, committer_email_, clock_);
  std::lock_guard writer(ForgeWriterMutex(repo_path_));
  return RetryForgeWrite(
      "write the drift report of '" + project + "'", [&]() -> std::optional<Result<bool>> {
        DATAMCP_ASSIGN_OR_RETURN(ForgeRefState ref, ReadForgeRef(repo));
        DATAMCP_ASSIGN_OR_RETURN(auto files, ReadForgeDir(repo, ref, kDir));
        DriftReportRecord record;
        auto it = files.find(FileOf(project));
        bool exists = it != files.end();
        if (exists) {
          DATAMCP_ASSIGN_OR_RETURN(record,
                                   DriftReportRecordFromJson(ParseJsonOrDiscarded(it->second)));
        }
        DATAMCP_ASSIGN_OR_RETURN(bool write, mutate(record, exists));
        if (!write) return false;
        Status s =
            WriteForgeFile(repo, ref, std::string(kDir) + "/" + FileOf(project),
                           ToJson(record).dump(2) + "\n", action + " drift of " + project, sig);
        if (LostRace(s)) return std::nullopt;
        if (!s.ok()) return s;
        return true;
      });
}

Result<DriftReportRecord> LocalDriftReports::Upsert(const forge::DriftReport& report) {
  DATAMCP_RETURN_IF_ERROR(forge::CheckDriftReport(report));
  DriftReportRecord out;
  DATAMCP_RETURN_IF_ERROR(
      Update(report.project, "report", [&](DriftReportRecord& r, bool exists) -> Result<bool> {
        bool open = exists && r.state == "open";
        if (open && r.commit == report.commit && r.resources == report.resources &&
            r.environment == report.environment) {
          out = r;
          return false;
        }
        long long now = clock_.UnixSeconds();
        if (open) {
          ++r.edits;
        } else {
          r = DriftReportRecord{.project = report.project, .opened_at = now};
        }
        r.environment = report.environment;
        r.commit = report.commit;
        r.resources = report.resources;
        r.updated_at = now;
        out = r;
        return true;
      }).status());
  return out;
}

Result<bool> LocalDriftReports::Resolve(const std::string& project, const std::string& commit) {
  if (project.empty()) return InvalidArgument("resolving a drift report needs a project");
  return Update(project, "resolve", [&](DriftReportRecord& r, bool exists) -> Result<bool> {
    if (!exists || r.state != "open") return false;
    r.state = "resolved";
    r.resolved_commit = commit;
    r.resolved_at = r.updated_at = clock_.UnixSeconds();
    return true;
  });
}

Result<std::vector<DriftReportRecord>> LocalDriftReports::List(bool open_only) const {
  DATAMCP_ASSIGN_OR_RETURN(git::LocalRepository repo, git::LocalRepository::OpenBare(repo_path_));
  DATAMCP_ASSIGN_OR_RETURN(ForgeRefState ref, ReadForgeRef(repo));
  DATAMCP_ASSIGN_OR_RETURN(auto files, ReadForgeDir(repo, ref, kDir));
  std::vector<DriftReportRecord> out;
  for (const auto& [name, text] : files) {
    DATAMCP_ASSIGN_OR_RETURN(DriftReportRecord r,
                             DriftReportRecordFromJson(ParseJsonOrDiscarded(text)));
    if (!open_only || r.state == "open") out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const DriftReportRecord& a, const DriftReportRecord& b) {
    return a.project < b.project;
  });
  return out;
}

}  // namespace datamcp::localforge
