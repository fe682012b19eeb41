#!/usr/bin/env bash
# The image's runtime stage installs RUNTIME_PACKAGES (Dockerfile). No Docker engine here, so
# check statically: every shared library the built binary links must come from a Debian
# package in the dependency closure of RUNTIME_PACKAGES (bookworm, as the image).
# usage: check_image_libs.sh DOCKERFILE BINARY
set -euo pipefail
dockerfile="$1" binary="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }
packages="$(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"$/\1/p' "$dockerfile")"
[ -n "$packages" ] || fail "$dockerfile: no ARG RUNTIME_PACKAGES=\"...\" line"
# shellcheck disable=SC2086
for p in $packages; do
  apt-cache show "$p" >/dev/null 2>&1 || fail "RUNTIME_PACKAGES: $p is not a Debian package here (apt-get update?)"
done
# shellcheck disable=SC2086
closure="$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances $packages | grep -E '^[a-z0-9]' | sort -u)"
owner() {  # Debian package owning a library path (merged /usr: try both spellings)
  dpkg -S "$1" 2>/dev/null || dpkg -S "${1#/usr}" 2>/dev/null || dpkg -S "/usr$1" 2>/dev/null || true
}
missing=0
while read -r lib path; do
  real="$(readlink -f "$path")"
  pkg="$(owner "$real" | head -1 | cut -d: -f1)"
  [ -n "$pkg" ] || pkg="$(owner "$path" | head -1 | cut -d: -f1)"
  if [ -z "$pkg" ]; then echo "FAIL: $lib ($path) belongs to no Debian package" >&2; missing=1; continue; fi
  grep -qx "$pkg" <<<"$closure" || { echo "FAIL: $lib comes from $pkg, not in RUNTIME_PACKAGES' closure" >&2; missing=1; }
done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')
[ "$missing" -eq 0 ] || fail "add the missing packages to RUNTIME_PACKAGES in $dockerfile"
echo "ok image runtime packages cover $(ldd "$binary" | grep -c '=> /') linked libraries"
