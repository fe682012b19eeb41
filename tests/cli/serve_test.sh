# `datamcp serve` with no configuration: answers health checks, exposes metrics, generates an
# auth key with private permissions, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

# Whole outputs, not pipes into grep -q: under pipefail its early exit fails the writer (SIGPIPE).
grep -q '^datamcp [0-9]' <<<"$("$bin" version)" || fail "version output"
grep -q 'serve' <<<"$("$bin" --help)" || fail "--help does not list serve"

start_serve
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] || fail "/healthz not 200"
# Ready once the GitOps repository is open (503 with the reason until then).
deadline=$((SECONDS + 30))
until [ "$(curl -s -o "$tmp/readyz" -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; do
  grep -q . "$tmp/readyz" || fail "/readyz answered without a reason"
  [ $SECONDS -lt $deadline ] || fail "/readyz not 200 within 30s: $(cat "$tmp/readyz")"
  sleep 0.1
done
# A request is counted just after its response is sent: allow the scrape to come first.
deadline=$((SECONDS + 10))
until curl -s "http://127.0.0.1:$port/metrics" |
    grep -q '^datamcp_http_requests_total{method="GET",route="/healthz",status="200"} 1$'; do
  [ $SECONDS -lt $deadline ] || fail "/metrics does not count the /healthz request"
  sleep 0.1
done
key="$tmp/.datamcp/auth/hs256.key"
[ "$(stat -c %a "$key")" = 600 ] || fail "generated key is not mode 600"
grep -q "$(cat "$key")" "$tmp/serve.log" && fail "the generated key appears in the log"
stop_serve
grep -q '"event":"stopped"' "$tmp/serve.log" || fail "no 'stopped' event"
echo "PASS"
