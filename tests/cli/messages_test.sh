# What the CLI and the configuration say when something is off: each message names the
# input, its source and what to do (#12).
. "$(dirname "$0")/lib.sh"

run() {  # run ARGS...: sets $code, $out, $err
  set +e
  (cd "$tmp" && "$@") >"$tmp/out" 2>"$tmp/err"
  code=$?
  set -e
  out="$(cat "$tmp/out")"
  err="$(cat "$tmp/err")"
}
want() {  # want CODE SUBSTRING-OF-STDERR-OR-STDOUT
  [ "$code" = "$1" ] || fail "exit $code, want $1 (stderr: $err)"
  grep -qF -- "$2" "$tmp/out" "$tmp/err" || fail "output lacks '$2': $out $err"
}

# token
run "$bin" token --help
want 0 "scopes: proposals:write plans:read audit:read locks:read server:read env:<environment>"
run "$bin" token --sub a --scopes "plans:raed"
want 2 "'plans:raed' is not a DataMCP scope; known:"
run "$bin" token --sub a --scopes ""
want 2 "no scope given"
run "$bin" token --sub a
want 2 "no scope given"
run "$bin" token --sub a --scopes none
want 0 "."
run "$bin" token --sub a --scopes "env:Prod"
want 2 "'env:Prod' is not env:<environment>"
run "$bin" token --sub a --scopes "plans:read" --ttl 0s
want 2 "token --ttl: '0s' must be between 1s and 366d"
grep -q -- "--ttl: --ttl" "$tmp/err" && fail "the --ttl prefix is doubled: $err"
run "$bin" token --sub a --scopes "plans:read env:dev" --ttl 5m
want 0 "."

# configuration: source named, reference pointed to, duplicates refused, effective view
run env DATAMCP_SERVER_PORT=70000 "$bin" config --check
want 2 "server.port (from DATAMCP_SERVER_PORT): 70000 is not a port number"
want 2 "datamcp config --reference"
printf 'server:\n  port: 8080\nserver.port: 9090\n' >"$tmp/dup.yaml"
run "$bin" --config "$tmp/dup.yaml" config --check
want 2 "server.port (from $tmp/dup.yaml): given twice"
run env DATAMCP_WEBHOOKS_SECRET=hunter2-secret DATAMCP_REPOSITORY_URL=https://bot:tok3n@example.com/g.git \
  DATAMCP_SERVER_PORT=8181 "$bin" config --show
want 0 "server.port: 8181"
want 0 "webhooks.secret: <set, masked>"
want 0 "repository.url: https://<masked>@example.com/g.git"
grep -q "hunter2-secret\|tok3n" "$tmp/out" && fail "config --show prints a secret"

# serve: /readyz names a missing terraform; a port in use is not a signal
start_serve
first_port=$port
deadline=$((SECONDS + 30))
until [ "$(curl -s -o "$tmp/readyz" -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; do
  [ $SECONDS -lt $deadline ] || fail "/readyz not 200 within 30s: $(cat "$tmp/readyz")"
  sleep 0.1
done
set +e
(cd "$tmp" && env DATAMCP_SERVER_PORT="$first_port" DATAMCP_LOG_FORMAT=json DATAMCP_WORK_DIR="$tmp/w2" \
  "$bin" serve) >/dev/null 2>"$tmp/second.log"
second=$?
set -e
[ "$second" = 1 ] || fail "a second server on a port in use exited $second, want 1"
grep -q '"event":"listen_failed"' "$tmp/second.log" || fail "no listen_failed: $(cat "$tmp/second.log")"
grep -q 'SIGTERM\|"event":"shutdown"' "$tmp/second.log" && fail "claims a shutdown signal: $(cat "$tmp/second.log")"
stop_serve

rm -f "$tmp/serve.log"
start_serve_env() { (cd "$tmp" && exec env "$@" DATAMCP_SERVER_PORT=0 DATAMCP_LOG_FORMAT=json "$bin" serve 2>"$tmp/serve.log") & pid=$!; }
start_serve_env DATAMCP_PLAN_TERRAFORM_BIN=/nonexistent/terraform
deadline=$((SECONDS + 20))
port=""
until [ -n "$port" ]; do
  port="$(grep -o '"event":"listening".*' "$tmp/serve.log" 2>/dev/null | grep -o '"port":[0-9]*' | cut -d: -f2 || true)"
  [ $SECONDS -lt $deadline ] || fail "serve did not listen"
  [ -n "$port" ] || sleep 0.05
done
deadline=$((SECONDS + 30))
until grep -q "plan.terraform_bin" "$tmp/readyz" 2>/dev/null; do
  status="$(curl -s -o "$tmp/readyz" -w '%{http_code}' "http://127.0.0.1:$port/readyz")"
  [ "$status" = 503 ] || fail "/readyz answered $status with terraform missing: $(cat "$tmp/readyz")"
  [ $SECONDS -lt $deadline ] || fail "/readyz never named plan.terraform_bin: $(cat "$tmp/readyz")"
  sleep 0.1
done
grep -q "/nonexistent/terraform" "$tmp/readyz" || fail "/readyz does not name the binary: $(cat "$tmp/readyz")"
stop_serve
echo "PASS"
