#!/usr/bin/env bash
# Builds every libFuzzer harness in native/fuzz/ (clang, ASan + UBSan) and
# runs each for a bounded time.
#
#   scripts/fuzz.sh [seconds-per-harness]   (default 20)
#   FUZZ_ONLY=topk scripts/fuzz.sh 60       (one harness)
#
# The corpus lives in native/fuzz/corpus/<harness>/: each run starts from it,
# adds what it finds, and is then merged back to a coverage-minimal set (so it
# stays small enough to commit). Inputs in native/fuzz/regressions/<harness>/
# are replayed first. Every crash, leak or timeout found is copied into
# native/fuzz/regressions/<harness>/ — where ctest's fuzz_replay_<harness>
# test replays it from then on — and the script fails.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
out=build-fuzz
mkdir -p "$out/obj"

find_clang() { command -v clang++ || command -v clang++-14 || true; }
CXX=${CXX_FUZZ:-$(find_clang)}
if [ -z "$CXX" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  # CI on a fresh Debian machine: libFuzzer ships in clang's runtime package.
  echo "fuzz: apt-get install clang libclang-rt-dev"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
  rt=$(apt-cache search --names-only '^libclang-rt-[0-9]+-dev$' | awk '{print $1}' | sort -V | tail -1)
  [ -n "$rt" ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$rt" >/dev/null
  CXX=$(find_clang)
fi
if [ -z "$CXX" ]; then
  echo "fuzz: clang++ not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
flags=(-g -O1 -std=c++17 -ffp-contract=off -Inative $sanitize)
libs=(-pthread)
if pkg-config --exists openblas 2>/dev/null; then
  flags+=(-DMFREC_HAVE_OPENBLAS $(pkg-config --cflags openblas))
  libs+=($(pkg-config --libs openblas))
fi

# Kernels once, instrumented for coverage; then one link per harness.
objs=()
for src in $(grep '^native/kernels/.*\.cc$' native/sources.txt); do
  obj="$out/obj/$(basename "${src%.cc}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find native/kernels -name '*.h' -newer "$obj" -print -quit)" ]; then
    "$CXX" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" || exit 2
  fi
  objs+=("$obj")
done

status=0
summary=()
for harness_src in native/fuzz/fuzz_*.cc; do
  name=$(basename "${harness_src%.cc}")
  name=${name#fuzz_}
  if [ -n "${FUZZ_ONLY:-}" ] && [ "$FUZZ_ONLY" != "$name" ]; then continue; fi
  bin="$out/fuzz_$name"
  "$CXX" "${flags[@]}" -fsanitize=fuzzer "$harness_src" "${objs[@]}" "${libs[@]}" -o "$bin" || exit 2

  corpus=native/fuzz/corpus/$name
  regressions=native/fuzz/regressions/$name
  artifacts=$out/artifacts/$name
  work=$out/corpus/$name
  mkdir -p "$corpus" "$regressions" "$artifacts" "$work"
  rm -f "$artifacts"/*

  # Every past crash must stay fixed.
  mapfile -t saved < <(find "$regressions" -maxdepth 1 -type f ! -name '.*')
  if [ ${#saved[@]} -gt 0 ]; then
    if ! "$bin" -runs=0 "${saved[@]}" >"$out/$name.replay.log" 2>&1; then
      echo "fuzz: $name: a saved regression input fails again (see $out/$name.replay.log)"
      status=1
      continue
    fi
  fi

  echo "fuzz: $name for ${seconds}s"
  cp -n "$corpus"/* "$work"/ 2>/dev/null
  "$bin" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$out/$name.log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$out/$name.log" | tail -1)
  found=$(ls -A "$artifacts")
  if [ "$rc" != 0 ] || [ -n "$found" ]; then
    for f in "$artifacts"/*; do [ -f "$f" ] && cp "$f" "$regressions/"; done
    echo "fuzz: $name FAILED (rc $rc); inputs saved to $regressions/ (log: $out/$name.log)"
    tail -40 "$out/$name.log"
    status=1
  fi
  # Keep the committed corpus coverage-minimal.
  merged=$out/merged/$name
  rm -rf "$merged" && mkdir -p "$merged"
  if "$bin" -merge=1 "$merged" "$work" >"$out/$name.merge.log" 2>&1; then
    rm -f "$corpus"/* && cp "$merged"/* "$corpus"/ 2>/dev/null
  fi
  summary+=("$name: ${execs:-?} executions in ${seconds}s, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) files, rc $rc")
done
printf 'fuzz: %s\n' "${summary[@]}"
exit $status
