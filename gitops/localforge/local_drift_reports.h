#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gitops/common/clock.h"
#include "gitops/common/result.h"
#include "gitops/forge/forge.h"

namespace datamcp::localforge {

// A drift report of the local forge: what GitHub would show as an issue, kept as
// drift/<hex of the project>.json on the forge ref (forge_ref.h), one per project. A project
// that drifts again after it was resolved reopens its record; the ref's history keeps the
// earlier ones.
struct DriftReportRecord {
  std::string project;
  std::string environment;
  std::string commit;  // the tip of the last check that found drift
  std::vector<forge::DriftedAddress> resources;
  std::string state = "open";   // open | resolved
  std::string resolved_commit;  // the tip of the check that found none, once resolved
  long long opened_at = 0;
  long long updated_at = 0;
  long long resolved_at = 0;
  int edits = 0;  // times the open report changed after it was opened
};

nlohmann::json ToJson(const DriftReportRecord& record);
// InvalidArgument naming the field when `j` is not a drift report record.
Result<DriftReportRecord> DriftReportRecordFromJson(const nlohmann::json& j);

// The local forge's drift reports. Writers (the server, `datamcp drift --now`) move the
// forge ref with compare-and-swap and retry, like LocalPrStore. Each call opens the
// repository itself: instances are safe to use from many threads.
class LocalDriftReports {
 public:
  LocalDriftReports(std::string repo_path, const Clock& clock, std::string committer_name,
                    std::string committer_email);

  // Opens (or reopens) the project's record, or edits the open one when what it says
  // changed; an unchanged one is not written again. Errors: forge::CheckDriftReport's.
  Result<DriftReportRecord> Upsert(const forge::DriftReport& report);
  // Marks the project's open record resolved at `commit`; false when none is open.
  Result<bool> Resolve(const std::string& project, const std::string& commit);
  // Every record (open ones only with `open_only`), by project.
  Result<std::vector<DriftReportRecord>> List(bool open_only) const;

 private:
  // Read-modify-write of the project's record; `mutate` returns false for "nothing to write".
  Result<bool> Update(const std::string& project, const std::string& action,
                      const std::function<Result<bool>(DriftReportRecord&, bool exists)>& mutate);

  std::string repo_path_;
  const Clock& clock_;
  std::string committer_name_;
  std::string committer_email_;
};

}  // namespace datamcp::localforge
