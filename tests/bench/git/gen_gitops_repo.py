#!/usr/bin/env python3
"""Writes a git fast-import stream for a synthetic GitOps repository to stdout.

usage: gen_gitops_repo.py FILES DIRS COMMITS

Layout: envs/env<E>/app<A>/file-<K>.yaml, 20 environments, DIRS/20 apps each, FILES/DIRS
files per directory. The first commit adds every file; each later commit on main changes
three files somewhere (deterministic), like a busy GitOps repository's history.
"""
import random
import sys


def main() -> None:
    files, dirs, commits = (int(a) for a in sys.argv[1:4])
    envs = 20
    apps = max(1, dirs // envs)
    per_dir = max(1, files // (envs * apps))
    out = sys.stdout.buffer
    rng = random.Random(42)
    when = 1_700_000_000

    def data(text: str) -> None:
        raw = text.encode()
        out.write(b"data %d\n" % len(raw))
        out.write(raw)
        out.write(b"\n")

    def path(e: int, a: int, k: int) -> str:
        return f"envs/env{e}/app{a}/file-{k}.yaml"

    for c in range(commits):
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer Gen <gen@example.com> %d +0000\n" % (when + c))
        data(f"commit {c}")
        if c == 0:
            for e in range(envs):
                for a in range(apps):
                    for k in range(per_dir):
                        out.write(f"M 100644 inline {path(e, a, k)}\n".encode())
                        data(f"name: app{a}\nenv: env{e}\nreplicas: {k % 5 + 1}\nimage: app:{k}\n")
        else:
            for _ in range(3):
                e, a, k = rng.randrange(envs), rng.randrange(apps), rng.randrange(per_dir)
                out.write(f"M 100644 inline {path(e, a, k)}\n".encode())
                data(f"name: app{a}\nenv: env{e}\nreplicas: {rng.randrange(1, 9)}\nrev: {c}\n")
        out.write(b"\n")


if __name__ == "__main__":
    main()
