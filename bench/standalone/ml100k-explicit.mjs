#!/usr/bin/env node
// ExplicitMF on the official MovieLens 100K folds (u1..u5 .base/.test):
// per-fold RMSE, MAE and seconds (fit + evaluate), and the mean.
//
//   npm run build:ts && node bench/standalone/ml100k-explicit.mjs ['{"factors": 50}']
//
// The optional JSON argument overrides ExplicitMF options (defaults otherwise).
// Reads ../shared/data/ml-100k relative to the repository root (or MFREC_ML100K).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExplicitMF, Interactions } from '../../dist/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = process.env.MFREC_ML100K ?? path.join(root, '..', 'shared', 'data', 'ml-100k');
const options = process.argv[2] ? JSON.parse(process.argv[2]) : {};

/** Tab-separated `user item rating timestamp`, no header. */
function readRatings(file) {
  const users = [];
  const items = [];
  const values = [];
  const timestamps = [];
  for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
    if (line === '') continue;
    const [u, i, r, t] = line.split('\t');
    users.push(u);
    items.push(i);
    values.push(Number(r));
    timestamps.push(Number(t));
  }
  return Interactions.fromArrays(users, items, { values, timestamps });
}

const rows = [];
for (let fold = 1; fold <= 5; fold++) {
  const train = readRatings(`u${fold}.base`);
  const test = readRatings(`u${fold}.test`);
  const start = process.hrtime.bigint();
  const model = await new ExplicitMF(options).fit(train);
  const { rmse, mae, count } = await model.evaluate(test);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rows.push({ fold: `u${fold}`, rmse, mae, seconds, count });
  console.log(`u${fold}  RMSE ${rmse.toFixed(4)}  MAE ${mae.toFixed(4)}  ${seconds.toFixed(2)} s  (${count} test ratings)`);
}
const mean = (k) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
console.log(`mean RMSE ${mean('rmse').toFixed(4)}  MAE ${mean('mae').toFixed(4)}  total ${rows.reduce((s, r) => s + r.seconds, 0).toFixed(2)} s`);
console.log(`options ${JSON.stringify(new ExplicitMF(options).params)}`);
