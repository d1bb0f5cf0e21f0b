// Time of the native item-to-item training kernels on random data shaped like
// a shop's: `users = 4 × items`, about 50 interactions per user drawn
// uniformly, value 1.
// - easeFit: B for items = 1,700, 3,700 and 10,000 (or those given), 1 and 2
//   threads, next to the BLAS-bound estimate (n³ flops for the Cholesky
//   factor, the triangular inverse and WᵀW, plus the Gram matrix) at the
//   given GFLOP/s per core;
// - itemNeighbours: top-100 co-occurrence neighbours on the same data.
//
//   npm run build:ts && node bench/standalone/item-item-fit.mjs [items=1700,3700,10000] [gflops=85]
import { itemItemFitBinding } from '../../dist/addon/item-item-fit.js';
import { transpose } from '../../dist/data/sparse.js';
import { Rng } from '../../dist/random.js';

const sizes = (process.argv[2] ?? '1700,3700,10000').split(',').map(Number);
const gflopsPerCore = Number(process.argv[3] ?? 85);
const perUser = 50;

function randomByUser(users, items, seed) {
  const rng = new Rng(seed);
  const indptr = new Int32Array(users + 1);
  const indices = new Int32Array(users * perUser);
  const row = new Set();
  for (let u = 0; u < users; u++) {
    row.clear();
    while (row.size < perUser) row.add(rng.below(items));
    indices.set(Int32Array.from(row).sort(), u * perUser);
    indptr[u + 1] = (u + 1) * perUser;
  }
  return { rows: users, cols: items, indptr, indices, values: new Float32Array(indices.length).fill(1) };
}

const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
const binding = itemItemFitBinding();

for (const items of sizes) {
  const users = 4 * items;
  const byUser = randomByUser(users, items, items);
  const byItem = transpose(byUser);
  const gramFlops = users * perUser * perUser; // sparse Gram: Σ_u |h_u|² / 2 multiply-adds
  const flops = items ** 3 + gramFlops;
  const out = new Float32Array(items * items);
  for (const threads of [1, 2]) {
    const t0 = process.hrtime.bigint();
    await binding.easeFit({ byUser, lambda: 200, threads, out });
    const t = seconds(t0);
    const bound = flops / (gflopsPerCore * 1e9 * threads);
    console.log(
      `easeFit       items ${items} users ${users} threads ${threads}: ${t.toFixed(3)} s` +
        ` (estimate ${bound.toFixed(3)} s at ${gflopsPerCore} GFLOP/s/core: ${((flops / t) * 1e-9).toFixed(1)} GFLOP/s achieved)`,
    );
  }
  const k = 100;
  for (const threads of [1, 2]) {
    const outIndices = new Int32Array(items * k);
    const outScores = new Float32Array(items * k);
    const t0 = process.hrtime.bigint();
    await binding.itemNeighbours({ byItem, byUser, shrink: 0, k, threads, outIndices, outScores });
    console.log(`itemNeighbours items ${items} users ${users} threads ${threads} k ${k}: ${seconds(t0).toFixed(3)} s`);
  }
}
