#!/usr/bin/env node
// A blend of ALS (the average of several seeds) and EASE, each with its
// defaults, the blend weight chosen on a validation slice of the training part
// (10% of each user's training interactions, seed 42, the slice of the 'auto'
// choices) by NDCG@10, then measured once on the test part. Every weight's
// test figures are printed too, to show how the choice carries over; only the
// validation column chooses. See NOTES-defaults.md ("Blending ALS seeds and EASE").
//
// Scores: per user, each model's scores of the unseen items are z-normalised
// (mean 0, sd 1 over those items; the ALS seeds are averaged before), the blend
// is (1 − w)·ALS + w·EASE, the top 10 go through evaluateLists.
//
//   npm run build:ts && node bench/investigations/blend.mjs [--sets ml100k,mllatest,retail] [--seeds 10]
//     [--weights 0,0.1,0.2,0.3,0.4,0.5,0.6,0.8,1] [--threads 2] [--split-seed 42 (the MovieLens 75/25 split)]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EASE, ImplicitALS, evaluateLists, perUserSplit, readInteractions, readOnlineRetailByTime } from '../../dist/index.js';
import { MODELS } from '../../dist/models/registry.js';

const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: 'ml100k,mllatest,retail' },
    seeds: { type: 'string', default: '10' },
    weights: { type: 'string', default: '0,0.1,0.2,0.3,0.4,0.5,0.6,0.8,1' },
    threads: { type: 'string', default: '2' },
    'split-seed': { type: 'string', default: '42' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.join(root, '..', 'shared', 'data');
const threads = Number(args.threads);
const seeds = Number(args.seeds);
const weights = args.weights.split(',').map(Number);
const K = 10;

const split = (interactions) => perUserSplit(interactions, { testFraction: 0.25, seed: Number(args['split-seed']) });
const SETS = {
  ml100k: async () => split((await readInteractions(path.join(shared, 'ml-100k', 'u.data'), { valueCol: null })).interactions),
  mllatest: async () => split((await readInteractions(path.join(shared, 'ml-latest-small', 'ratings.csv'), { valueCol: null })).interactions),
  retail: async () => readOnlineRetailByTime(path.join(shared, 'online-retail', 'online-retail.csv.gz'), { holdoutDays: 30 }),
};

/** The model's scores of every unseen item, users × items (the data's dense indices), seen items NaN. */
async function scoreMatrix(model, data) {
  const users = Array.from({ length: data.nUsers }, (_, u) => data.users.id(u));
  const batch = await model.recommendBatch(users, { k: data.nItems, filterSeen: true });
  const out = new Float64Array(data.nUsers * data.nItems).fill(Number.NaN);
  for (let u = 0; u < data.nUsers; u++) {
    for (let j = 0; j < batch.k; j++) {
      const m = batch.items[u * batch.k + j];
      if (m < 0) break;
      out[u * data.nItems + data.items.index(batch.itemId(m))] = batch.scores[u * batch.k + j];
    }
  }
  return out;
}

/** Each user's row z-normalised over its finite entries (in place). */
function zNormalise(scores, nUsers, nItems) {
  for (let u = 0; u < nUsers; u++) {
    const row = scores.subarray(u * nItems, (u + 1) * nItems);
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (const s of row) {
      if (!Number.isFinite(s)) continue;
      n++;
      sum += s;
      squares += s * s;
    }
    const mean = n ? sum / n : 0;
    const sd = Math.sqrt(Math.max(squares / Math.max(n, 1) - mean * mean, 0)) || 1;
    for (let i = 0; i < nItems; i++) row[i] = (row[i] - mean) / sd;
  }
  return scores;
}

/** ALS (the family's adapted defaults, seeds 1..n averaged) and EASE (defaults), z-normalised. */
async function componentScores(data) {
  const alsOptions = { ...(MODELS.als.adaptDefaults?.(data) ?? {}), threads };
  const als = new Float64Array(data.nUsers * data.nItems);
  let single;
  for (let seed = 1; seed <= seeds; seed++) {
    const s = await scoreMatrix(await new ImplicitALS({ ...alsOptions, seed }).fit(data), data);
    if (seed === 1) single = zNormalise(Float64Array.from(s), data.nUsers, data.nItems);
    for (let e = 0; e < s.length; e++) als[e] += s[e] / seeds;
  }
  const ease = await scoreMatrix(await new EASE({ threads }).fit(data), data);
  return { single, als: zNormalise(als, data.nUsers, data.nItems), ease: zNormalise(ease, data.nUsers, data.nItems) };
}

/** Top-K lists of (1 − w)·a + w·b (NaN: seen, never listed), scored by evaluateLists. */
function blendMetrics(a, b, w, train, test) {
  const n = train.nItems;
  const lists = (u) => {
    const scored = [];
    for (let i = 0; i < n; i++) {
      const s = (1 - w) * a[u * n + i] + w * b[u * n + i];
      if (Number.isFinite(s)) scored.push([s, i]);
    }
    scored.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    return Int32Array.from(scored.slice(0, K), (x) => x[1]);
  };
  const m = evaluateLists(lists, train, test, { k: K });
  return { precision: m.precision, ndcg: m.ndcg };
}

const f4 = (x) => x.toFixed(4);
for (const name of args.sets.split(',')) {
  const { train, test } = await SETS[name]();
  const slice = perUserSplit(train, { testFraction: 0.1, seed: 42 });
  const v = await componentScores(slice.train);
  const t = await componentScores(train);
  const one = blendMetrics(t.single, t.ease, 0, train, test);
  console.log(`${name}\tALS seed 1 alone\ttest P@10 ${f4(one.precision)} NDCG@10 ${f4(one.ndcg)}`);
  let best;
  for (const w of weights) {
    const vm = blendMetrics(v.als, v.ease, w, slice.train, slice.test);
    const tm = blendMetrics(t.als, t.ease, w, train, test);
    if (!best || vm.ndcg > best.vm.ndcg) best = { w, vm, tm };
    console.log(`${name}\tw ${w}\tvalidation NDCG@10 ${f4(vm.ndcg)}\ttest P@10 ${f4(tm.precision)} NDCG@10 ${f4(tm.ndcg)}`);
  }
  console.log(`${name}\tpicked w ${best.w} (${seeds} ALS seeds)\ttest P@10 ${f4(best.tm.precision)} NDCG@10 ${f4(best.tm.ndcg)}`);
}
