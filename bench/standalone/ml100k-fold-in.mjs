#!/usr/bin/env node
// ExplicitMF fold-in on MovieLens 100K fold u1: trains with the defaults on
// u1.base, then folds every training user (and item) back in from their own
// training ratings, timing each call, and measures u1.test RMSE with the
// folded users in place of the trained ones. Also times the pure-TypeScript
// twin of the solve on the same problems.
//
//   npm run build && node bench/standalone/ml100k-fold-in.mjs ['{"factors": 64}']
//
// Reads ../shared/data/ml-100k relative to the repository root (or MFREC_ML100K).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExplicitMF } from '../../dist/index.js';
import { solveBiasedRidge } from '../../dist/twins/fold-in.js';
import { foldInBinding } from '../../dist/addon/fold-in.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = process.env.MFREC_ML100K ?? path.join(root, '..', 'shared', 'data', 'ml-100k');
const options = process.argv[2] ? JSON.parse(process.argv[2]) : {};

/** Tab-separated `user item rating timestamp`, no header. */
function readRatings(file) {
  const rows = [];
  for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
    if (line === '') continue;
    const [user, item, r] = line.split('\t');
    rows.push({ user, item, value: Number(r) });
  }
  return rows;
}

function groupBy(rows, key) {
  const groups = new Map();
  for (const r of rows) {
    let g = groups.get(r[key]);
    if (g === undefined) groups.set(r[key], (g = []));
    g.push(r);
  }
  return groups;
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function timeEach(groups, call) {
  const micros = [];
  const results = new Map();
  for (const [id, rows] of groups) {
    const start = process.hrtime.bigint();
    results.set(id, call(rows));
    micros.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  micros.sort((a, b) => a - b);
  const mean = micros.reduce((s, x) => s + x, 0) / micros.length;
  return { results, mean, median: quantile(micros, 0.5), p99: quantile(micros, 0.99), max: micros.at(-1) };
}

const train = readRatings('u1.base');
const test = readRatings('u1.test');
const { Interactions } = await import('../../dist/index.js');
const data = Interactions.fromArrays(
  train.map((r) => r.user),
  train.map((r) => r.item),
  { values: train.map((r) => r.value) },
);
const fitStart = process.hrtime.bigint();
const model = await new ExplicitMF(options).fit(data);
console.log(`fit ${(Number(process.hrtime.bigint() - fitStart) / 1e9).toFixed(2)} s, ${model.factors} factors`);

const byUser = groupBy(train, 'user');
const byItem = groupBy(train, 'item');
const counts = (groups) => [...groups.values()].map((g) => g.length).sort((a, b) => a - b);
const describe = (name, groups, t) =>
  console.log(
    `${name}: ${groups.size} calls, ratings per call median ${quantile(counts(groups), 0.5)} max ${counts(groups).at(-1)}; ` +
      `µs per call mean ${t.mean.toFixed(0)} median ${t.median.toFixed(0)} p99 ${t.p99.toFixed(0)} max ${t.max.toFixed(0)}`,
  );

// Warm up the JIT and the addon, then time every user and every item.
for (const rows of [...byUser.values()].slice(0, 50)) model.recalculateUser({ items: rows.map((r) => r.item), values: rows.map((r) => r.value) });
const users = timeEach(byUser, (rows) => model.recalculateUser({ items: rows.map((r) => r.item), values: rows.map((r) => r.value) }));
describe('recalculateUser', byUser, users);
const items = timeEach(byItem, (rows) => model.recalculateItem({ users: rows.map((r) => r.user), values: rows.map((r) => r.value) }));
describe('recalculateItem', byItem, items);

// The solve alone, native kernel versus TypeScript twin, on the users' problems.
const k = model.factors;
const itemFactors = new Float32Array(model.itemIds.length * k);
const itemIndex = new Map(model.itemIds.map((id, i) => [id, i]));
model.itemIds.forEach((id, i) => itemFactors.set(model.itemVector(id), i * k));
const problems = [...byUser.values()].map((rows) => ({
  vectors: itemFactors,
  factors: k,
  rows: Int32Array.from(rows, (r) => itemIndex.get(r.item)),
  targets: Float64Array.from(rows, (r) => r.value - 3.5),
  vectorPenalty: 1,
  biasPenalty: 1,
}));
const out = new Float32Array(k + 1);
for (const [name, solve] of [
  ['native kernel', (p) => foldInBinding().foldInSolve(p, out)],
  ['TypeScript twin', (p) => solveBiasedRidge(p, out)],
]) {
  for (const p of problems.slice(0, 50)) solve(p);
  const start = process.hrtime.bigint();
  for (const p of problems) solve(p);
  console.log(`solve only, ${name}: mean ${(Number(process.hrtime.bigint() - start) / 1e3 / problems.length).toFixed(0)} µs per user`);
}

// u1.test RMSE: trained users versus the same users folded in from their training ratings.
const trained = await model.evaluate(
  Interactions.fromArrays(
    test.map((r) => r.user),
    test.map((r) => r.item),
    { values: test.map((r) => r.value) },
  ),
);
let sse = 0;
for (const r of test) {
  const folded = users.results.get(r.user);
  const p = folded === undefined ? model.predict(r.user, r.item) : model.predictFor(folded, r.item);
  sse += (p - r.value) ** 2;
}
console.log(`u1.test RMSE: trained users ${trained.rmse.toFixed(4)}, users folded in from their training ratings ${Math.sqrt(sse / test.length).toFixed(4)}`);
