#include "gitops/queue/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace datamcp::queue::fileio {

Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  return Unavailable(std::string(what) + " " + path + ": " + std::strerror(err));
}

Status ErrnoStatus(std::string_view what, const std::string& path) {
  return ErrnoStatus(what, path, errno);
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool PreadAll(int fd, std::uint64_t offset, std::size_t n, std::string* out) {
  out->resize(n);
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out->data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

bool CopyRange(int src, std::uint64_t from, std::uint64_t to, int dst) {
  std::string buf;
  while (from < to) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(to - from, 1 << 20));
    if (!PreadAll(src, from, n, &buf) || !WriteAll(dst, buf)) return false;
    from += n;
  }
  return true;
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : ErrnoStatus("cannot fsync directory", dir, err);
}

}  // namespace datamcp::queue::fileio
