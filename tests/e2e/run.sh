#!/usr/bin/env bash
# Runs one end-to-end test file with node's test runner. Fails, never skips, when the npm
# dependencies are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -d "$here/node_modules/@modelcontextprotocol/sdk" ]; then
  echo "tests/e2e: npm dependencies are missing; run scripts/install-test-deps" >&2
  exit 1
fi
exec node --test --test-reporter=spec --test-concurrency=1 "$here/$1"
