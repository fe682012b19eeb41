#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

namespace datamcp::test {

// A fresh directory under $TMPDIR (else /tmp), unique per process and call; the caller
// removes it. Throws when it cannot be made (the test fails with the reason).
inline std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
  return tmpl;
}

// The C++ tests' temporary directory: made fresh, removed with everything in it on
// destruction. Trees made read-only (git exports them so) are made writable first, and
// removal is retried for a few seconds, while a server's children (receive-pack cleaning its
// quarantine) may still be exiting.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "datamcp-test") : path_(MakeTempDir(prefix)) {}
  ~TempDir() {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_symlink()) chmod(it->path().c_str(), 0755);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::filesystem::remove_all(path_, ec),
           ec && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A path under the directory.
  std::string Sub(const std::string& rel) const { return path_ + "/" + rel; }
  std::string operator/(const std::string& rel) const { return Sub(rel); }

 private:
  std::string path_;
};

}  // namespace datamcp::test
