#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gitops/common/status.h"

// Small POSIX file helpers for the delivery log (retrying on EINTR and short transfers).
namespace datamcp::queue::fileio {

// Unavailable("<what> <path>: <strerror(err)>").
Status ErrnoStatus(std::string_view what, const std::string& path, int err);
Status ErrnoStatus(std::string_view what, const std::string& path);  // uses errno

bool WriteAll(int fd, std::string_view data);
// Reads exactly n bytes at offset into *out; false on error or end of file.
bool PreadAll(int fd, std::uint64_t offset, std::size_t n, std::string* out);
// Appends [from, to) of `src` to `dst`, 1 MiB at a time.
bool CopyRange(int src, std::uint64_t from, std::uint64_t to, int dst);
// fsync()s a directory so a created or renamed entry in it is durable.
Status SyncDir(const std::string& dir);

}  // namespace datamcp::queue::fileio
