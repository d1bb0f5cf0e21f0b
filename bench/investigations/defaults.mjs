#!/usr/bin/env node
// ALS's confidence defaults on data sets of different value shapes: P@10 and NDCG@10 of the
// linear confidence (1 + alpha·value), the log confidence (1 + alpha·log(1 + value)) at several
// alphas, what the data-adapted defaults pick (`adaptedDefaults`), and popularity.
// See NOTES-defaults.md.
//
//   npm run build:ts && node bench/investigations/defaults.mjs [--sets ml100k,ml100k-ratings,...] [--threads 2]
//     [--alphas 0.5,2,8,32] [--tune BUDGET]   (--tune: also ALS tuned by tune() on the training part, ndcg@10)
//
// Reads ../shared/data (MovieLens 100K and latest-small, Online Retail) and a synthetic
// play-count file from bench/generators/generate-counts.mjs (scale 0.02, cached in bench/.data).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ImplicitALS, compareRanking, perUserSplit, readInteractions, readOnlineRetailByTime, tune } from '../../dist/index.js';
import { ensureCountsFile } from '../generators/generate-counts.mjs';

const { values: args } = parseArgs({
  options: { sets: { type: 'string' }, threads: { type: 'string', default: '2' }, alphas: { type: 'string', default: '0.5,2,8,32' }, tune: { type: 'string' } },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.join(root, '..', 'shared', 'data');
const threads = Number(args.threads);

const split = (interactions) => perUserSplit(interactions, { testFraction: 0.25, seed: 42 });
const SETS = {
  ml100k: async () => split((await readInteractions(path.join(shared, 'ml-100k', 'u.data'), { valueCol: null })).interactions),
  'ml100k-ratings': async () => split((await readInteractions(path.join(shared, 'ml-100k', 'u.data'), { valueCol: 2 })).interactions),
  'mllatest-ratings': async () => split((await readInteractions(path.join(shared, 'ml-latest-small', 'ratings.csv'), { valueCol: 'rating' })).interactions),
  'retail-orders': async () => readOnlineRetailByTime(path.join(shared, 'online-retail', 'online-retail.csv.gz')),
  'retail-quantity': async () => readOnlineRetailByTime(path.join(shared, 'online-retail', 'online-retail.csv.gz'), { confidence: 'quantity' }),
  'retail-both': async () => readOnlineRetailByTime(path.join(shared, 'online-retail', 'online-retail.csv.gz'), { confidence: 'both' }),
  'synthetic-plays': async () => split((await readInteractions(await ensureCountsFile({ scale: 0.02 }), { valueCol: 'plays' })).interactions),
};

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const adapted = await import('../../dist/models/als/adapt.js').then((m) => m.adaptImplicitALSDefaults).catch(() => undefined);
const names = args.sets ? args.sets.split(',') : Object.keys(SETS);
console.log('set                 users  items   train nnz  median  p99     max        config                 P@10    NDCG@10 fit s');
for (const name of names) {
  const { train, test } = await SETS[name]();
  const values = Float64Array.from(train.byUser.values).sort();
  const shape = [quantile(values, 0.5), quantile(values, 0.99), values[values.length - 1]];
  const configs = [['linear a=2 (fixed)', { confidence: 'linear', alpha: 2 }]];
  for (const a of args.alphas.split(',').map(Number)) configs.push([`log a=${a}`, { confidence: 'log', alpha: a }]);
  if (adapted) {
    const pick = adapted(train);
    configs.push([`adapted: ${pick.confidence} a=${pick.alpha ?? 2}`, pick]);
  }
  const models = {};
  const seconds = {};
  for (const [label, options] of configs) {
    const model = new ImplicitALS({ ...options, threads });
    const start = process.hrtime.bigint();
    await model.fit(train);
    seconds[label] = Number(process.hrtime.bigint() - start) / 1e9;
    models[label] = model;
  }
  if (args.tune) {
    const start = process.hrtime.bigint();
    const tuned = await tune(train, { model: 'als', budget: Number(args.tune), threads });
    const label = `tuned (budget ${args.tune})`;
    seconds[label] = Number(process.hrtime.bigint() - start) / 1e9;
    models[label] = tuned.model;
    console.log(
      `${name}: tuned ALS picked ${JSON.stringify(tuned.best.params)} (validation ndcg@10 ${tuned.best.score.toFixed(4)}; defaults trial ${tuned.trials.find((t) => t.config === 0 && t.rung === tuned.best.rung)?.score?.toFixed(4) ?? '-'})`,
    );
  }
  const report = compareRanking(models, train, test, { k: 10 });
  for (const [label, m] of Object.entries(report.models)) {
    const head = `${name.padEnd(19)} ${String(train.nUsers).padStart(6)} ${String(train.nItems).padStart(6)} ${String(train.nnz).padStart(10)}  ${shape.map((x) => String(+x.toPrecision(4)).padEnd(7)).join(' ')}   `;
    console.log(
      `${head}${label.padEnd(22)} ${m.precision.toFixed(4)}  ${m.ndcg.toFixed(4)}  ${seconds[label] === undefined ? '-' : seconds[label].toFixed(2)}`,
    );
  }
}
