#include "bot/mcp/session.h"

namespace datamcp::bot::mcp {

namespace {
constexpr std::size_t kMaxQueuedStandalone = 256;
}  // namespace

std::string Session::protocol_version() const {
  std::lock_guard lock(mu_);
  return protocol_version_;
}

void Session::set_protocol_version(std::string version) {
  std::lock_guard lock(mu_);
  protocol_version_ = std::move(version);
}

std::shared_ptr<std::atomic<bool>> Session::BeginRequest(const nlohmann::json& id) {
  auto flag = std::make_shared<std::atomic<bool>>(closed());
  std::lock_guard lock(mu_);
  in_flight_[id.dump()] = flag;
  return flag;
}

void Session::EndRequest(const nlohmann::json& id) {
  std::lock_guard lock(mu_);
  in_flight_.erase(id.dump());
}

bool Session::Cancel(const nlohmann::json& id) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(id.dump());
  if (it == in_flight_.end()) return false;
  it->second->store(true);
  return true;
}

std::size_t Session::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

bool Session::AttachStream() {
  std::lock_guard lock(mu_);
  if (stream_attached_ || closed()) return false;
  stream_attached_ = true;
  return true;
}

void Session::DetachStream() {
  std::lock_guard lock(mu_);
  stream_attached_ = false;
  standalone_.clear();
}

bool Session::HasStream() const {
  std::lock_guard lock(mu_);
  return stream_attached_;
}

void Session::PushStandalone(nlohmann::json message) {
  {
    std::lock_guard lock(mu_);
    if (!stream_attached_ || standalone_.size() >= kMaxQueuedStandalone) return;
    standalone_.push_back(std::move(message));
  }
  cv_.notify_all();
}

void Session::WaitStandalone(std::chrono::milliseconds timeout, std::vector<nlohmann::json>* out) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout,
               [&] { return !standalone_.empty() || closed() || stream_ending_.load(); });
  while (!standalone_.empty()) {
    out->push_back(std::move(standalone_.front()));
    standalone_.pop_front();
  }
}

void Session::EndStream() {
  {
    std::lock_guard lock(mu_);
    stream_ending_.store(true);
  }
  cv_.notify_all();
}

void Session::Close() {
  {
    std::lock_guard lock(mu_);
    closed_.store(true);
    for (auto& [unused, flag] : in_flight_) flag->store(true);
  }
  cv_.notify_all();
}

}  // namespace datamcp::bot::mcp
