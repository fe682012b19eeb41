#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

// A child process for tests: argv only (no shell), stdout on a pipe, stderr inherited, in its
// own process group. The destructor SIGKILLs the group if it is still running.
namespace datamcp::testing {

class Subprocess {
 public:
  explicit Subprocess(std::vector<std::string> argv, std::vector<std::string> extra_env = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Reads one stdout line (without '\n'); false on EOF or when the deadline passes.
  bool ReadLine(std::string* line, std::chrono::milliseconds timeout);
  // Reads stdout to EOF (with a deadline) and waits; returns the exit status or -1.
  int ReadAllAndWait(std::string* out, std::chrono::milliseconds timeout);
  void Kill(int signal);
  int Wait();  // exit code, 128+signal when killed

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool reaped_ = false;
  int status_ = -1;
};

}  // namespace datamcp::testing
