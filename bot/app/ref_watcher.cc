#include "bot/app/ref_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace datamcp::bot {

RefWatcher::~RefWatcher() { Stop(); }

Status RefWatcher::Start(const std::string& bare_repo, std::function<void()> on_change) {
  namespace fs = std::filesystem;
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) return Unavailable(std::string("inotify_init1: ") + std::strerror(errno));
  const uint32_t mask = IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE;
  std::error_code ec;
  fs::create_directories(fs::path(bare_repo) / "refs" / "datamcp", ec);
  for (const auto& dir : {fs::path(bare_repo), fs::path(bare_repo) / "refs" / "heads",
                          fs::path(bare_repo) / "refs" / "datamcp"}) {
    if (inotify_add_watch(inotify_fd_, dir.c_str(), mask) < 0) {
      Status s = Unavailable("watch " + dir.string() + ": " + std::strerror(errno));
      Stop();
      return s;
    }
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) {
    Stop();
    return Unavailable(std::string("eventfd: ") + std::strerror(errno));
  }
  on_change_ = std::move(on_change);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void RefWatcher::Loop() {
  alignas(inotify_event) char buf[4096];
  for (;;) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    bool changed = false;
    for (;;) {  // drain: one wake-up for a burst of events
      ssize_t n = read(inotify_fd_, buf, sizeof buf);
      if (n <= 0) break;
      changed = true;
    }
    if (changed) on_change_();
  }
}

void RefWatcher::Stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    ssize_t written = write(stop_fd_, &one, sizeof one);
    (void)written;
    thread_.join();
  }
  if (stop_fd_ >= 0) close(stop_fd_);
  if (inotify_fd_ >= 0) close(inotify_fd_);
  stop_fd_ = inotify_fd_ = -1;
}

}  // namespace datamcp::bot
