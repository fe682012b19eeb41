# Bad configuration stops start-up with one line naming the key, and exit code 2.
. "$(dirname "$0")/lib.sh"

expect_config_error() {  # expected-substring, then env assignments / args
  local want="$1"; shift
  set +e
  (cd "$tmp" && env "$@" "$bin" serve) >"$tmp/out" 2>"$tmp/err"
  local code=$?
  set -e
  [ "$code" = 2 ] || fail "exit code $code, want 2 for: $*"
  [ "$(wc -l <"$tmp/err")" = 1 ] || { cat "$tmp/err" >&2; fail "want exactly one line on stderr for: $*"; }
  grep -qF "$want" "$tmp/err" || { cat "$tmp/err" >&2; fail "stderr lacks '$want'"; }
}

expect_config_error "server.port (from DATAMCP_SERVER_PORT): 'abc' is not a whole number" DATAMCP_SERVER_PORT=abc
expect_config_error "auth.mode (from DATAMCP_AUTH_MODE): none is only allowed when server.bind is a loopback address" \
  DATAMCP_AUTH_MODE=none DATAMCP_SERVER_BIND=0.0.0.0
printf 'server:\n  threads: 0\n' >"$tmp/c.yaml"
expect_config_error "server.threads (from $tmp/c.yaml): must be between 1 and 512" DATAMCP_CONFIG="$tmp/c.yaml"
expect_config_error "config file '/nonexistent.yaml': cannot be read" DATAMCP_CONFIG=/nonexistent.yaml
echo "PASS"
