#!/usr/bin/env bash
# scripts/check-layers on copies of the tree: the copy as it is passes; an include of a part
# above the file's own, one between parts on the same level, a part missing from the order,
# and libgit2 outside the git engine (a call, <git2.h>, an engine header exposing its
# handles) each fail and are named in the output.
set -euo pipefail
src="$1"
check="$src/scripts/check-layers"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# A fresh copy of the sources the check reads (headers and sources of gitops/ and bot/).
copy() {
  rm -rf "$tmp/tree" && mkdir -p "$tmp/tree"
  (cd "$src" && find gitops bot \( -name '*.h' -o -name '*.cc' \) -print0 |
    xargs -0 cp --parents -t "$tmp/tree")
}

# Expects the check to fail on the copy and print `expected`.
expect_failure() {
  local what="$1" expected="$2" out rc=0
  out="$("$check" --root "$tmp/tree" 2>&1)" || rc=$?
  [ "$rc" -eq 1 ] || fail "$what: exit $rc, want 1; output: $out"
  grep -qF -- "$expected" <<<"$out" || fail "$what: output lacks '$expected': $out"
  echo "ok: $what -> $(grep -F -- "$expected" <<<"$out" | head -1)"
}

copy
"$check" --root "$tmp/tree" >/dev/null || fail "the unmodified copy must pass"
echo "ok: the unmodified copy passes"

# common is the bottom part: it must not include apply.
echo '#include "gitops/apply/applier.h"' >>"$tmp/tree/gitops/common/status.cc"
expect_failure "upward include" \
  "gitops/common/status.cc:$(wc -l <"$tmp/tree/gitops/common/status.cc"): includes gitops/apply/applier.h: part 'gitops/apply' is above 'gitops/common'"

# gitops must never include bot.
copy
echo '#include "bot/mcp/tool.h"' >>"$tmp/tree/gitops/proposal/projects.cc"
expect_failure "gitops including bot" "includes bot/mcp/tool.h: part 'bot/mcp' is above 'gitops/proposal'"

# Parts on one level are independent: jobs must not include queue.
copy
echo '#include "gitops/queue/delivery.h"' >>"$tmp/tree/gitops/jobs/lock_table.h"
expect_failure "same-level include" "part 'gitops/queue' is the same level as 'gitops/jobs'"

# A new part must be placed in the order before it can be built on.
copy
mkdir -p "$tmp/tree/gitops/newpart"
echo '#pragma once' >"$tmp/tree/gitops/newpart/thing.h"
expect_failure "unlisted part" "part 'gitops/newpart' is not in scripts/check-layers LEVELS"

# libgit2 stays in the git engine: a libgit2 call, its header, or an engine header that
# exposes its handles, anywhere else, fails.
copy
echo 'int Open(git_repository** r) { return git_repository_open_bare(r, "x"); }' \
  >>"$tmp/tree/gitops/localforge/local_forge.cc"
expect_failure "libgit2 call outside the engine" \
  "gitops/localforge/local_forge.cc:$(wc -l <"$tmp/tree/gitops/localforge/local_forge.cc"): calls libgit2 (git_repository_open_bare) outside the git engine"

copy
echo '#include <git2.h>' >>"$tmp/tree/bot/app/serve.cc"
expect_failure "libgit2 header outside the engine" "bot/app/serve.cc:$(wc -l <"$tmp/tree/bot/app/serve.cc"): includes <git2.h> outside the git engine"

copy
echo '#include "gitops/git/git_ptr.h"' >>"$tmp/tree/gitops/repo/init_repo.cc"
expect_failure "engine header with libgit2 handles outside the engine" \
  "includes gitops/git/git_ptr.h, which exposes libgit2's types outside the git engine"
