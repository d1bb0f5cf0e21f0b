#!/usr/bin/env bash
# Builds the kernels' C++ unit tests with CMake (no Node involved) and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-native-tests -DMFREC_NATIVE_TESTS=ON -DCMAKE_BUILD_TYPE=Release ${MFREC_CMAKE_ARGS:-} >/dev/null
cmake --build build-native-tests -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
ctest --test-dir build-native-tests --output-on-failure
