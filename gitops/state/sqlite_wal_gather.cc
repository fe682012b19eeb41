#include "gitops/state/sqlite_wal_gather.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace datamcp::state {
namespace {

// A WAL frame starts with a 24-byte header; bytes 4-7 (big-endian) are the database size in
// pages after a commit, for the commit frame, and zero in every other frame
// (https://www.sqlite.org/fileformat2.html#walformat).
constexpr int kFrameHeaderBytes = 24;
// Gathered bytes are written once they reach this, whatever follows, and in calls of at most
// this: the default VFS writes at most 128 KiB - 1 bytes per call (its seekAndWriteFd masks
// the length with 0x1ffff) and reports the rest as a full disk.
constexpr std::size_t kMaxGathered = 64 * 1024;

std::atomic<std::uint64_t> g_requested{0};
std::atomic<std::uint64_t> g_made{0};

bool IsCommitHeader(const void* data, int amount) {
  if (amount != kFrameHeaderBytes) return false;
  const auto* b = static_cast<const unsigned char*>(data);
  return (b[4] | b[5] | b[6] | b[7]) != 0;
}

// One open WAL file: the default VFS's file, and what is gathered for it.
struct Gather {
  explicit Gather(sqlite3_file* file) : real(file) {}
  sqlite3_file* real;
  std::string bytes;  // consecutive bytes gathered for the file, from `start`
  sqlite3_int64 start = 0;
  sqlite3_int64 commit_page = -1;  // where the commit frame's page follows its gathered header

