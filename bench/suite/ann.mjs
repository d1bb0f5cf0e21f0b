#!/usr/bin/env node
// Approximate top-K (HNSW, docs/approximate.md) against the exact kernel, per
// call, at 3,659 items (the Online Retail catalogue), 100k and 1M items:
// - exact: one user per call (topkSync, 1 thread, k = 10, no filters), µs;
// - index build (M 16, efConstruction --efc, --threads threads): seconds and
//   the graph's bytes (levels + links + layout);
// - approximate: one user per call (hnswSearchSync, 1 thread) at several ef:
//   µs per call, recall@10 against the exact top 10, and the speed-up. Each
//   user's exact call is timed right before its approximate one, so the ratio
//   holds even when other work shares the machine and the absolute times drift.
// Factors: bench/lib/synthetic-factors.mjs (64 factors, low-rank directions,
// norms of an Online Retail ALS model), one seed for every size. Calls go
// straight to the bindings the model API uses (a 1M-item model cannot be
// trained here); the API adds option checks and id mapping, a few µs.
//
//   npm run build && node bench/suite/ann.mjs [--quick] [--sizes 3659,100000,1000000] [--threads 2] [--efc 100] [--users 300]
import { hnswBinding } from '../../dist/addon/hnsw.js';
import { topkBinding } from '../../dist/addon/topk.js';
import { layoutGraph } from '../../dist/models/base/ann-index.js';
import { log, numberList, runScript } from '../lib/common.mjs';
import { ITEM_NORMS, syntheticFactors, USER_NORMS } from '../lib/synthetic-factors.mjs';

const FACTORS = 64;
const K = 10;
const EFS = [16, 32, 64, 128, 256];

function perCall(n, run) {
  const start = process.hrtime.bigint();
  for (let r = 0; r < n; r++) run(r);
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

/** µs per call of `a` and of `b`, each user's two calls back to back. */
function pairedPerCall(n, a, b) {
  let ta = 0n;
  let tb = 0n;
  for (let r = 0; r < n; r++) {
    const t0 = process.hrtime.bigint();
    a(r);
    const t1 = process.hrtime.bigint();
    b(r);
    ta += t1 - t0;
    tb += process.hrtime.bigint() - t1;
  }
  return [Number(ta) / 1e3 / n, Number(tb) / 1e3 / n];
}

function oneRow(query, target, r, out) {
  return {
    query,
    rows: Int32Array.of(r),
    offset: 0,
    target,
    factors: FACTORS,
    excludeSelf: false,
    k: K,
    threads: 1,
    items: out.items.subarray(r * K, (r + 1) * K),
    scores: out.scores.subarray(r * K, (r + 1) * K),
  };
}

function recall(exact, got, users) {
  let hit = 0;
  for (let u = 0; u < users; u++) {
    const truth = new Set(exact.subarray(u * K, (u + 1) * K));
    for (const i of got.subarray(u * K, (u + 1) * K)) if (truth.has(i)) hit++;
  }
  return hit / (users * K);
}

async function measureSize(items, users, threads, efc) {
  log(`ann: ${items} items: generating factors`);
  const target = syntheticFactors(items, FACTORS, ITEM_NORMS, 7, 1);
  const query = syntheticFactors(users, FACTORS, USER_NORMS, 7, 2);
  const exact = { items: new Int32Array(users * K), scores: new Float32Array(users * K) };
  const exactUs = perCall(users, (r) => topkBinding().topkSync(oneRow(query, target, r, exact)));
  log(`ann: ${items} items: exact ${exactUs.toFixed(0)} µs/call; building the index`);
  const graph = layoutGraph(items, 16, 42);
  const start = process.hrtime.bigint();
  graph.entry = await hnswBinding().hnswBuild({ ...graph, target, factors: FACTORS, efConstruction: efc, threads });
  const buildSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const graphMB = (graph.levels.byteLength + graph.upper.byteLength + graph.links.byteLength) / 2 ** 20;
  const label = items >= 1e6 ? `${items / 1e6}M` : items >= 1e4 ? `${items / 1e3}k` : String(items);
  const rows = [
    { id: `ann.${label}.exact`, what: `${label} items: exact top-10, one user per call (first pass)`, value: exactUs, unit: 'µs/call' },
    { id: `ann.${label}.build`, what: `${label} items: index build (M 16, efConstruction ${efc}, ${threads} threads)`, value: buildSeconds, unit: 's' },
    {
      id: `ann.${label}.graph`,
      what: `${label} items: index size (levels, links, layout)`,
      value: graphMB,
      unit: 'MB',
      note: `factors themselves: ${((items * FACTORS * 4) / 2 ** 20).toFixed(0)} MB`,
    },
  ];
  for (const ef of EFS) {
    const out = { items: new Int32Array(users * K), scores: new Float32Array(users * K) };
    const scratch = { items: new Int32Array(users * K), scores: new Float32Array(users * K) };
    const [pairedExact, us] = pairedPerCall(
      users,
      (r) => topkBinding().topkSync(oneRow(query, target, r, scratch)),
      (r) => hnswBinding().hnswSearchSync({ ...oneRow(query, target, r, out), ...graph, ef }),
    );
    const r10 = recall(exact.items, out.items, users);
    const speedup = pairedExact / us;
    log(
      `ann: ${items} items: ef ${ef}: ${us.toFixed(0)} µs/call (exact ${pairedExact.toFixed(0)}), recall@10 ${r10.toFixed(3)}, ${speedup.toFixed(1)}× faster`,
    );
    rows.push({
      id: `ann.${label}.ef${ef}.us`,
      what: `${label} items: approximate, ef ${ef}`,
      value: us,
      unit: 'µs/call',
      note: `recall@10 ${r10.toFixed(3)}; exact ${pairedExact.toFixed(0)} µs in the same loop: ${speedup.toFixed(1)}× faster`,
    });
    rows.push({ id: `ann.${label}.ef${ef}.recall`, what: `${label} items: recall@10, ef ${ef}`, value: r10, unit: 'recall' });
  }
  return rows;
}

export async function measure(flags) {
  const sizes = numberList(flags.sizes, flags.quick ? [3659, 100000] : [3659, 100000, 1000000]);
  const threads = Number(flags.threads ?? 2);
  const efc = Number(flags.efc ?? 100);
  const users = Number(flags.users ?? 300);
  const rows = [];
  for (const n of sizes) rows.push(...(await measureSize(n, users, threads, efc)));
  return { name: 'approximate top-K (HNSW, 64 factors)', data: `synthetic factors, ${users} users per size`, rows };
}

await runScript(import.meta.url, ['sizes', 'threads', 'efc', 'users'], measure);
