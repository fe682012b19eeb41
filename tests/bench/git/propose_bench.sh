#!/usr/bin/env bash
# Benchmark: "propose" = change 3 files in one environment, commit, push a new branch,
# against a git daemon on 127.0.0.1 serving a synthetic GitOps repository (100,000 files in
# 2,000 directories, 10,000 commits, built with git fast-import) and a 1,000-file one.
# Three ways, same run:
#   engine    DataMCP's libgit2 engine, mirror already present (as in service): fetch +
#             commit without a worktree + push
#   clone     git clone --depth 1 + edit + commit + push (a fresh clone per proposal)
#   worktree  a persistent clone: git fetch + git checkout -B + edit + commit + push
# Prints medians and ratios, the 1k-vs-100k ratio and the engine's peak RSS, plus the
# engine's own CPU time and the server-side floor (a bare `git push` of one commit: git's
# receive-pack connectivity check walks the base tree, O(repository), for every client).
#
# usage: tests/bench/git/propose_bench.sh [BUILD_DIR]   (env: N_ENGINE N_CLONE N_WT)
# Builds the driver target git_propose_bench first. Data lives in a temp dir under /tmp and
# is removed at exit. Not part of ctest.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="${1:-$root/build}"
driver="$build/tests/bench/git/git_propose_bench"
n_engine="${N_ENGINE:-9}"; n_clone="${N_CLONE:-3}"; n_wt="${N_WT:-5}"
[ -x "$driver" ] || { echo "build the driver first: cmake --build $build --target git_propose_bench" >&2; exit 2; }

work="$(mktemp -d /tmp/datamcp-bench-XXXXXX)"
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$HOME" "$work/srv"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }

gen() {  # name files dirs commits
  local repo="$work/srv/$1.git" t0; t0=$(now_ms)
  git init -q --bare --initial-branch=main "$repo"
  python3 "$root/tests/bench/git/gen_gitops_repo.py" "$2" "$3" "$4" | git -C "$repo" fast-import --quiet
  echo "generated $1: $2 files, $3 dirs, $4 commits in $(( $(now_ms) - t0 )) ms" >&2
}
gen big 100000 2000 10000
gen small 1000 20 100

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
git daemon --enable=receive-pack --base-path="$work/srv" --port="$port" --listen=127.0.0.1 \
  --export-all --reuseaddr "$work/srv" 2>"$work/daemon.log" &
daemon_pid=$!
deadline=$(( $(now_ms) + 15000 ))
until git ls-remote "git://127.0.0.1:$port/big.git" >/dev/null 2>&1; do
  [ "$(now_ms)" -lt "$deadline" ] || { echo "git daemon did not start" >&2; cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.05
done
url() { echo "git://127.0.0.1:$port/$1.git"; }

edit3() {  # dir i
  printf 'replicas: %s\n' "$2" >"$1/envs/env3/app7/file-0.yaml"
  printf 'image: app:%s\n' "$2" >"$1/envs/env3/app7/file-1.yaml"
  printf 'new: %s\n' "$2" >"$1/envs/env3/app7/bench-$2.yaml"
}

engine_run() {  # name -> prints per-iteration ms on stdout, rss in $work/rss-<name>
  local t0; t0=$(now_ms)
  "$driver" mirror "$work/mirror-$1" "$(url "$1")"
  echo "engine mirror of $1 (one-time, not timed below): $(( $(now_ms) - t0 )) ms" >&2
  "$driver" propose "$work/mirror-$1" "$(url "$1")" envs/env3/app0 "$n_engine" "bench/engine-" \
    >"$work/engine-$1.out"
  grep '^peak_rss_kb' "$work/engine-$1.out" | awk '{print $2}' >"$work/rss-$1"
  grep '^ms ' "$work/engine-$1.out" | awk '{print $6}' >"$work/cpu-$1"
  grep '^ms ' "$work/engine-$1.out" | awk '{print $2}'
}

clone_run() {
  for i in $(seq 1 "$n_clone"); do
    local d="$work/clone-$i" t0; t0=$(now_ms)
    git clone -q --depth 1 --single-branch --branch main "$(url big)" "$d"
    edit3 "$d" "$i"
    git -C "$d" add -A && git -C "$d" commit -q -m "bench: clone $i"
    git -C "$d" push -q origin "HEAD:refs/heads/bench/clone-$i"
    echo $(( $(now_ms) - t0 ))  # clones are removed at exit: deleting 100k files is slow here
  done
}

worktree_run() {
  local d="$work/worktree"
  git clone -q "$(url big)" "$d"
  for i in $(seq 1 "$n_wt"); do
    local t0; t0=$(now_ms)
    git -C "$d" fetch -q origin
    git -C "$d" checkout -q -B "bench-wt-$i" origin/main
    edit3 "$d" "$i"
    git -C "$d" add -A && git -C "$d" commit -q -m "bench: worktree $i"
    local tp; tp=$(now_ms)
    git -C "$d" push -q origin "HEAD:refs/heads/bench/wt-$i"
    echo $(( $(now_ms) - tp )) >>"$work/push-floor"
    echo $(( $(now_ms) - t0 ))
  done
}

engine_run big >"$work/t-engine-big"
engine_run small >"$work/t-engine-small"
clone_run >"$work/t-clone"
worktree_run >"$work/t-worktree"
for f in engine-big engine-small clone worktree; do echo "samples $f (ms): $(tr '\n' ' ' <"$work/t-$f")" >&2; done
engine_big=$(median <"$work/t-engine-big"); engine_small=$(median <"$work/t-engine-small")
clone=$(median <"$work/t-clone"); worktree=$(median <"$work/t-worktree")
rss_kb=$(cat "$work/rss-big")
cpu_big=$(median <"$work/cpu-big"); cpu_small=$(median <"$work/cpu-small")
push_floor=$(median <"$work/push-floor")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {ok = (op == ">=") ? v >= t : v <= t; print ok ? "PASS" : "FAIL"}'; }
echo
echo "propose (3 files, commit, push new branch), medians:"
printf '  %-44s %8s ms\n' "engine, 100k files (n=$n_engine)" "$engine_big"
printf '  %-44s %8s ms\n' "engine, 1k files (n=$n_engine)" "$engine_small"
printf '  %-44s %8s ms\n' "git clone --depth 1, 100k files (n=$n_clone)" "$clone"
printf '  %-44s %8s ms\n' "persistent worktree, 100k files (n=$n_wt)" "$worktree"
printf '  %-44s %8s ms\n' "engine CPU time only, 100k / 1k files" "$cpu_big / $cpu_small"
printf '  %-44s %8s ms\n' "server floor: git push alone (worktree)" "$push_floor"
r_clone=$(ratio "$clone" "$engine_big"); r_wt=$(ratio "$worktree" "$engine_big")
r_size=$(ratio "$engine_big" "$engine_small"); rss_mb=$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')
echo "ratios:"
echo "  clone / engine      ${r_clone}x  (target >= 20x) $(verdict "$r_clone" ">=" 20)"
echo "  worktree / engine   ${r_wt}x  (target >= 3x) $(verdict "$r_wt" ">=" 3)"
echo "  engine 100k / 1k    ${r_size}x  (target <= 2x) $(verdict "$r_size" "<=" 2)"
echo "  engine CPU 100k/1k  $(ratio "$cpu_big" "$cpu_small")x  (the engine's own work; the rest is the server)"
echo "  engine peak RSS     ${rss_mb} MB  (target < 100 MB) $(verdict "$rss_mb" "<=" 100)"