  sqlite3_int64 end() const { return start + static_cast<sqlite3_int64>(bytes.size()); }
  int WriteThrough(const void* data, int amount, sqlite3_int64 offset) {
    g_made.fetch_add(1, std::memory_order_relaxed);
    return real->pMethods->xWrite(real, data, amount, offset);
  }
  // Writes what is gathered (one call per kMaxGathered); the next gathering continues
  // where it ended.
  int Flush() {
    commit_page = -1;
    int rc = SQLITE_OK;
    for (std::size_t at = 0; at < bytes.size() && rc == SQLITE_OK; at += kMaxGathered) {
      const std::size_t n = std::min(kMaxGathered, bytes.size() - at);
      rc = WriteThrough(bytes.data() + at, static_cast<int>(n),
                        start + static_cast<sqlite3_int64>(at));
    }
    start = end();
    bytes.clear();
    return rc;
  }
  void Append(const void* data, int amount, sqlite3_int64 offset) {
    if (bytes.empty()) start = offset;
    bytes.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
  }
  int Write(const void* data, int amount, sqlite3_int64 offset);
};

int Gather::Write(const void* data, int amount, sqlite3_int64 offset) {
  g_requested.fetch_add(1, std::memory_order_relaxed);
  if (commit_page >= 0) {
    // The commit frame's page, after its header: the transaction's last frame. Write all.
    if (offset == commit_page && offset == end()) {
      Append(data, amount, offset);
      return Flush();
    }
    if (int rc = Flush(); rc != SQLITE_OK) return rc;
  }
  const bool commit = IsCommitHeader(data, amount);
  if (!bytes.empty() && offset >= start && offset + amount <= end()) {
    // A frame gathered earlier in this transaction, written again (a page changed twice, or
    // a rolled-back spill's frame reused).
    std::memcpy(bytes.data() + (offset - start), data, static_cast<std::size_t>(amount));
    return commit ? Flush() : SQLITE_OK;
  }
  if (!bytes.empty() && offset == end()) {
    Append(data, amount, offset);
    if (commit) commit_page = offset + kFrameHeaderBytes;
    return bytes.size() >= kMaxGathered ? Flush() : SQLITE_OK;
  }
  // Only a frame header (not a commit's: alone, it may be the checksum rewrite that ends a
  // commit) starts a gathering; anything else goes straight to the file.
  if (int rc = Flush(); rc != SQLITE_OK) return rc;
  if (amount == kFrameHeaderBytes && !commit) {
    Append(data, amount, offset);
    return SQLITE_OK;
  }
  return WriteThrough(data, amount, offset);
}

struct WalFile {
  sqlite3_file base;  // pMethods: kWalMethods
  Gather* gather;
};
// The default VFS's file lives after ours, in the memory SQLite gives xOpen.
constexpr std::size_t kRealOffset = (sizeof(WalFile) + 15) & ~std::size_t{15};

Gather& Of(sqlite3_file* f) { return *reinterpret_cast<WalFile*>(f)->gather; }
sqlite3_file* Real(sqlite3_file* f) { return Of(f).real; }

int WalClose(sqlite3_file* f) {
  Gather* g = &Of(f);
  int rc = g->Flush();
  int closed = g->real->pMethods->xClose(g->real);
  delete g;
  return rc != SQLITE_OK ? rc : closed;
}
int WalRead(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  if (int rc = Of(f).Flush(); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xRead(Real(f), out, amount, offset);
}
int WalWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  return Of(f).Write(data, amount, offset);
}
int WalTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = Of(f).Flush(); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int WalSync(sqlite3_file* f, int flags) {
  if (int rc = Of(f).Flush(); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int WalFileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (int rc = Of(f).Flush(); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int WalLock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int WalUnlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int WalCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int WalFileControl(sqlite3_file* f, int op, void* arg) {
  if (int rc = Of(f).Flush(); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int WalSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int WalDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
// SQLite keeps the WAL index in the database file's shared memory, never the WAL's, and does
// not map the WAL: the version 2 and 3 methods are never called on it; they refuse.
int WalShmMap(sqlite3_file*, int, int, int, void volatile** out) {
  *out = nullptr;
  return SQLITE_IOERR_SHMMAP;
}
int WalShmLock(sqlite3_file*, int, int, int) { return SQLITE_IOERR_SHMLOCK; }
void WalShmBarrier(sqlite3_file*) {}
int WalShmUnmap(sqlite3_file*, int) { return SQLITE_OK; }
int WalFetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;  // no mapping: SQLite reads instead
  return SQLITE_OK;
}
int WalUnfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

const sqlite3_io_methods kWalMethods = {
    3,
    WalClose,
    WalRead,
    WalWrite,
    WalTruncate,
    WalSync,
    WalFileSize,
    WalLock,
    WalUnlock,
    WalCheckReservedLock,
    WalFileControl,
    WalSectorSize,
    WalDeviceCharacteristics,
    WalShmMap,
    WalShmLock,
    WalShmBarrier,
    WalShmUnmap,
    WalFetch,
    WalUnfetch,
};

sqlite3_vfs* Default(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* real = Default(vfs);
  // The database file, its shared memory and temporary files: the default VFS's own, in
  // the memory given (it is larger than that VFS asks for).
  if ((flags & SQLITE_OPEN_WAL) == 0) return real->xOpen(real, name, file, flags, out_flags);
  auto* wal = reinterpret_cast<WalFile*>(file);
  wal->base.pMethods = nullptr;
  auto* inner = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  int rc = real->xOpen(real, name, inner, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (inner->pMethods != nullptr) inner->pMethods->xClose(inner);
    return rc;
  }
  wal->gather = new (std::nothrow) Gather(inner);
  if (wal->gather == nullptr) {
    inner->pMethods->xClose(inner);
    return SQLITE_NOMEM;
  }
  wal->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

sqlite3_vfs* Register() {
  // Before SQLite initializes (registering initializes it): no memory statistics, which
  // nothing here reads and which take one process-wide mutex around every SQLite allocation
  // on every connection (SQLite's own recommended options turn them off). Fails harmlessly
  // when the process initialized SQLite already.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  static sqlite3_vfs vfs;
  vfs = *real;
  vfs.szOsFile = static_cast<int>(kRealOffset) + real->szOsFile;
  vfs.zName = "datamcp-wal-gather";
  vfs.pAppData = real;
  vfs.pNext = nullptr;
  vfs.xOpen = Open;
  // The rest is the default VFS's, called with itself.
  vfs.xDelete = [](sqlite3_vfs* v, const char* n, int s) {
    return Default(v)->xDelete(Default(v), n, s);
  };
  vfs.xAccess = [](sqlite3_vfs* v, const char* n, int f, int* out) {
    return Default(v)->xAccess(Default(v), n, f, out);
  };
  vfs.xFullPathname = [](sqlite3_vfs* v, const char* n, int size, char* out) {
    return Default(v)->xFullPathname(Default(v), n, size, out);
  };
  vfs.xDlOpen = [](sqlite3_vfs* v, const char* n) { return Default(v)->xDlOpen(Default(v), n); };
  vfs.xDlError = [](sqlite3_vfs* v, int size, char* out) {
    Default(v)->xDlError(Default(v), size, out);
  };
  vfs.xDlSym = [](sqlite3_vfs* v, void* h, const char* s) {
    return Default(v)->xDlSym(Default(v), h, s);
  };
  vfs.xDlClose = [](sqlite3_vfs* v, void* h) { Default(v)->xDlClose(Default(v), h); };
  vfs.xRandomness = [](sqlite3_vfs* v, int size, char* out) {
    return Default(v)->xRandomness(Default(v), size, out);
  };
  vfs.xSleep = [](sqlite3_vfs* v, int us) { return Default(v)->xSleep(Default(v), us); };
  vfs.xCurrentTime = [](sqlite3_vfs* v, double* out) {
    return Default(v)->xCurrentTime(Default(v), out);
  };
  vfs.xGetLastError = [](sqlite3_vfs* v, int size, char* out) {
    return Default(v)->xGetLastError(Default(v), size, out);
  };
  if (real->iVersion >= 2) {
    vfs.xCurrentTimeInt64 = [](sqlite3_vfs* v, sqlite3_int64* out) {
      return Default(v)->xCurrentTimeInt64(Default(v), out);
    };
  }
  if (real->iVersion >= 3) {
    vfs.xSetSystemCall = [](sqlite3_vfs* v, const char* n, sqlite3_syscall_ptr p) {
      return Default(v)->xSetSystemCall(Default(v), n, p);
    };
    vfs.xGetSystemCall = [](sqlite3_vfs* v, const char* n) {
      return Default(v)->xGetSystemCall(Default(v), n);
    };
    vfs.xNextSystemCall = [](sqlite3_vfs* v, const char* n) {
      return Default(v)->xNextSystemCall(Default(v), n);
    };
  }
  sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  return &vfs;
}

}  // namespace

const char* WalGatheringVfs() {
  static const sqlite3_vfs* vfs = Register();
  return vfs->zName;
}

WalWriteCounts WalWrites() {
  return {g_requested.load(std::memory_order_relaxed), g_made.load(std::memory_order_relaxed)};
}

}  // namespace datamcp::state
