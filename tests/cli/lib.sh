# Helpers for the CLI tests. Source it; it sets $tmp (removed on exit) and defines:
#   fail MSG            print and exit 1
#   start_serve ARGS    start `datamcp serve` in $tmp on a free port; sets $pid and $port
#   stop_serve          SIGTERM and wait
set -euo pipefail
bin="$1"
tmp="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/serve.log" ] && tail -20 "$tmp/serve.log" >&2; exit 1; }

start_serve() {
  (cd "$tmp" && exec env DATAMCP_SERVER_PORT=0 DATAMCP_LOG_FORMAT=json "$bin" serve "$@" 2>"$tmp/serve.log") &
  pid=$!
  local deadline=$((SECONDS + 20))
  port=""
  while [ -z "$port" ]; do
    port="$(grep -o '"event":"listening".*' "$tmp/serve.log" 2>/dev/null | grep -o '"port":[0-9]*' | cut -d: -f2 || true)"
    kill -0 "$pid" 2>/dev/null || fail "serve exited early"
    [ $SECONDS -lt $deadline ] || fail "serve did not log 'listening' within 20s"
    [ -n "$port" ] || sleep 0.05
  done
}

stop_serve() {
  kill -TERM "$pid"
  wait "$pid" || fail "serve exited with $? on SIGTERM"
  pid=""
}
