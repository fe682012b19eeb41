#pragma once

#include "gitops/process/posix_process_runner.h"
#include "gitops/process/sandbox.h"

namespace datamcp::test_support {

// The sandbox tests run planners in: bubblewrap, required (a test machine without it fails
// loudly rather than planning unconfined), probed once per test binary.
inline process::Sandbox& TestSandbox() {
  static process::Sandbox* sandbox = [] {
    auto* s = new process::Sandbox(process::SandboxOptions{});
    process::PosixProcessRunner probe_runner;
    s->Probe(probe_runner);
    return s;
  }();
  return *sandbox;
}

}  // namespace datamcp::test_support
