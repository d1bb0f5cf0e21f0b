// Cost of serving live shoppers with ImplicitALS on MovieLens-1M-sized
// synthetic data (6,040 users, 3,706 items, about 1M interactions):
// - recalculateUser: one exact fold-in, per call, for the shortest history
//   (about 50 items here) and histories of about 100 and 1,000 items, on the native and the js backend, and the first call
//   on a new state (which also computes YᵀY of the catalogue);
// - partialFitUsers / partialFitItems: re-solving 1, 100 and 1,000 users' (1
//   and 100 items') whole histories and swapping in the new state (copies of
//   the factor and training matrices), native backend.
//
//   npm run build:ts && node bench/standalone/fold-in.mjs [factors=64] [threads=2]
import { ImplicitALS, Interactions } from '../../dist/index.js';
import { syntheticPowerLaw } from '../generators/synthetic.mjs';

const factors = Number(process.argv[2] ?? 64);
const threads = Number(process.argv[3] ?? 2);

const data = syntheticPowerLaw(6040, 3706, 1_000_000, 7);
console.log(`data: ${data.nUsers} users, ${data.nItems} items, ${data.nnz} interactions; ${factors} factors`);

const m = data.byUser;
const historyOf = (u) => {
  const items = [];
  for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) items.push(data.items.id(m.indices[e]));
  return { items };
};
/** The user whose history length is closest to `length`. */
function userWithAbout(length) {
  let best = 0;
  for (let u = 0; u < m.rows; u++) {
    const n = m.indptr[u + 1] - m.indptr[u];
    if (Math.abs(n - length) < Math.abs(m.indptr[best + 1] - m.indptr[best] - length)) best = u;
  }
  return best;
}
const now = () => process.hrtime.bigint();
const ms = (t0, t1) => Number(t1 - t0) / 1e6;

async function trained(backend) {
  const t0 = now();
  // One js iteration keeps the run short: the fold-in cost does not depend on how far training went.
  const model = await new ImplicitALS({ factors, threads, backend, iterations: backend === 'js' ? 1 : 3 }).fit(data);
  console.log(`${backend}: fit ${(ms(t0, now()) / 1000).toFixed(2)} s`);
  return model;
}

for (const backend of ['native', 'js']) {
  const model = await trained(backend);
  const shopper = historyOf(userWithAbout(100));
  let t0 = now();
  model.recalculateUser(shopper);
  console.log(`${backend}: first recalculateUser (computes YᵀY, ${data.nItems} × ${factors}): ${ms(t0, now()).toFixed(3)} ms`);
  for (const length of [0, 100, 1000]) {
    const u = userWithAbout(length);
    const history = historyOf(u);
    const calls = backend === 'native' ? 2000 : 100;
    for (let c = 0; c < 10; c++) model.recalculateUser(history); // warm-up
    t0 = now();
    for (let c = 0; c < calls; c++) model.recalculateUser(history);
    const per = ms(t0, now()) / calls;
    console.log(`${backend}: recalculateUser, ${history.items.length}-item history: ${(per * 1000).toFixed(1)} µs per call (${calls} calls)`);
  }
  if (backend !== 'native') continue;
  // Best of three runs (the same update again re-solves the same rows): the first pays for JIT warm-up.
  const best = async (update, side) => {
    let fastest = Infinity;
    for (let run = 0; run < 3; run++) {
      const t = now();
      await (side === 'users' ? model.partialFitUsers(update) : model.partialFitItems(update));
      fastest = Math.min(fastest, ms(t, now()));
    }
    return fastest;
  };
  for (const count of [1, 100, 1000]) {
    const users = [];
    const items = [];
    for (let u = 0; u < count; u++) {
      for (const item of historyOf(u).items) users.push(data.users.id(u)), items.push(item);
    }
    const update = Interactions.fromArrays(users, items);
    console.log(`${backend}: partialFitUsers, ${count} users (${update.nnz} interactions): ${(await best(update, 'users')).toFixed(1)} ms`);
  }
  const byItem = data.byItem;
  for (const count of [1, 100]) {
    const users = [];
    const items = [];
    // The least popular items: new products have short histories.
    for (let i = data.nItems - count; i < data.nItems; i++) {
      for (let e = byItem.indptr[i]; e < byItem.indptr[i + 1]; e++) users.push(data.users.id(byItem.indices[e])), items.push(data.items.id(i));
    }
    const update = Interactions.fromArrays(users, items);
    console.log(`${backend}: partialFitItems, ${count} items (${update.nnz} interactions): ${(await best(update, 'items')).toFixed(1)} ms`);
  }
}
