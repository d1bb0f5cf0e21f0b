// ImplicitALS training speed on MovieLens-1M-sized synthetic data: 6,040 users,
// 3,706 items, about 1M interactions with power-law user activity and item
// popularity. Prints seconds per iteration (users + items half-sweeps) for the
// CG and Cholesky solvers, and one iteration of the pure-TypeScript twin on a
// tenth of the users for comparison.
//
//   npm run build:ts && node bench/als.mjs [threads=2] [factors=64] [iterations=3]
import { Interactions, ImplicitALS } from '../dist/index.js';
import { alsIteration } from '../dist/twins/als.js';
import { kernelOptions, initialFactors } from '../dist/models/implicit-als.js';

const threads = Number(process.argv[2] ?? 2);
const factors = Number(process.argv[3] ?? 64);
const iterations = Number(process.argv[4] ?? 3);

function syntheticPowerLaw(users, items, target, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  // Item i is drawn with probability ∝ (i + 20)^-0.9; user activity is Pareto
  // with minimum 20 (MovieLens keeps users with at least 20 ratings).
  const cum = new Float64Array(items);
  let total = 0;
  for (let i = 0; i < items; i++) cum[i] = total += 1 / Math.pow(i + 20, 0.9);
  const activity = Float64Array.from({ length: users }, () => 1 / Math.pow(1 - rand(), 1 / 1.3));
  // Row lengths are clipped to [20, items / 2]: rescale until they add up to the target.
  const lengths = (scale) => Array.from(activity, (a) => Math.min(items >> 1, Math.max(20, Math.round(a * scale))));
  let scale = target / activity.reduce((a, b) => a + b, 0);
  for (let round = 0; round < 20; round++) scale *= target / lengths(scale).reduce((a, b) => a + b, 0);
  const wanted = lengths(scale);
  const u = [];
  const i = [];
  for (let user = 0; user < users; user++) {
    const want = wanted[user];
    const chosen = new Set();
    while (chosen.size < want) {
      const x = rand() * total;
      let lo = 0;
      let hi = items - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      chosen.add(lo);
    }
    for (const item of chosen) (u.push(user), i.push(item));
  }
  return Interactions.fromArrays(u, i);
}

const data = syntheticPowerLaw(6040, 3706, 1_000_000, 7);
console.log(`data: ${data.nUsers} users, ${data.nItems} items, ${data.nnz} interactions; ${factors} factors, ${threads} threads`);

for (const solver of ['cg', 'cholesky']) {
  const seconds = [];
  const model = new ImplicitALS({ factors, iterations, threads, solver });
  await model.fit(data, { onIteration: (r) => seconds.push(r.seconds) });
  const best = Math.min(...seconds);
  console.log(`native ${solver.padEnd(8)} s/iteration: ${seconds.map((x) => x.toFixed(3)).join(' ')}  (best ${best.toFixed(3)})`);
}

// The pure-TypeScript twin (single-threaded) on the first tenth of the users.
const subsetUsers = [];
const subsetItems = [];
for (const e of data.entries()) if (Number(e.user) < 604) (subsetUsers.push(e.user), subsetItems.push(e.item));
const subset = Interactions.fromArrays(subsetUsers, subsetItems);
const params = new ImplicitALS({ factors }).params;
for (const solver of ['cg', 'cholesky']) {
  const options = kernelOptions({ ...params, solver });
  const uf = initialFactors(subset.nUsers, factors, 1, 0, 'users');
  const itf = initialFactors(subset.nItems, factors, 1, 1, 'items');
  const start = process.hrtime.bigint();
  alsIteration(subset.byUser, subset.byItem, uf, itf, options);
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`twin   ${solver.padEnd(8)} s/iteration on ${subset.nnz} interactions: ${s.toFixed(3)}`);
}
