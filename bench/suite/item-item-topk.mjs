#!/usr/bin/env node
// Ranking speed of the item-to-item models' kernel (native/kernels/item_item_topk.cc)
// against its TypeScript twin, on random data of the shapes the models use:
// - dense W (EASE) at 1,700 and 10,000 items;
// - sparse W with 100 neighbours per item (item-KNN, RP3beta) at 100,000 items.
// Every history row holds 50 distinct items (weight 1), the seen filter is the
// history itself, k = 10. Figures are history rows ranked per second, native
// on 1 and 2 threads (synchronous call, best of --runs), twin on one thread
// over fewer rows.
//
//   npm run build && node bench/suite/item-item-topk.mjs [--quick] [--runs 3] [--json]
//
// --quick ranks a quarter of the rows and skips the 10,000-item dense case
// (its W alone is 400 MB).
import { itemItemTopKBinding } from '../../dist/addon/item-item-topk.js';
import { Rng } from '../../dist/random.js';
import { itemItemTopKTwin } from '../../dist/twins/item-item-topk.js';
import { log, runScript } from '../lib/common.mjs';

const HISTORY = 50;
const K = 10;
const NEIGHBOURS = 100;

/** Uniform floats in [-1, 1) from a 32-bit LCG: fast enough for 10^8 weights. */
function randomFloats(n, seed) {
  const out = new Float32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 2 ** 31 - 1;
  }
  return out;
}

/** `rows` rows of `per` distinct random items out of `items`, sorted, as CSR with weights 1. */
function randomRows(rng, rows, items, per) {
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(rows * per);
  for (let r = 0; r < rows; r++) {
    const row = new Set();
    while (row.size < per) row.add(rng.below(items));
    indices.set(Int32Array.from(row).sort(), r * per);
    indptr[r + 1] = (r + 1) * per;
  }
  return { indptr, indices };
}

function problem(items, w, users) {
  const rng = new Rng(items);
  const history = randomRows(rng, users, items, HISTORY);
  const base = {
    historyIndptr: history.indptr,
    historyIndices: history.indices,
    historyValues: new Float32Array(history.indices.length).fill(1),
    filterIndptr: history.indptr,
    filterIndices: history.indices,
    items,
    k: K,
  };
  if (w === 'dense') return { ...base, dense: randomFloats(items * items, 7) };
  const neighbours = randomRows(rng, items, items, NEIGHBOURS);
  return { ...base, sparseIndptr: neighbours.indptr, sparseIndices: neighbours.indices, sparseValues: randomFloats(neighbours.indices.length, 9) };
}

function call(p, rows, threads) {
  return { ...p, rows, threads, outItems: new Int32Array(rows.length * K), outScores: new Float32Array(rows.length * K) };
}

/** Rows per second: the best of `runs` runs of `run` over `n` rows. */
function rate(n, runs, run) {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return n / best;
}

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const runs = Number(flags.runs ?? 3);
  const cases = [
    { id: 'dense.1700', what: 'dense W, 1,700 items', items: 1700, w: 'dense', users: 4000, twinUsers: 200 },
    ...(quick ? [] : [{ id: 'dense.10k', what: 'dense W, 10,000 items', items: 10000, w: 'dense', users: 2000, twinUsers: 40 }]),
    { id: 'sparse.100k', what: `sparse W, ${NEIGHBOURS} neighbours, 100,000 items`, items: 100000, w: 'sparse', users: 4000, twinUsers: 200 },
  ];
  const rows = [];
  for (const c of cases) {
    const users = quick ? c.users / 4 : c.users;
    const p = problem(c.items, c.w, users);
    const all = Int32Array.from({ length: users }, (_, i) => i);
    const some = all.subarray(0, c.twinUsers);
    const one = rate(users, runs, () => itemItemTopKBinding().itemItemTopKSync(call(p, all, 1)));
    const two = rate(users, runs, () => itemItemTopKBinding().itemItemTopKSync(call(p, all, 2)));
    const twin = rate(some.length, 1, () => itemItemTopKTwin(call(p, some, 1)));
    log(`${c.what}: native ${one.toFixed(0)} rows/s (1t), ${two.toFixed(0)} rows/s (2t), twin ${twin.toFixed(0)} rows/s`);
    const note = `${users} rows of ${HISTORY} items, seen filtered, k=${K}; best of ${runs}`;
    rows.push({ id: `itemtopk.${c.id}.t1`, what: `${c.what}, native, 1 thread`, value: one, unit: 'rows/s', note });
    rows.push({ id: `itemtopk.${c.id}.t2`, what: `${c.what}, native, 2 threads`, value: two, unit: 'rows/s' });
    rows.push({ id: `itemtopk.${c.id}.twin`, what: `${c.what}, TypeScript twin`, value: twin, unit: 'rows/s', note: `${some.length} rows, one run` });
  }
  return { name: 'item-to-item ranking', data: 'random histories and W', rows };
}

await runScript(import.meta.url, ['runs'], measure);
