#!/usr/bin/env bash
# Webhook intake benchmark: signed pull_request deliveries at full speed with wrk over
# loopback (8 connections, bounded by time and request count), against
#   1. DataMCP's intake (tests/bench/webhooks/webhook_server.cc): signature check, JSON parse,
#      (--allow-replays: one signed body is posted under many ids; its digest is still
#      computed and recorded, salted with the id, so the replay check's cost is measured),
#      allowlist, the delivery committed to the SQLite state database before 202 (WAL,
#      synchronous=NORMAL: survives kill -9), dispatcher marking each delivery done;
#   2. the same without the dispatcher (intake and recording only);
#   3. the same with --sync-writes (synchronous=FULL: fsync of every commit before 202);
#   4. the peer: a minimal Node server with @octokit/webhooks (verify + JSON parse + 202),
#      tests/webhooks/js/octokit-server.mjs, no recording;
#   5. DataMCP and the peer once more each with a new connection per delivery (Connection:
#      close), the way a sender that does not keep connections alive posts;
#   6. with PostgreSQL as the state database (a real server started here, fsync off as in the
#      tests), one replica, then three replicas on the same database, each with its own wrk
#      (the same connections in all, split between them), deliveries/s summed, p99 the worst.
#      Skipped, and said so, when Debian's postgresql is not installed.
# Prints deliveries/s and p99 for each and the ratio against the peer, and each server's CPU
# time per delivery (cpu_us, from /proc) with the ratio of the two: a figure steal time on a
# shared machine moves far less than deliveries/s.
#
# usage: tests/bench/webhooks/run.sh   (env: BUILD_DIR, BENCH_DURATION=10s, BENCH_ROUNDS=3,
#        BENCH_CONNECTIONS=8, BENCH_THREADS=2, BENCH_MAX_REQUESTS=200000 per wrk thread)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
server_bin="$build/tests/webhooks/webhook_server"
js="$root/tests/webhooks/js"
duration="${BENCH_DURATION:-10s}"
rounds="${BENCH_ROUNDS:-3}"
connections="${BENCH_CONNECTIONS:-8}"
wrk_threads="${BENCH_THREADS:-2}"
export BENCH_MAX_REQUESTS="${BENCH_MAX_REQUESTS:-200000}"
repo="datamcp-test/gitops"

[ -x "$server_bin" ] || { echo "run.sh: $server_bin missing; build first (scripts/build)" >&2; exit 2; }
[ -d "$js/node_modules/@octokit/webhooks" ] || { echo "run.sh: run scripts/install-test-deps" >&2; exit 2; }
command -v wrk >/dev/null || { echo "run.sh: wrk not installed (apt-get install wrk)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/datamcp-webhook-bench-XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

secret="bench-secret-$RANDOM$RANDOM"
printf '%s' "$secret" >"$work/secret"
# One real pull_request "opened" payload, rewritten to the test repository and signed.
node "$js/sign-examples.mjs" --secret "$secret" --repo "$repo" --out "$work/payloads" \
  --events pull_request >"$work/payloads.jsonl"
line="$(grep -m1 '"action":"opened"' "$work/payloads.jsonl")"
export BENCH_BODY_FILE="$(node -e 'console.log(JSON.parse(process.argv[1]).body_file)' "$line")"
export BENCH_SIGNATURE="$(node -e 'console.log(JSON.parse(process.argv[1]).signature)' "$line")"
echo "payload: pull_request opened, $(stat -c %s "$BENCH_BODY_FILE") bytes; wrk -t$wrk_threads -c$connections -d$duration (max $BENCH_MAX_REQUESTS requests per thread)"

# What one fdatasync costs on this disk: 200 payload-sized appends, each with O_DSYNC.
payload_bytes="$(stat -c %s "$BENCH_BODY_FILE")"
dsync="$(LC_ALL=C dd if=/dev/zero of="$work/dsync.bin" bs="$payload_bytes" count=200 oflag=dsync 2>&1 | tail -1)"
dsync_ms="$(awk '{for (i = 1; i <= NF; i++) if ($i == "s,") print $(i - 1) * 1000 / 200}' <<<"$dsync")"
rm -f "$work/dsync.bin"
echo "fdatasync cost: ${dsync_ms} ms per $payload_bytes-byte append (dd oflag=dsync, 200 writes)"

# start NAME CMD...: starts a server that prints "listening <port>", sets $port.
start() {
  local name="$1"; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  server_pid=$!
  for _ in $(seq 1 200); do
    if grep -q '^listening ' "$work/$name.out" 2>/dev/null; then
      port="$(awk '/^listening /{print $2; exit}' "$work/$name.out")"
      return 0
    fi
    sleep 0.05
  done
  echo "run.sh: $name did not start:" >&2; cat "$work/$name.err" >&2; exit 1
}
# wait_for FILE PATTERN: waits until FILE has a line starting with PATTERN.
wait_for() {
  for _ in $(seq 1 600); do grep -q "^$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "run.sh: timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}
stop_last() { local pid="${pids[-1]}"; kill "$pid"; wait "$pid" 2>/dev/null || true; unset 'pids[-1]'; }

# cpu_ticks PID: the process's user + system time so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# measure NAME: runs wrk against $port (served by process $server_pid); prints and records
# the RESULT line with the server's CPU time per delivery, which steal time on a shared
# machine moves far less than deliveries/s.
measure() {
  local name="$1" before after
  before="$(cpu_ticks "$server_pid")"
  BENCH_RUN_ID="$name-$RANDOM" wrk -t"$wrk_threads" -c"$connections" -d"$duration" \
    -s "$root/tests/bench/webhooks/post_delivery.lua" "http://127.0.0.1:$port/webhooks/github" \
    >"$work/$name.wrk"
  after="$(cpu_ticks "$server_pid")"
  local result; result="$(grep '^RESULT' "$work/$name.wrk")"
  local requests; requests="$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$result")"
  local cpu_us
  cpu_us="$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0)}')"
  result="$result cpu_us=$cpu_us"
  printf '%-28s %s\n' "$name" "${result#RESULT }"
  eval "${name//-/_}_cpu=$cpu_us"
  eval "${name//-/_}_rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$result")"
  eval "${name//-/_}_p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$result")"
  eval "${name//-/_}_bad=$(sed -E 's/.*non202=([0-9]+).*/\1/' <<<"$result")"
}

