// Top-K recommendation for every user: native kernel (1 and 2 threads) vs
// the pure-TypeScript twin, on random factors (64 factors, k = 10).
//
//   npm run build:ts && node bench/topk.mjs [users=4096] [items=8192]
//
// GFLOP/s counts the 2·users·items·factors multiply-adds of the scores; for
// reference, a single-thread OpenBLAS sgemm of the same shape runs at about
// 100–115 GFLOP/s on the 2-core Zen 3 development machine, and the native
// top-K at 75–80% of that on one thread.
import { Rng } from '../dist/random.js';
import { topkAddon } from '../dist/models/topk-native.js';
import { topkTwin } from '../dist/twins/topk.js';

const users = Number(process.argv[2] ?? 4096);
const items = Number(process.argv[3] ?? 8192);
const factors = 64;
const k = 10;
const rng = new Rng(1);
const u = Float32Array.from({ length: users * factors }, () => rng.normal());
const v = Float32Array.from({ length: items * factors }, () => rng.normal());
const flops = 2 * users * items * factors;

function args(rows, threads) {
  return {
    query: u,
    rows,
    offset: 0,
    target: v,
    factors,
    excludeSelf: false,
    k,
    threads,
    items: new Int32Array(rows.length * k),
    scores: new Float32Array(rows.length * k),
  };
}

function time(label, n, run) {
  const start = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const gflops = (flops * (n / users)) / seconds / 1e9;
  console.log(`${label.padEnd(28)} ${seconds.toFixed(3)} s  ${gflops.toFixed(1)} GFLOP/s`);
}

const all = Int32Array.from({ length: users }, (_, i) => i);
console.log(`${users} users x ${items} items x ${factors} factors, k = ${k}`);
for (const threads of [1, 2]) time(`native, ${threads} thread(s)`, users, () => topkAddon().topkSync(args(all, threads)));
// The twin is far slower: time it on a slice of the users.
const some = all.subarray(0, Math.max(1, Math.floor(users / 64)));
time(`twin (${some.length} users)`, some.length, () => topkTwin(args(some, 1)));
