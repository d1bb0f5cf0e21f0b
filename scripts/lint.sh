#!/usr/bin/env bash
# The source checks behind `npm run lint`: Biome (formatting and lint rules of
# biome.json) over the TypeScript and JavaScript, clang-format (the rules of
# .clang-format) over every .h and .cc in native/. Both run even when the first
# fails, so one run lists everything; the exit status is 1 if either flagged.
#   scripts/lint.sh          check only
#   scripts/lint.sh --write  reformat in place and apply Biome's safe fixes (`npm run format`)
set -uo pipefail
cd "$(dirname "$0")/.."

write=false
[ "${1:-}" = "--write" ] && write=true

biome() {
  if $write; then npx --no-install biome check --write .; else npx --no-install biome check .; fi
}

clang_format() {
  if ! command -v clang-format >/dev/null; then
    echo "lint: clang-format not found (Debian: apt-get install clang-format)" >&2
    return 2
  fi
  # Without the file clang-format would silently fall back to its built-in LLVM style.
  if [ ! -f .clang-format ]; then
    echo "lint: .clang-format missing at the repository root" >&2
    return 2
  fi
  local files f differ=0
  mapfile -t files < <(find native -type f \( -name '*.h' -o -name '*.cc' \) | sort)
  if $write; then
    clang-format -i --style=file "${files[@]}"
    return
  fi
  for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror --style=file "$f" 2>/dev/null; then
      echo "lint: not formatted: $f" >&2
      differ=$((differ + 1))
    fi
  done
  echo "clang-format: checked ${#files[@]} files in native/, $differ not formatted"
  [ "$differ" = 0 ]
}

biome
ts=$?
clang_format
cpp=$?
if [ "$ts" != 0 ] || [ "$cpp" != 0 ]; then
  $write || echo "lint: failed (Biome exit $ts, clang-format exit $cpp); \`npm run format\` fixes the formatting" >&2
  exit 1
fi
