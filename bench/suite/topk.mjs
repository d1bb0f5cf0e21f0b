#!/usr/bin/env node
// Serving speed at 64 factors:
// - recommendBatch over every user of an S1 model (--quick: the first fifth) (k = 10, all items, seen
//   items filtered): users per second and GFLOP/s (2·users·items·factors
//   multiply-adds of the scores), next to this machine's sgemm throughput
//   measured in the same run: bench/suite/reference/sgemm.c (compiled on first use
//   against the OpenBLAS the addon links) times C = A·Bᵀ of shape
//   4096 × 4096 × 64 on 1 and 2 OpenBLAS threads, best of 5. A second pass
//   with k = 1 and filterSeen false shows how close the kernel gets when
//   selection and filtering cost nothing.
// - similarItems: single calls (synchronous, one thread) and
//   similarItemsBatch over every item (2 threads), items per second.
// - the top-K kernel against its TypeScript twin on random factors.
//
//   npm run build && node bench/suite/topk.mjs [--quick] [--threads 2] [--json]
//
// The S1 model is trained for 2 epochs only: throughput does not depend on
// how well the vectors fit.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ExplicitMF } from '../../dist/index.js';
import { Rng } from '../../dist/random.js';
import { topkBinding } from '../../dist/addon/topk.js';
import { topkTwin } from '../../dist/twins/topk.js';
import { benchDir, log, median, runScript, seconds } from '../lib/common.mjs';
import { s1Interactions, shape, sizesFor } from '../lib/datasets.mjs';

const FACTORS = 64;

/** Builds bench/.build/sgemm from bench/suite/reference/sgemm.c when missing; returns its path. */
export function sgemmProbe() {
  const exe = path.join(benchDir, '.build', 'sgemm');
  if (!existsSync(exe)) {
    mkdirSync(path.dirname(exe), { recursive: true });
    execFileSync('cc', ['-O2', '-o', exe, path.join(benchDir, 'suite', 'reference', 'sgemm.c'), '-lopenblas'], { stdio: 'inherit' });
  }
  return exe;
}

/** Best sgemm GFLOP/s of `reps` runs of an m × n × k product on `threads` threads, plus the OpenBLAS build string. */
export function sgemmGflops(threads, m = 4096, n = 4096, k = FACTORS, reps = 5) {
  const out = execFileSync(sgemmProbe(), [m, n, k, threads, reps].map(String), { encoding: 'utf8' });
  return JSON.parse(out);
}

