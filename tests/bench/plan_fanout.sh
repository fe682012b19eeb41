#!/usr/bin/env bash
# DataMCP's Terraform plan vs the bare terraform commands it cannot avoid (plan -out, show
# -json), for 1, 10 and 100 roots planned in parallel, in the same run; prints the ratio.
# Usage: tests/bench/plan_fanout.sh [RUNS] [PARALLEL]   (not part of ctest)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[ -f "$build/CMakeCache.txt" ] || "$root/scripts/build"
cmake --build "$build" --target plan_fanout_bench -j2 >/dev/null
"$(find "$build" -name plan_fanout_bench -type f -perm -u+x | head -1)" "${1:-5}" "${2:-2}"
