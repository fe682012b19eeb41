#include "gitops/localforge/forge_ref.h"

#include <memory>
#include <optional>

namespace datamcp::localforge {

Result<ForgeRefState> ReadForgeRef(const git::LocalRepository& repo) {
  DATAMCP_ASSIGN_OR_RETURN(std::optional<std::string> tip, repo.ReadRef(kForgeRef));
  return ForgeRefState{tip.value_or("")};
}

Result<std::map<std::string, std::string>> ReadForgeDir(const git::LocalRepository& repo,
                                                        const ForgeRefState& state,
                                                        const std::string& dir) {
  std::map<std::string, std::string> out;
  if (!state.exists()) return out;
  DATAMCP_ASSIGN_OR_RETURN(auto files, repo.ReadFilesIn(state.commit, dir));
  for (auto& [name, text] : files) out[name] = std::move(text);
  return out;
}

Status WriteForgeFile(git::LocalRepository& repo, const ForgeRefState& base,
                      const std::string& path, const std::string& text, const std::string& message,
                      const git::Signature& signature) {
  git::ChangeSet change{{path, text}};
  DATAMCP_ASSIGN_OR_RETURN(std::string commit,
                           repo.CommitChanges(base.commit, change, message, signature));
  return repo.UpdateRef(kForgeRef, commit, base.commit, message);
}

git::Signature ForgeSignature(const std::string& name, const std::string& email,
                              const Clock& clock) {
  return {{name, email}, clock.UnixSeconds()};
}

std::mutex& ForgeWriterMutex(const std::string& repo_path) {
  static std::mutex registry_mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard lock(registry_mu);
  auto& mu = mutexes[repo_path];
  if (!mu) mu = std::make_unique<std::mutex>();
  return *mu;
}

}  // namespace datamcp::localforge