# DataMCP and the peer in turn, $rounds times, both servers up throughout: this machine's
# speed drifts from minute to minute, so a ratio is taken only between neighbouring runs. The
# headline is the median of the rounds' ratios (and of each side's figures).
start datamcp "$server_bin" --dir "$work/store" --secret-file "$work/secret" --repo "$repo" --threads 8 --allow-replays
datamcp_port="$port"; datamcp_pid="$server_pid"
start octokit env WEBHOOK_SECRET="$secret" node "$js/octokit-server.mjs"
octokit_port="$port"; octokit_pid="$server_pid"
ratios=(); cpu_ratios=(); d_rps=(); d_p99=(); o_rps=(); o_p99=(); datamcp_bad=0; octokit_bad=0
for r in $(seq 1 "$rounds"); do
  port="$datamcp_port"; server_pid="$datamcp_pid"; measure "datamcp-r$r"
  port="$octokit_port"; server_pid="$octokit_pid"; measure "octokit-r$r"
  eval "d=\$datamcp_r${r}_rps dp=\$datamcp_r${r}_p99 db=\$datamcp_r${r}_bad dc=\$datamcp_r${r}_cpu"
  eval "o=\$octokit_r${r}_rps op=\$octokit_r${r}_p99 ob=\$octokit_r${r}_bad oc=\$octokit_r${r}_cpu"
  d_rps+=("$d"); d_p99+=("$dp"); o_rps+=("$o"); o_p99+=("$op")
  ratios+=("$(awk -v a="$d" -v b="$o" 'BEGIN {printf "%.2f", a / b}')")
  cpu_ratios+=("$(awk -v a="$dc" -v b="$oc" 'BEGIN {printf "%.2f", (a > 0 ? b / a : 0)}')")
  datamcp_bad=$((datamcp_bad + db)); octokit_bad=$((octokit_bad + ob))
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
datamcp_rps="$(median "${d_rps[@]}")"; datamcp_p99="$(median "${d_p99[@]}")"
octokit_rps="$(median "${o_rps[@]}")"; octokit_p99="$(median "${o_p99[@]}")"
ratio="$(median "${ratios[@]}")"
echo "ratio per round (datamcp / octokit): ${ratios[*]}"
echo "CPU per delivery, octokit / datamcp, per round: ${cpu_ratios[*]} (median $(median "${cpu_ratios[@]}"))"
# A new connection per delivery (Connection: close), as a sender that does not keep
# connections alive sends them: one round each.
export BENCH_CLOSE=1
port="$datamcp_port"; server_pid="$datamcp_pid"; measure datamcp-close
port="$octokit_port"; server_pid="$octokit_pid"; measure octokit-close
unset BENCH_CLOSE
stop_last
stop_last
start datamcp-nodispatch "$server_bin" --dir "$work/store-nd" --secret-file "$work/secret" --repo "$repo" --threads 8 --allow-replays --no-dispatch
measure datamcp-nodispatch
stop_last
start datamcp-fsync "$server_bin" --dir "$work/store-fsync" --secret-file "$work/secret" --repo "$repo" --threads 8 --allow-replays --sync-writes
measure datamcp-fsync
stop_last

