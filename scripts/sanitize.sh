#!/usr/bin/env bash
# Sanitizer runs.
#
#   scripts/sanitize.sh thread    the kernels' C++ tests + fuzz replays under ThreadSanitizer
#   scripts/sanitize.sh address   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/sanitize.sh addon [vitest args]
#                                 the addon built with ASan + UBSan, then the whole vitest
#                                 suite (or the given files) on it; the normal addon is
#                                 rebuilt afterwards, whatever happens
#   scripts/sanitize.sh [all]     all three
#
# Node is run with libasan preloaded (the addon is the only instrumented code
# in the process) and leak detection off: V8 keeps memory alive until exit by
# design, so every run would "leak". Any ASan report or UBSan runtime error
# aborts the process, which fails its test.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
[ $# -gt 0 ] && shift
export npm_config_nodedir="${npm_config_nodedir:-$(node -p "require('path').resolve(process.execPath,'../..')")}"
status=0

native_tests() { # sanitizer
  local san=$1 dir=build-native-$1
  echo "sanitize: native tests under $san"
  cmake -S . -B "$dir" -DMFREC_NATIVE_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMFREC_SANITIZE="$san" >/dev/null || return 1
  cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null || return 1
  # BLAS pinned to one thread as in the addon; our own teams are the threads under test.
  OPENBLAS_NUM_THREADS=1 \
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/native/tests/tsan.supp" \
  ASAN_OPTIONS="detect_leaks=1 halt_on_error=1" UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1" \
    ctest --test-dir "$dir" --output-on-failure
}

addon_suite() { # vitest args...
  local flags="-fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
  echo "sanitize: building the addon with ASan + UBSan"
  trap 'echo "sanitize: rebuilding the normal addon"; npx node-gyp rebuild >/dev/null 2>&1' EXIT
  CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" npx node-gyp rebuild >/dev/null 2>&1 || return 1
  ldd build/Release/mfrec.node | grep -q libasan || { echo "sanitize: the addon is not instrumented" >&2; return 1; }
  npx tsc -p tsconfig.json || return 1  # the CLI tests run dist/
  echo "sanitize: vitest with the instrumented addon"
  # One test file at a time: instrumented code runs several times slower, and the
  # suite's timeouts (kill tests, worker termination, the demo) are sized for one.
  LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
  ASAN_OPTIONS="detect_leaks=0 halt_on_error=1" UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1" \
    npx vitest run --maxWorkers=1 "$@"
}

case "$mode" in
  thread|address) native_tests "$mode" || status=1 ;;
  addon) addon_suite "$@" || status=1 ;;
  all)
    native_tests thread || status=1
    native_tests address || status=1
    addon_suite "$@" || status=1
    ;;
  *) echo "usage: scripts/sanitize.sh [thread|address|addon|all] [vitest args]" >&2; exit 2 ;;
esac
exit $status
