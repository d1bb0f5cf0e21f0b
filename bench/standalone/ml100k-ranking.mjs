#!/usr/bin/env node
// MovieLens 100K as implicit feedback (every rating is a positive, value 1),
// a 75/25 split stratified by user (fixed seed), training items filtered:
// ImplicitALS and BPR with default settings, next to popularity, at k = 10.
//
//   npm run build:ts && node bench/standalone/ml100k-ranking.mjs [--seed 42] [--k 10] [--als '{json}'] [--bpr '{json}']
//
// Reads ../shared/data/ml-100k/u.data (or MFREC_ML100K); never copied into the project.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BPR, ImplicitALS, compareRanking, perUserSplit, readInteractions } from '../../dist/index.js';

const { values: args } = parseArgs({
  options: { seed: { type: 'string', default: '42' }, k: { type: 'string', default: '10' }, als: { type: 'string' }, bpr: { type: 'string' } },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = process.env.MFREC_ML100K ?? path.join(root, '..', 'shared', 'data', 'ml-100k');

const { interactions } = await readInteractions(path.join(dir, 'u.data'), { valueCol: null });
const { train, test } = perUserSplit(interactions, { testFraction: 0.25, seed: Number(args.seed) });
const models = {};
const seconds = {};
for (const [name, model] of [
  ['als', new ImplicitALS(args.als ? JSON.parse(args.als) : {})],
  ['bpr', new BPR(args.bpr ? JSON.parse(args.bpr) : {})],
]) {
  const start = process.hrtime.bigint();
  await model.fit(train);
  seconds[name] = Number(process.hrtime.bigint() - start) / 1e9;
  models[name] = model;
}
const report = compareRanking(models, train, test, { k: Number(args.k) });
console.log(`ML-100K implicit, per-user 75/25 (seed ${args.seed}): ${train.nnz} train, ${test.nnz} test, ${report.users} users, k = ${report.k}`);
console.log('model        precision  recall   ndcg     map      auc      hitRate  coverage  fit s');
for (const [name, m] of Object.entries(report.models)) {
  const cells = [m.precision, m.recall, m.ndcg, m.map, m.auc, m.hitRate, m.coverage].map((x) => x.toFixed(4).padEnd(9));
  console.log(`${name.padEnd(13)}${cells.join('')}${seconds[name] !== undefined ? seconds[name].toFixed(2) : '-'}`);
}
