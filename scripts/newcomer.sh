#!/usr/bin/env bash
# Does what a newcomer does, from a fresh clone in an empty folder, and fails
# loudly if any of it breaks:
#   1. clones this checkout's HEAD (committed work only) into an empty folder;
#   2. runs the README's two commands there, with nothing installed before:
#      `npm run demo`, then `npm test` (the browser tests' screenshots are
#      copied to this checkout's test-output/), and between them the third,
#      `npm run demo:serve` (the storefront answers, then stops on SIGTERM);
#   3. installs the package as a git dependency into an empty project and
#      loads it with import() and with require();
#   4. runs the installed CLI on a shop-style export with named columns (the
#      Online Retail header): `mfrec train --user-col CustomerID --item-col
#      StockCode`, checks what it learnt, then `mfrec recommend`.
# Prints each part's time and ends with the list of failed parts.
#
# Usage: bash scripts/newcomer.sh [--test-report FILE]
#   --test-report FILE: also write npm test's results as vitest JSON to FILE.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
report=""
if [ "${1:-}" = "--test-report" ] && [ -n "${2:-}" ]; then report="$(realpath -m "$2")"; fi

# node-gyp must use the local Node headers: no download on a closed network.
if [ -z "${npm_config_nodedir:-}" ]; then
  export npm_config_nodedir="$(node -p "require('path').resolve(process.execPath,'../..')")"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
clone="$work/mfrec"
# The clone sits where the project keeps its checkouts next to the shared data
# sets (../shared), so the tests that compare against them run here too.
[ -d "$repo/../shared" ] && ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"

failed=()
part() { # name, command...: runs a part, times it, records a failure
  local name=$1 start=$SECONDS; shift
  echo "newcomer: $name"
  if "$@"; then
    echo "newcomer: ok ($((SECONDS - start)) s): $name"
  else
    echo "newcomer: FAILED ($((SECONDS - start)) s): $name" >&2
    failed+=("$name")
    return 1
  fi
}

clone_head() {
  # safe.directory: CI runs as root on a checkout another user may own.
  git -c safe.directory="$repo" clone --quiet --no-hardlinks "$repo" "$clone" && test ! -e "$clone/node_modules" && test ! -e "$clone/dist"
}

readme_demo() { (cd "$clone" && npm run demo); }

# The README's third command: the storefront answers its page, then stops on SIGTERM.
readme_demo_serve() {
  local out="$work/demo-serve.out" url="" pid rc=1
  # A process group of its own: npm does not pass SIGTERM on to the server, so the group gets it.
  (cd "$clone" && exec setsid npm run --silent demo:serve -- --port 0 --demo-cache "$work/demo-cache") >"$out" 2>"$work/demo-serve.err" &
  pid=$!
  for _ in $(seq 1200); do # up to 120 s: the first start trains the model
    url=$(grep -m1 '^http://' "$out" 2>/dev/null) && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$url" ]; then
    node -e '
      const url = process.argv[1];
      (async () => {
        const page = await (await fetch(url + "/")).text();
        const { customers } = await (await fetch(url + "/demo/customers")).json();
        if (!page.includes("<title>mfrec storefront demo</title>") || !(customers.length > 0)) throw new Error("not the storefront");
        console.log(`storefront at ${url}/ with ${customers.length} customers`);
      })().catch((e) => { console.error(e.message); process.exit(1); });' "$url" && rc=0
  fi
  kill -TERM -- "-$pid" 2>/dev/null
  wait "$pid"
  grep -q '^mfrec serve: stopped$' "$work/demo-serve.err" || rc=1
  [ "$rc" = 0 ] || cat "$work/demo-serve.err" >&2
  return "$rc"
}

readme_test() {
  local args=()
  [ -n "$report" ] && args=(-- --reporter=default --reporter=json "--outputFile.json=$report")
  (cd "$clone" && npm test "${args[@]}")
  local rc=$?
  # The browser tests' screenshots outlive the clone: CI keeps them in this checkout's test-output/.
  if [ -d "$clone/test-output" ]; then mkdir -p "$repo/test-output" && cp -r "$clone/test-output/." "$repo/test-output/"; fi
  return "$rc"
}

git_dependency() {
  mkdir -p "$work/shop" && cd "$work/shop" || return 1
  npm init -y >/dev/null &&
    npm install --no-audit --no-fund "git+file://$clone" &&
    test -f node_modules/mfrec/dist/index.js &&
    node --input-type=module -e "const m = await import('mfrec'); if (typeof m.ImplicitALS !== 'function') throw new Error('import: no ImplicitALS'); console.log('import(\"mfrec\"): ok')" &&
    node -e "const m = require('mfrec'); if (typeof m.ImplicitALS !== 'function') throw new Error('require: no ImplicitALS'); console.log('require(\"mfrec\"): ok')"
}

