#include "bot/mcp/session_manager.h"

#include "gitops/common/log.h"
#include "gitops/common/random.h"

namespace datamcp::bot::mcp {

SessionManager::SessionManager(Clock& clock, SessionManagerOptions options,
                               state::SessionStore* store)
    : clock_(clock), options_(options), store_(store) {}

void SessionManager::Persist(const Session& session) {
  if (store_ == nullptr) return;
  Status s = store_->Put(session.id(), {session.subject(), session.protocol_version(),
                                        static_cast<int>(session.log_level())});
  if (!s.ok()) log::Warn("mcp.session_not_shared", {{"error", s.message()}});
}

Result<std::shared_ptr<Session>> SessionManager::FindInStore(const std::string& id,
                                                             std::shared_ptr<Session> local) {
  if (store_ == nullptr || id.empty()) return local;
  auto stored = store_->Get(id, options_.idle_timeout.count());
  if (!stored.ok()) {
    if (local) return local;  // the database is down: this replica's sessions go on
    return Unavailable("the MCP session store cannot be read (" + stored.status().message() +
                       "); retry shortly");
  }
  if (!*stored) {
    // Ended on another replica (DELETE), or expired there. A session this replica created
    // but never persisted (initialize failed) is not in the store either: keep it.
    if (local && !local->protocol_version().empty()) {
      Remove(id);
      return std::shared_ptr<Session>();
    }
    return local;
  }
  if (local) return local;
  auto session = std::make_shared<Session>(id, (*stored)->subject);
  session->set_protocol_version((*stored)->protocol_version);
  session->set_initialized();
  session->set_log_level(static_cast<LogLevel>((*stored)->log_level));
  std::lock_guard lock(mu_);
  auto [it, fresh] = sessions_.emplace(id, Entry{session, clock_.SteadyNow()});
  return it->second.session;
}

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

Result<std::shared_ptr<Session>> SessionManager::Find(const std::string& id) {
  std::shared_ptr<Session> local;
  {
    auto now = clock_.SteadyNow();
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it != sessions_.end()) {
      if (Expired(it->second, now)) {
        it->second.session->Close();
        sessions_.erase(it);
      } else {
        it->second.last_used = now;
        local = it->second.session;
      }
    }
  }
  return FindInStore(id, std::move(local));
}

bool SessionManager::Remove(const std::string& id) {
  if (store_ != nullptr) {
    if (Status s = store_->Remove(id); !s.ok()) {
      log::Warn("mcp.session_remove_failed", {{"error", s.message()}});
    }
  }
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

void SessionManager::EndStreams() {
  std::lock_guard lock(mu_);
  for (auto& [unused, e] : sessions_) e.session->EndStream();
}

std::size_t SessionManager::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace datamcp::bot::mcp
