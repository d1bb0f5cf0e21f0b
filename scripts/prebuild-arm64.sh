#!/usr/bin/env bash
# Cross-compiles the linux-arm64 prebuilt binary on an x86-64 Debian/Ubuntu
# host into prebuilds/linux-arm64/mfrec.node: the same recipe as
# scripts/prebuild.sh (N-API, OpenBLAS (pthread variant) linked statically with its
# symbols hidden, stripped), with Debian's aarch64 cross compiler and the
# arm64 OpenBLAS from multiarch. Needs, once:
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install g++-aarch64-linux-gnu libopenblas-pthread-dev:arm64
# Prove the result with scripts/smoke-arm64.sh (runs it under qemu-user).
set -euo pipefail
cd "$(dirname "$0")/.."

triplet=aarch64-linux-gnu
serial_pc="/usr/lib/${triplet}/openblas-pthread/pkgconfig"
for tool in "${triplet}-gcc" "${triplet}-g++" "${triplet}-strip"; do
  if ! command -v "$tool" >/dev/null; then
    echo "prebuild-arm64: $tool not found; apt-get install g++-aarch64-linux-gnu" >&2
    exit 1
  fi
done
if [ ! -f "$serial_pc/openblas.pc" ]; then
  echo "prebuild-arm64: arm64 OpenBLAS (pthread variant) not found ($serial_pc);" \
    "dpkg --add-architecture arm64 && apt-get update && apt-get install libopenblas-pthread-dev:arm64" >&2
  exit 1
fi

# pkg-config must see only the target's .pc files, never the host's, so that
# binding.gyp picks the arm64 headers and libopenblas.a.
export PKG_CONFIG_LIBDIR="$serial_pc" PKG_CONFIG_PATH=""
export MFREC_OPENBLAS=1 MFREC_OPENBLAS_STATIC=1
export CC="${triplet}-gcc" CXX="${triplet}-g++" LINK="${triplet}-g++" AR="${triplet}-ar"
export PREBUILD_STRIP_BIN="${triplet}-strip"
# N-API headers do not depend on the architecture: the running Node's serve.
export npm_config_nodedir="${npm_config_nodedir:-$(node -p "require('path').resolve(process.execPath,'../..')")}"

# node-gyp builds in build/, where the host's own development build lives
# (configuration, objects, the addon tests load). Keep that aside and put it
# back, so the arm64 build never replaces it.
kept=""
if [ -d build-host-kept ]; then
  # A previous run was killed before it could put the host build back.
  rm -rf build
  mv build-host-kept build
fi
if [ -d build ]; then
  kept="build-host-kept"
  mv build "$kept"
fi
restore() {
  rm -rf build
  if [ -n "$kept" ]; then mv "$kept" build; fi
}
trap restore EXIT

npx prebuildify --napi --strip --arch arm64 --target "$(node -p process.versions.node)" "$@"

out=prebuilds/linux-arm64/mfrec.node
file "$out"
ls -l "$out"
echo "gzip -9: $(gzip -9c "$out" | wc -c) bytes"
# Only the C and C++ runtimes may be needed (ld-linux-aarch64.so.1 is glibc's
# loader: on arm64 it provides __stack_chk_guard, used by the hardened OpenBLAS objects).
needed="$("${triplet}-readelf" -d "$out" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')"
echo "NEEDED: $needed"
for lib in $needed; do
  case "$lib" in
    libc.so.6 | libm.so.6 | libstdc++.so.6 | libgcc_s.so.1 | ld-linux-aarch64.so.1) ;;
    *) echo "prebuild-arm64: unexpected dependency $lib" >&2; exit 1 ;;
  esac
done
# No OpenBLAS symbol may be exported (it would clash with another copy in the process).
if "${triplet}-nm" -D --defined-only "$out" | grep -Eiq ' (cblas_|openblas|[sdcz]gemm_|sposv_)'; then
  echo "prebuild-arm64: OpenBLAS symbols are exported" >&2
  exit 1
fi
