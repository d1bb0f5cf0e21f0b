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
import { syntheticPowerLaw } from './synthetic.mjs';

const threads = Number(process.argv[2] ?? 2);
const factors = Number(process.argv[3] ?? 64);
const iterations = Number(process.argv[4] ?? 3);

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
