#!/usr/bin/env node
// Micro-batching (lib/serve/micro-batcher.ts): N concurrent single-user
// recommend calls (k = 10, seen items filtered) answered one by one on the
// event loop (serial: N synchronous recommend calls) or coalesced by a
// MicroBatcher into one recommendBatch (one matrix product + top-k, off the
// event loop; minBatch 1 so every N is batched), on 1 and 2 kernel threads.
// µs per request, median of the rounds. Models, 64 factors:
// - ALS on Online Retail (../shared/data/online-retail or MFREC_RETAIL;
//   all purchases: 4,335 customers × 3,659 products), 15 iterations;
// - ALS on synthetic data with 100,000 items (20,000 users, 1M
//   interactions, power law), 1 iteration: cost does not depend on fit.
//
//   npm run build && node bench/suite/micro-batch.mjs [--quick] [--rounds 15]
//
// --quick: Online Retail only, N = 1, 8 and 64, 5 rounds.
import path from 'node:path';
import { ImplicitALS, MicroBatcher, readOnlineRetail } from '../../dist/index.js';
import { syntheticPowerLaw } from '../generators/synthetic.mjs';
import { log, median, repoRoot, runScript } from '../lib/common.mjs';

const FACTORS = 64;
const SIZES = [1, 2, 4, 8, 16, 32, 64, 128];
const QUICK_SIZES = [1, 8, 64];

const now = () => process.hrtime.bigint();

/** Median µs per request of `rounds` rounds of `n` requests through `run(users)`. */
async function perRequest(rounds, n, users, run) {
  const times = [];
  for (let r = -2; r < rounds; r++) {
    const picked = Array.from({ length: n }, (_, j) => users[(r * 131 + j * 17 + 1000) % users.length]);
    const t0 = now();
    await run(picked);
    if (r >= 0) times.push(Number(now() - t0) / 1e3 / n);
  }
  return median(times);
}

async function measureModel(key, label, model, rounds, sizes, rows) {
  const users = model.userIds.filter((u) => model.hasUser(u));
  for (const n of sizes) {
    const serial = await perRequest(rounds, n, users, async (picked) => {
      for (const u of picked) model.recommend(u);
    });
    rows.push({ id: `micro.${key}.n${n}.serial`, what: `${label}: ${n} requests, serial`, value: serial, unit: 'µs/request' });
    for (const threads of [1, 2]) {
      const batcher = new MicroBatcher(model, { minBatch: 1, threads });
      const batched = await perRequest(rounds, n, users, (picked) => Promise.all(picked.map((u) => batcher.recommend(u))));
      rows.push({
        id: `micro.${key}.n${n}.t${threads}`,
        what: `${label}: ${n} requests, micro-batched (${threads} thread${threads > 1 ? 's' : ''})`,
        value: batched,
        unit: 'µs/request',
        note: `${(serial / batched).toFixed(2)}× serial`,
      });
    }
    log(`${label} N=${n} done`);
  }
}

export async function measure(flags) {
  const rounds = Number(flags.rounds ?? (flags.quick ? 5 : 15));
  const rows = [];
  const dir = process.env.MFREC_RETAIL ?? path.join(repoRoot, '..', 'shared', 'data', 'online-retail');
  const { interactions } = await readOnlineRetail(path.join(dir, 'online-retail.csv.gz'));
  const retail = await new ImplicitALS({ factors: FACTORS, iterations: 15 }).fit(interactions);
  log(`Online Retail: ${interactions.nUsers} users, ${interactions.nItems} items`);
  const sizes = flags.quick ? QUICK_SIZES : SIZES;
  await measureModel('retail', `Online Retail ALS (${interactions.nItems} items)`, retail, rounds, sizes, rows);
  if (flags.quick) return { name: 'micro-batching', data: `${FACTORS} factors, k = 10, seen filtered`, rows };
  const synthetic = syntheticPowerLaw(20_000, 100_000, 1_000_000, 7);
  const big = await new ImplicitALS({ factors: FACTORS, iterations: 1 }).fit(synthetic);
  log(`synthetic: ${synthetic.nUsers} users, ${synthetic.nItems} items`);
  await measureModel('synthetic100k', `synthetic ALS (${synthetic.nItems} items)`, big, rounds, sizes, rows);
  return { name: 'micro-batching', data: `${FACTORS} factors, k = 10, seen filtered`, rows };
}

await runScript(import.meta.url, ['rounds'], measure);