async function timeMedian(runs, fn) {
  const times = [];
  for (let r = 0; r < runs; r++) times.push(await seconds(fn));
  return median(times);
}

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const threads = Number(flags.threads ?? 2);
  const runs = Number(flags.runs ?? 3);
  const data = await s1Interactions(sizesFor(quick).s1);
  const model = await new ExplicitMF({ factors: FACTORS, iterations: 2, threads }).fit(data);
  // --quick ranks a fifth of the users; the full run ranks every user.
  const users = quick ? model.userIds.slice(0, Math.ceil(model.userIds.length / 5)) : model.userIds;
  const items = model.itemIds;
  const flop = 2 * users.length * items.length * FACTORS;
  log(`model: ${users.length} users, ${items.length} items, ${FACTORS} factors`);
  const rows = [];

  const sgemm1 = sgemmGflops(1);
  const sgemm2 = sgemmGflops(2);
  rows.push({ id: 'sgemm.t1', what: 'sgemm 4096×4096×64, 1 thread (probe, best of 5)', value: sgemm1.gflops, unit: 'GFLOP/s', note: sgemm1.config });
  rows.push({ id: 'sgemm.t2', what: 'sgemm 4096×4096×64, 2 threads (probe, best of 5)', value: sgemm2.gflops, unit: 'GFLOP/s' });

  for (const t of [1, threads]) {
    const s = await timeMedian(runs, () => model.recommendBatch(users, { k: 10, threads: t }));
    const gflops = flop / s / 1e9;
    const sgemm = t === 1 ? sgemm1.gflops : sgemm2.gflops;
    log(`recommendBatch ${t}t: ${s.toFixed(3)} s, ${(users.length / s).toFixed(0)} users/s, ${gflops.toFixed(1)} GFLOP/s`);
    rows.push({
      id: `recommend.t${t}`,
      what: `recommendBatch ${quick ? 'a fifth of the' : 'all'} users, k=10, seen filtered, ${t} thread(s)`,
      value: users.length / s,
      unit: 'users/s',
      note: `${s.toFixed(3)} s for ${users.length} users`,
    });
    rows.push({ id: `recommend.t${t}.gflops`, what: `  its GFLOP/s, ${t} thread(s)`, value: gflops, unit: 'GFLOP/s' });
    rows.push({ id: `recommend.t${t}.of-sgemm`, what: `  share of sgemm on ${t} thread(s)`, value: (100 * gflops) / sgemm, unit: '%' });
    const bare = await timeMedian(runs, () => model.recommendBatch(users, { k: 1, filterSeen: false, threads: t }));
    rows.push({
      id: `recommend.bare.t${t}.of-sgemm`,
      what: `  k=1, no filtering (GEMM-bound), share of sgemm, ${t} thread(s)`,
      value: (100 * flop) / bare / 1e9 / sgemm,
      unit: '%',
    });
  }

  const single = items.slice(0, quick ? 500 : 2000);
  const sSingle = await seconds(() => {
    for (const item of single) model.similarItems(item, { k: 10 });
  });
  rows.push({ id: 'similar.single', what: 'similarItems, single calls, k=10 (1 thread, synchronous)', value: single.length / sSingle, unit: 'items/s' });
  const sBatch = await timeMedian(runs, () => model.similarItemsBatch(items, { k: 10, threads }));
  rows.push({ id: 'similar.batch', what: `similarItemsBatch every item, k=10, ${threads} threads`, value: items.length / sBatch, unit: 'items/s' });

  rows.push(...kernelVersusTwin());
  return { name: 'serving (64 factors)', data: `S1 model ${shape(data)}`, rows };
}

/** The top-K kernel against its TypeScript twin on random factors (4096 users × 8192 items, k = 10). */
function kernelVersusTwin(users = 4096, items = 8192) {
  const k = 10;
  const rng = new Rng(1);
  const u = Float32Array.from({ length: users * FACTORS }, () => rng.normal());
  const v = Float32Array.from({ length: items * FACTORS }, () => rng.normal());
  const args = (rows, threads) => ({
    query: u,
    rows,
    offset: 0,
    target: v,
    factors: FACTORS,
    excludeSelf: false,
    k,
    threads,
    items: new Int32Array(rows.length * k),
    scores: new Float32Array(rows.length * k),
  });
  const perUser = (n, run) => {
    const start = process.hrtime.bigint();
    run();
    return Number(process.hrtime.bigint() - start) / 1e9 / n;
  };
  const all = Int32Array.from({ length: users }, (_, i) => i);
  const some = all.subarray(0, users / 64);
  const twin = perUser(some.length, () => topkTwin(args(some, 1)));
  const one = perUser(users, () => topkBinding().topkSync(args(all, 1)));
  const two = perUser(users, () => topkBinding().topkSync(args(all, 2)));
  const note = `random factors, ${users} users × ${items} items (twin on ${some.length} users), per user`;
  return [
    { id: 'topk.js-ratio.t1', what: 'top-K kernel 1 thread vs TypeScript twin', value: twin / one, unit: '× faster', note },
    { id: 'topk.js-ratio.t2', what: 'top-K kernel 2 threads vs TypeScript twin', value: twin / two, unit: '× faster', note },
  ];
}

await runScript(import.meta.url, ['threads', 'runs'], measure);
