// Per-call costs of the live reads added for serving:
// - BPR user fold-in (100 epochs, 64 factors, a 50-item history against
//   100,000 items): the native kernel against its TypeScript twin;
// - explain(user, item) on ImplicitALS and ExplicitMF at 64 and 128 factors
//   (MovieLens-1M-sized synthetic data: 6,040 users, 3,706 items, about 1M
//   interactions), for users with about 50 and 500 training items.
//
//   npm run build:ts && node bench/standalone/live-costs.mjs
import { ExplicitMF, ImplicitALS, Interactions } from '../../dist/index.js';
import { bprBackends } from '../../dist/models/bpr/backend.js';
import { Rng } from '../../dist/random.js';
import { syntheticPowerLaw } from '../generators/synthetic.mjs';

const now = () => process.hrtime.bigint();
/** Median µs per call of `f` over `runs` timed runs (after warm-up). */
function perCall(f, runs = 30) {
  for (let r = 0; r < 3; r++) f();
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    f();
    times.push(Number(now() - t0) / 1e3);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

{
  const items = 100_000;
  const k = 64;
  const rng = new Rng(1);
  const itemFactors = Float32Array.from({ length: items * k }, () => rng.normal() * 0.1);
  const itemBias = Float32Array.from({ length: items }, () => rng.normal() * 0.1);
  const positives = Int32Array.from(new Set(Array.from({ length: 50 }, () => rng.below(items)))).sort();
  const p = { factors: k, iterations: 100, learningRate: 0.05, regularization: 0.01, seed: 1, verifyNegative: true };
  for (const backend of ['native', 'js']) {
    const us = perCall(() => bprBackends[backend].foldInUser(p, itemFactors, itemBias, positives));
    console.log(
      `BPR user fold-in, ${backend}: ${(us / 1000).toFixed(2)} ms (${positives.length} items, ${items} items in catalogue, ${k} factors, 100 epochs)`,
    );
  }
}

const data = syntheticPowerLaw(6040, 3706, 1_000_000, 7);
const m = data.byUser;
function userWithAbout(length) {
  let best = 0;
  for (let u = 0; u < m.rows; u++) {
    const n = m.indptr[u + 1] - m.indptr[u];
    if (Math.abs(n - length) < Math.abs(m.indptr[best + 1] - m.indptr[best] - length)) best = u;
  }
  return best;
}
for (const factors of [64, 128]) {
  const als = await new ImplicitALS({ factors, iterations: 2 }).fit(data);
  for (const length of [50, 500]) {
    const user = data.users.id(userWithAbout(length));
    const n = m.indptr[data.users.index(user) + 1] - m.indptr[data.users.index(user)];
    const us = perCall(() => als.explain(user, data.items.id(0)));
    console.log(`ALS explain, ${factors} factors, ${n} items: ${us.toFixed(0)} µs`);
  }
}
// The explicit model on the same pattern with ratings 1-5 (one user per row of data.byUser).
const rated = Interactions.fromArrays(
  Array.from(m.indices, (_, e) => data.users.id(rowOf(e))),
  Array.from(m.indices, (i) => data.items.id(i)),
  { values: Array.from(m.indices, (i, e) => 1 + ((i * 7 + e) % 5)) },
);
function rowOf(e) {
  let lo = 0;
  let hi = m.rows;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (m.indptr[mid] <= e) lo = mid;
    else hi = mid;
  }
  return lo;
}
for (const factors of [64, 128]) {
  const mf = await new ExplicitMF({ factors, iterations: 2 }).fit(rated);
  for (const length of [50, 500]) {
    const user = data.users.id(userWithAbout(length));
    const n = m.indptr[data.users.index(user) + 1] - m.indptr[data.users.index(user)];
    const us = perCall(() => mf.explain(user, data.items.id(0)));
    console.log(`ExplicitMF explain, ${factors} factors, ${n} items: ${us.toFixed(0)} µs`);
  }
}
