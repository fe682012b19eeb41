#!/usr/bin/env bash
# Bearer-token verification throughput: DataMCP's full JwtAuthenticator::Authenticate path
# against the raw OpenSSL verify rate (`openssl speed`) measured in the same run, per
# algorithm. A ratio near 1.0 means parsing and claim checks cost little next to the crypto.
# Usage: tests/bench/auth_verify.sh [build-dir]   (bounded: ~1 s per case)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-${BUILD_DIR:-$root/build}}"
bench="$build/tests/auth/auth_bench"
[ -x "$bench" ] || { echo "build auth_bench first: cmake --build $build --target auth_bench" >&2; exit 1; }

ours="$("$bench")"
peer="$(openssl speed -seconds 1 rsa2048 ecdsap256 2>/dev/null)"
rsa_peer="$(awk '/^rsa 2048 bits/ {print $NF}' <<<"$peer")"
ec_peer="$(awk '/ecdsa \(nistp256\)/ {print $NF}' <<<"$peer")"
hs="$(awk '$1=="HS256" {print $2}' <<<"$ours")"
rs="$(awk '$1=="RS256" {print $2}' <<<"$ours")"
es="$(awk '$1=="ES256" {print $2}' <<<"$ours")"

printf '%-6s %14s %18s %8s\n' alg "datamcp ops/s" "openssl verify/s" ratio
# both per CPU second (openssl speed's default divisor is user CPU time)
printf '%-6s %14s %18s %8s\n' HS256 "$hs" "-" "-"
awk -v a="$rs" -v b="$rsa_peer" 'BEGIN {printf "%-6s %14d %18d %8.2f\n", "RS256", a, b, a / b}'
awk -v a="$es" -v b="$ec_peer" 'BEGIN {printf "%-6s %14d %18d %8.2f\n", "ES256", a, b, a / b}'
