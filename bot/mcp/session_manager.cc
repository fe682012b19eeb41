#include "bot/mcp/session_manager.h"

#include "gitops/common/random.h"

namespace datamcp::bot::mcp {

SessionManager::SessionManager(Clock& clock, SessionManagerOptions options)
    : clock_(clock), options_(options) {}

bool SessionManager::Expired(const Entry& e, std::chrono::steady_clock::time_point now) const {
  if (e.session->closed()) return true;
  if (e.session->HasStream() || e.session->in_flight() > 0) return false;
  return now - e.last_used > options_.idle_timeout;
}

void SessionManager::PurgeExpiredLocked(std::chrono::steady_clock::time_point now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (Expired(it->second, now)) {
      it->second.session->Close();
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<std::shared_ptr<Session>> SessionManager::Create(const std::string& subject) {
  DATAMCP_ASSIGN_OR_RETURN(std::string id, RandomHex(32));
  auto now = clock_.SteadyNow();
  std::lock_guard lock(mu_);
  if (sessions_.size() >= options_.max_sessions) PurgeExpiredLocked(now);
  if (sessions_.size() >= options_.max_sessions) {
    return ResourceExhausted("too many MCP sessions (" + std::to_string(options_.max_sessions) +
                             "); end unused sessions with DELETE /mcp or retry later");
  }
  std::size_t mine = 0;
  for (const auto& [unused, e] : sessions_) mine += e.session->subject() == subject;
  if (mine >= options_.max_sessions_per_subject) {
    PurgeExpiredLocked(now);
    mine = 0;
    for (const auto& [unused, e] : sessions_) mine += e.session->subject() == subject;
  }
  if (mine >= options_.max_sessions_per_subject) {
    return ResourceExhausted("subject " + subject + " already has " + std::to_string(mine) +
                             " MCP sessions; end unused ones with DELETE /mcp");
  }
  auto session = std::make_shared<Session>(id, subject);
  sessions_[id] = Entry{session, now};
  return session;
}

std::shared_ptr<Session> SessionManager::Find(const std::string& id) {
  auto now = clock_.SteadyNow();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  if (Expired(it->second, now)) {
    it->second.session->Close();
    sessions_.erase(it);
    return nullptr;
  }
  it->second.last_used = now;
  return it->second.session;
}

bool SessionManager::Remove(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  it->second.session->Close();
  sessions_.erase(it);
  return true;
}

void SessionManager::CloseAll() {
  std::lock_guard lock(mu_);
  for (auto& [unused, e] : sessions_) e.session->Close();
  sessions_.clear();
}

std::size_t SessionManager::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace datamcp::bot::mcp
