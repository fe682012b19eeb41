#!/usr/bin/env bash
# Masker on a 5 MB terraform-plan-like text vs std::regex doing the same in the same run.
# Usage: tests/bench/masker.sh [SIZE_MB]   (not part of ctest)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
[ -f "$build/CMakeCache.txt" ] || "$root/scripts/build"
cmake --build "$build" --target masker_bench -j2 >/dev/null
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 "$root/tests/bench/gen_plan_text.py" "$tmp/plan.txt" "${1:-5}"
"$(find "$build" -name masker_bench -type f -perm -u+x | head -1)" "$tmp/plan.txt"
