#!/usr/bin/env bash
# Proves `npm install mfrec` works without compiling: packs the package with
# its prebuilt binary, installs the tarball into an empty folder with install
# scripts disabled, then runs the demo and a smoke test against it, once with
# OpenBLAS's shared libraries hidden from the loader when possible.
set -euo pipefail
cd "$(dirname "$0")/.."
# Always fresh: a stale prebuild would test old code.
bash scripts/prebuild.sh >/dev/null 2>&1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed: $tarball ($(du -k "$work/$tarball" | cut -f1) kB)"
mkdir -p "$work/consumer"
cp test/packed/smoke.mjs "$work/consumer/"
(
  cd "$work/consumer"
  npm init -y >/dev/null
  npm install --ignore-scripts --no-audit --no-fund "$work/$tarball" >/dev/null
  test ! -e node_modules/mfrec/build || { echo "unexpected build/ folder: something compiled" >&2; exit 1; }
  node smoke.mjs
  npx --no-install mfrec demo --quiet | tail -n 9
)
# The same with every OpenBLAS library directory masked (a machine without OpenBLAS):
# the prebuild links OpenBLAS statically, so nothing changes.
masks=()
for d in /usr/lib/*-linux-gnu/openblas-*; do [ -d "$d" ] && masks+=("$d"); done
if [ ${#masks[@]} -gt 0 ] && unshare -m true 2>/dev/null; then
  cmd="set -e; for d in ${masks[*]}; do mount --bind \"\$(mktemp -d)\" \"\$d\"; done; cd '$work/consumer'; node smoke.mjs"
  unshare -m bash -c "$cmd"
  echo "packed smoke with OpenBLAS hidden: ok"
else
  echo "packed smoke with OpenBLAS hidden: skipped (needs root and unshare)"
fi
