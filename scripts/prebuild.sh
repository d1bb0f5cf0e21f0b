#!/usr/bin/env bash
# Builds the prebuilt binary for this platform into prebuilds/<platform>-<arch>/:
# N-API (one binary for every supported Node version), stripped, with
# OpenBLAS linked statically and its symbols hidden, so the binary needs
# nothing beyond the C/C++ runtime. The pthread variant, pinned to one BLAS
# thread at load: our own threads call BLAS concurrently, and Debian's serial
# variant returns wrong results under concurrent calls (native/kernels/blas.cc).
set -euo pipefail
cd "$(dirname "$0")/.."
arch_dir="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
blas_pc="/usr/lib/${arch_dir}/openblas-pthread/pkgconfig"
if [ -d "$blas_pc" ]; then
  export PKG_CONFIG_PATH="$blas_pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
else
  echo "prebuild: OpenBLAS (pthread variant) not found ($blas_pc); apt-get install libopenblas-pthread-dev" >&2
  exit 1
fi
export MFREC_OPENBLAS=1 MFREC_OPENBLAS_STATIC=1
# node-gyp needs headers for the target; the running Node's own headers serve
# every N-API target, and avoid any download.
export npm_config_nodedir="${npm_config_nodedir:-$(node -p "require('path').resolve(process.execPath,'../..')")}"
npx prebuildify --napi --strip --target "$(node -p process.versions.node)" "$@"
ls -l prebuilds/*/
