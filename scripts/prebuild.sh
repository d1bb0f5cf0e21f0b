#!/usr/bin/env bash
# Builds the prebuilt binary for this platform into prebuilds/<platform>-<arch>/:
# N-API (one binary for every supported Node version), stripped, with the
# serial OpenBLAS linked statically and its symbols hidden, so the binary
# needs nothing beyond the C/C++ runtime. Our own threads do the parallel work,
# hence the serial variant: no idle BLAS threads at load time.
set -euo pipefail
cd "$(dirname "$0")/.."
arch_dir="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
serial_pc="/usr/lib/${arch_dir}/openblas-serial/pkgconfig"
if [ -d "$serial_pc" ]; then
  export PKG_CONFIG_PATH="$serial_pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
else
  echo "prebuild: serial OpenBLAS not found ($serial_pc); apt-get install libopenblas-serial-dev" >&2
  exit 1
fi
export MFREC_OPENBLAS=1 MFREC_OPENBLAS_STATIC=1
# node-gyp needs headers for the target; the running Node's own headers serve
# every N-API target, and avoid any download.
export npm_config_nodedir="${npm_config_nodedir:-$(node -p "require('path').resolve(process.execPath,'../..')")}"
npx prebuildify --napi --strip --target "$(node -p process.versions.node)" "$@"
ls -l prebuilds/*/