# A shop export with the Online Retail header, made from the first purchases of
# the embedded data set (which keeps InvoiceNo,StockCode,Description,Quantity,
# InvoiceDate,CustomerID): CustomerID written as the shop writes it (17850.0),
# a unit price and a country added. Descriptions may hold quoted commas.
write_shop_export() {
  node -e '
    const fs = require("fs"), zlib = require("zlib");
    const [source, target] = process.argv.slice(1);
    const rows = zlib.gunzipSync(fs.readFileSync(source)).toString("utf8").split("\n").filter(Boolean).slice(1, 20001);
    const out = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"];
    for (const r of rows) {
      // Only Description can hold commas: two fields from the left, three from the right.
      const a = r.indexOf(","), b = r.indexOf(",", a + 1);
      const c = r.lastIndexOf(","), d = r.lastIndexOf(",", c - 1), e = r.lastIndexOf(",", d - 1);
      out.push([r.slice(0, b), r.slice(b + 1, e), r.slice(e + 1, c), "2.55", `${r.slice(c + 1)}.0`, "United Kingdom"].join(","));
    }
    fs.writeFileSync(target, out.join("\n") + "\n");' "$clone/data/online-retail-purchases.csv.gz" "$1"
}

cli_named_columns() {
  cd "$work/shop" || return 1
  local mfrec=(node node_modules/mfrec/bin/mfrec.js) csv=orders.csv
  write_shop_export "$csv" || { echo "newcomer: could not write $csv" >&2; return 1; }
  # What the model must have learnt: the distinct customers and stock codes of the file.
  local users items
  read -r users items < <(node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").slice(1);
    const u = new Set(), i = new Set();
    for (const r of rows) { u.add(r.slice(r.lastIndexOf(",", r.lastIndexOf(",") - 1) + 1, r.lastIndexOf(","))); i.add(r.split(",")[1]); }
    console.log(u.size, i.size);' "$csv")
  "${mfrec[@]}" train "$csv" --model als --user-col CustomerID --item-col StockCode --out shop.mfrec --quiet ||
    { echo "newcomer: mfrec train with named columns failed (above)" >&2; return 1; }
  "${mfrec[@]}" info shop.mfrec --json > info.json || { echo "newcomer: mfrec info failed" >&2; return 1; }
  node -e '
    const info = JSON.parse(require("fs").readFileSync("info.json", "utf8"));
    const [users, items] = process.argv.slice(1).map(Number);
    if (info.users !== users || info.items !== items) {
      console.error(`the model has ${info.users} users and ${info.items} items; the file has ${users} customers and ${items} stock codes`);
      process.exit(1);
    }
    console.log(`trained on ${users} customers x ${items} stock codes`);' "$users" "$items" || return 1
  "${mfrec[@]}" recommend --model-file shop.mfrec --user 17850.0 --k 5 > recs.csv || { echo "newcomer: mfrec recommend failed" >&2; return 1; }
  cat recs.csv
  # user,item,rank,score: five rows for customer 17850.0, items that are stock codes of the file.
  [ "$(head -n 1 recs.csv | cut -d, -f1-3)" = "user,item,rank" ] &&
    [ "$(tail -n +2 recs.csv | cut -d, -f1 | sort -u)" = "17850.0" ] &&
    [ "$(tail -n +2 recs.csv | wc -l)" = 5 ] &&
    tail -n +2 recs.csv | cut -d, -f2 | while read -r item; do grep -q "^[^,]*,$item," "$csv" || { echo "not a stock code of the file: $item" >&2; exit 1; }; done ||
    { echo "newcomer: recommendations are not 5 stock codes for customer 17850.0" >&2; return 1; }
}

total=$SECONDS
part "clone HEAD into an empty folder" clone_head || { echo "newcomer: cannot go on without a clone" >&2; exit 1; }
part "README: npm run demo (fresh clone, nothing installed)" readme_demo
part "README: npm run demo:serve (the storefront answers, stops on SIGTERM)" readme_demo_serve
part "README: npm test" readme_test
part "npm install git+file://… into an empty project; import() and require()" git_dependency &&
  part "installed CLI on a shop export: train --user-col CustomerID --item-col StockCode, recommend" cli_named_columns

echo "newcomer: total $((SECONDS - total)) s"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'newcomer: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "newcomer: every part passed"
