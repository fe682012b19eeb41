#!/usr/bin/env bash
# scripts/check-layers on copies of the tree: the copy as it is passes; an include of a part
# above the file's own, one between parts on the same level, a part missing from the order,
# a part library linking a part above it or beside it, an include of a part the library does
# not link, and libgit2 outside the git engine (a call, <git2.h>, an engine header exposing
# its handles) each fail and are named in the output.
set -euo pipefail
src="$1"
check="$src/scripts/check-layers"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# A fresh copy of what the check reads (headers, sources and CMakeLists of gitops/ and bot/).
copy() {
  rm -rf "$tmp/tree" && mkdir -p "$tmp/tree"
  (cd "$src" && find gitops bot \( -name '*.h' -o -name '*.cc' -o -name CMakeLists.txt \) -print0 |
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

# Argo CD's parts sit on their own levels: the manifest model must not include the syncer,
# and gitops/argocd/ itself holds parts, not files.
copy
echo '#include "gitops/argocd/sync/argocd_syncer.h"' >>"$tmp/tree/gitops/argocd/app/application.h"
expect_failure "upward include inside a group" \
  "includes gitops/argocd/sync/argocd_syncer.h: part 'gitops/argocd/sync' is above 'gitops/argocd/app'"
copy
echo '#pragma once' >"$tmp/tree/gitops/argocd/loose.h"
expect_failure "file directly in a group folder" "gitops/argocd/loose.h: gitops/argocd holds parts"

# Each part is a library that links only parts below it: common linking apply (above), jobs
# linking queue (same level), and a part linking the aggregate `gitops`, each fail.
copy
echo 'target_link_libraries(gitops_common PUBLIC gitops_apply)' >>"$tmp/tree/gitops/common/CMakeLists.txt"
expect_failure "upward link" \
  "gitops/common/CMakeLists.txt:$(wc -l <"$tmp/tree/gitops/common/CMakeLists.txt"): links gitops_apply: part 'gitops/apply' is above 'gitops/common'"
copy
echo 'target_link_libraries(gitops_jobs PRIVATE gitops_queue)' >>"$tmp/tree/gitops/jobs/CMakeLists.txt"
expect_failure "same-level link" "links gitops_queue: part 'gitops/queue' is the same level as 'gitops/jobs'"
copy
echo 'target_link_libraries(gitops_repo PRIVATE gitops)' >>"$tmp/tree/gitops/repo/CMakeLists.txt"
expect_failure "link of every part" "gitops/repo/CMakeLists.txt:$(wc -l <"$tmp/tree/gitops/repo/CMakeLists.txt"): links gitops, every part"

# libgit2 is linked by the git engine's library only.
copy
echo 'target_link_libraries(gitops_localforge PRIVATE PkgConfig::LIBGIT2)' >>"$tmp/tree/gitops/localforge/CMakeLists.txt"
expect_failure "libgit2 linked outside the engine" \
  "gitops/localforge/CMakeLists.txt:$(wc -l <"$tmp/tree/gitops/localforge/CMakeLists.txt"): links libgit2 outside the git engine"

# An include needs the link: forge is above state but does not link it.
copy
echo '#include "gitops/state/database.h"' >>"$tmp/tree/gitops/forge/forge.cc"
expect_failure "include of a part not linked" \
  "includes gitops/state/database.h, but gitops_forge does not link gitops_state"

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
