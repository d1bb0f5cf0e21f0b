#!/usr/bin/env node
// ExplicitMF epoch speed, native kernel versus the pure-TypeScript twin
// (`backend: 'js'`), on MovieLens 100K u1.base with the default options:
// the median seconds per epoch of a short fit for each backend, and the
// u1.test RMSE after it (js and native with one thread give the same model).
//
//   npm run build && node bench/standalone/explicit-backends.mjs [epochs]
//
// Reads ../shared/data/ml-100k relative to the repository root (or MFREC_ML100K).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExplicitMF, Interactions } from '../../dist/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = process.env.MFREC_ML100K ?? path.join(root, '..', 'shared', 'data', 'ml-100k');
const epochs = Number(process.argv[2] ?? 6);

function readRatings(file) {
  const rows = readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
  return Interactions.fromArrays(
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    { values: rows.map((r) => Number(r[2])) },
  );
}

const train = readRatings('u1.base');
const test = readRatings('u1.test');
for (const options of [{ backend: 'js' }, { backend: 'native', threads: 1 }, { backend: 'native', threads: 0 }]) {
  const seconds = [];
  const model = await new ExplicitMF({ ...options, iterations: epochs }).fit(train, { onIteration: (r) => seconds.push(r.seconds) });
  seconds.sort((a, b) => a - b);
  const { rmse } = await model.evaluate(test);
  console.log(
    `${JSON.stringify(options).padEnd(36)} ${seconds[Math.floor(seconds.length / 2)].toFixed(4)} s per epoch (median of ${epochs}), u1.test RMSE ${rmse.toFixed(4)}`,
  );
}
