#!/usr/bin/env bash
# Cost of the plan sandbox: one terraform plan with bubblewrap vs plan.sandbox off, in the
# same run. Usage: tests/bench/plan_sandbox.sh [RUNS]   (not part of ctest)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[ -f "$build/CMakeCache.txt" ] || "$root/scripts/build"
cmake --build "$build" --target plan_sandbox_bench -j2 >/dev/null
"$(find "$build" -name plan_sandbox_bench -type f -perm -u+x | head -1)" "${1:-7}"