# PostgreSQL: 1 replica, then 3 replicas on one database.
pg_bin_found() { [ -n "${DATAMCP_PG_BIN:-}" ] || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; }
pg1_rps=""; pg3_rps=""
if pg_bin_found; then
  node "$root/tests/bench/postgres.mjs" >"$work/pg.out" 2>"$work/pg.err" &
  pids+=($!)
  pg_pid=$!
  wait_for "$work/pg.out" "url "
  pg_url="$(awk '/^url /{print $2; exit}' "$work/pg.out")"
  start datamcp-pg-1 "$server_bin" --dir "$work/store-pg1" --secret-file "$work/secret" --repo "$repo" --threads 8 --allow-replays --postgres-url "$pg_url"
  measure datamcp-pg-1
  pg1_rps="$datamcp_pg_1_rps"; pg1_p99="$datamcp_pg_1_p99"
  stop_last
  replica_ports=()
  for i in 1 2 3; do
    start "datamcp-pg-r$i" "$server_bin" --dir "$work/store-pg-r$i" --secret-file "$work/secret" --repo "$repo" --threads 8 --allow-replays --postgres-url "$pg_url"
    replica_ports+=("$port")
  done
  per=$(( (connections + 2) / 3 ))
  wrk_pids=()
  for i in 0 1 2; do
    BENCH_RUN_ID="pg3-$i-$RANDOM" wrk -t1 -c"$per" -d"$duration" \
      -s "$root/tests/bench/webhooks/post_delivery.lua" "http://127.0.0.1:${replica_ports[$i]}/webhooks/github" \
      >"$work/pg3-$i.wrk" &
    wrk_pids+=($!)
  done
  for p in "${wrk_pids[@]}"; do wait "$p"; done
  read -r pg3_rps pg3_p99 < <(grep -h '^RESULT' "$work"/pg3-*.wrk | sed -E 's/.*rps=([0-9.]+).*p99_ms=([0-9.]+).*/\1 \2/' |
    awk '{r += $1; if ($2 > p) p = $2} END {print r, p}')
  pg3_bad="$(grep -h '^RESULT' "$work"/pg3-*.wrk | sed -E 's/.*non202=([0-9]+).*/\1/' | awk '{n += $1} END {print n}')"
  printf '%-28s rps=%s p99_ms=%s non202=%s (3 wrk, %d connections each)\n' datamcp-pg-3 "$pg3_rps" "$pg3_p99" "$pg3_bad" "$per"
  stop_last; stop_last; stop_last
else
  echo "datamcp-pg-*                 skipped: Debian's postgresql is not installed (scripts/setup installs it)"
fi

echo
awk -v a="$datamcp_rps" -v f="$datamcp_fsync_rps" -v o="$octokit_rps" -v p="$datamcp_p99" \
    -v pf="$datamcp_fsync_p99" -v po="$octokit_p99" -v n="$datamcp_nodispatch_rps" \
    -v pn="$datamcp_nodispatch_p99" -v r="$ratio" -v c="$datamcp_close_rps" \
    -v pc="$datamcp_close_p99" -v oc="$octokit_close_rps" 'BEGIN {
  printf "datamcp (SQLite, commit before 202):    %8.0f deliveries/s  p99 %6.2f ms  %.2fx octokit (median of the rounds)\n", a, p, r;
  printf "datamcp intake only (no dispatcher):    %8.0f deliveries/s  p99 %6.2f ms  %.2fx octokit\n", n, pn, n / o;
  printf "datamcp (SQLite, fsync before 202):     %8.0f deliveries/s  p99 %6.2f ms  %.2fx octokit\n", f, pf, f / o;
  printf "octokit/webhooks (verify + 202, Node):  %8.0f deliveries/s  p99 %6.2f ms\n", o, po;
  printf "a new connection per delivery:          %8.0f deliveries/s  p99 %6.2f ms  %.2fx octokit (%.0f/s)\n", c, pc, c / oc, oc;
  printf "target (issue 14): >= 2x octokit and p99 < 10 ms -> %s\n", (r >= 2 && p < 10) ? "met" : "NOT met";
  printf "target (issue 11): >= 3x octokit and p99 <  5 ms -> %s\n", (r >= 3 && p < 5) ? "met" : "NOT met";
}'
if [ -n "$pg1_rps" ]; then
  awk -v a="$pg1_rps" -v p="$pg1_p99" -v b="$pg3_rps" -v q="$pg3_p99" -v o="$octokit_rps" 'BEGIN {
    printf "datamcp (PostgreSQL, 1 replica):        %8.0f deliveries/s  p99 %6.2f ms  %.2fx octokit\n", a, p, a / o;
    printf "datamcp (PostgreSQL, 3 replicas):       %8.0f deliveries/s  p99 %6.2f ms  %.2fx octokit\n", b, q, b / o;
  }'
  if [ "$datamcp_pg_1_bad" != 0 ] || [ "$pg3_bad" != 0 ]; then
    echo "run.sh: some PostgreSQL responses were not 202 (see above)" >&2; exit 1
  fi
fi
if [ "$datamcp_bad" != 0 ] || [ "$datamcp_nodispatch_bad" != 0 ] || [ "$datamcp_fsync_bad" != 0 ] ||
   [ "$octokit_bad" != 0 ] || [ "$datamcp_close_bad" != 0 ] || [ "$octokit_close_bad" != 0 ]; then
  echo "run.sh: some responses were not 202 (see above)" >&2; exit 1
fi
