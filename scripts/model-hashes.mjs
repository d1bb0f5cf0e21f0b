#!/usr/bin/env node
/**
 * Fits seeded one-thread models on a fixed synthetic data set with both
 * backends and prints a sha256 of each model's learned arrays, so that a
 * change meant to keep behaviour can be checked bit for bit:
 *
 *   npm run build:ts && node scripts/model-hashes.mjs > before.txt
 *   (change, rebuild) node scripts/model-hashes.mjs | diff before.txt -
 *
 * Reads the built library (dist/), so build it first.
 */
import { createHash } from 'node:crypto';
import { BPR, ExplicitMF, ImplicitALS, Interactions } from '../dist/index.js';

/** A small deterministic generator (LCG), so the data never depends on the library's own random numbers. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 300 users × 120 items, about 4,000 ratings 1–5 with a taste structure, the same on every run. */
function syntheticRatings() {
  const next = lcg(20240613);
  const users = [];
  const items = [];
  const values = [];
  for (let u = 0; u < 300; u++) {
    const taste = u % 4;
    const count = 5 + Math.floor(next() * 20);
    for (let n = 0; n < count; n++) {
      const i = Math.floor(next() * next() * 120);
      users.push(`u${u}`);
      items.push(`i${i}`);
      values.push(1 + ((taste + i) % 5 === 0 ? 4 : Math.floor(next() * 4)));
    }
  }
  return Interactions.fromArrays(users, items, { values, aggregate: 'last' });
}

function hashOf(model) {
  const h = createHash('sha256');
  const vectors = [...model.userIds.map((id) => model.userVector(id)), ...model.itemIds.map((id) => model.itemVector(id))];
  for (const v of vectors) h.update(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  // Biases and the global mean show through the scores of the first user.
  const scores = model.scoreItems(model.userIds[0]);
  h.update(Buffer.from(scores.buffer, scores.byteOffset, scores.byteLength));
  return h.digest('hex');
}

const data = syntheticRatings();
const cases = [
  ['explicit', (backend) => new ExplicitMF({ factors: 8, iterations: 10, threads: 1, seed: 7, backend })],
  ['als-cg', (backend) => new ImplicitALS({ factors: 8, iterations: 5, threads: 1, seed: 7, solver: 'cg', backend })],
  ['als-cholesky', (backend) => new ImplicitALS({ factors: 8, iterations: 5, threads: 1, seed: 7, solver: 'cholesky', backend })],
  ['bpr', (backend) => new BPR({ factors: 8, iterations: 10, threads: 1, seed: 7, backend })],
];
for (const [name, make] of cases) {
  for (const backend of ['native', 'js']) {
    const model = await make(backend).fit(data);
    console.log(`${name.padEnd(13)} ${backend.padEnd(7)} ${hashOf(model)}`);
  }
}
