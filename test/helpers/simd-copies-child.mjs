// Run by test/addon/simd-copies.test.ts in a process of its own (MFREC_SIMD is
// read once per process): fits every family whose kernels have vector copies,
// one thread and fixed seeds, and prints which copy ran and a digest of what
// each fit learned and ranked.
import { createHash } from 'node:crypto';
import { BPR, EASE, ExplicitMF, ImplicitALS, Interactions, ItemKNN, libraryInfo } from '../../dist/index.js';

/** Users × items with a few ratings each, drawn from a fixed linear congruential sequence. */
function data() {
  let x = 12345;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const users = [];
  const items = [];
  const values = [];
  for (let u = 0; u < 120; u++) {
    for (let i = 0; i < 90; i++) {
      if (next() < 0.12) {
        users.push(`u${u}`);
        items.push(`i${i}`);
        values.push(1 + Math.floor(next() * 5));
      }
    }
  }
  return Interactions.fromArrays(users, items, { values });
}

function digest(...arrays) {
  const h = createHash('sha256');
  for (const a of arrays) h.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex').slice(0, 16);
}

/** A live history of a few items, folded in by the factor models (the fold-in's own path through the row solves). */
const history = { items: ['i1', 'i5', 'i9', 'i40'], values: [5, 3, 4, 1] };

async function learned(model, d) {
  await model.fit(d);
  const users = Array.from({ length: 120 }, (_, u) => `u${u}`).filter((u) => d.users.index(u) !== undefined);
  const ranked = await model.recommendBatch(users, { k: 10, threads: 1 });
  const vectors = model.itemVector ? d.items.toArray().map((i) => model.itemVector(i)) : [];
  const live = model.recommend('live', { recalculate: true, interactions: history, k: 10 });
  return digest(
    ranked.items,
    ranked.scores,
    ...vectors,
    Float32Array.from(live, (r) => r.score),
  );
}

const d = data();
const out = { simd: libraryInfo().simd };
for (const factors of [16, 24, 64]) {
  for (const solver of ['cg', 'cholesky']) {
    out[`als ${solver} ${factors}`] = await learned(new ImplicitALS({ factors, solver, iterations: 3, threads: 1, seed: 1 }), d);
  }
  out[`bpr ${factors}`] = await learned(new BPR({ factors, iterations: 3, threads: 1, seed: 1 }), d);
  out[`explicit ${factors}`] = await learned(new ExplicitMF({ factors, iterations: 3, threads: 1, seed: 1 }), d);
}
out.ease = await learned(new EASE({ threads: 1 }), d);
out.itemknn = await learned(new ItemKNN({ threads: 1 }), d);
console.log(JSON.stringify(out));
