#pragma once

#include <cstdint>

namespace datamcp::state {

// The name of a SQLite VFS that is the default one (unix) except for the writes to a WAL
// file: SQLite writes each frame of a commit as two writes, its 24-byte header and its page,
// and on this kind of machine a write system call costs more than the bytes it copies. The
// VFS gathers a transaction's frames in memory and writes them with one call when the commit
// frame's page arrives: still inside SQLite's commit, before the commit is published to other
// connections (the WAL index), so no reader, in this process or another, can see a frame that
// is not in the file, and a failed write fails the commit as before. Everything else (a
// read, a sync, a truncate, a write out of sequence, the checksum rewrites after an in-place
// overwrite, a commit of a single frame) writes what is gathered first and then goes straight
// through, so the file's contents and their order on disk are what SQLite wrote.
// Registered (not as the default) on the first call; thread-safe.
const char* WalGatheringVfs();

// Process-wide counts, for the test that checks the gathering: writes SQLite asked of WAL
// files, and writes made to them.
struct WalWriteCounts {
  std::uint64_t requested = 0;
  std::uint64_t made = 0;
};
WalWriteCounts WalWrites();

}  // namespace datamcp::state
