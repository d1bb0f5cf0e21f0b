#!/usr/bin/env node
// What a hot reload costs the serving thread, on the Online Retail model (ALS,
// defaults) or the model file given: the reading thread
// (dist/serve/read-worker.js) reads and checks the file and hands its buffer
// over; the serving thread then builds the model (modelFromContents) with the
// cheap checks only, as ModelHandle does, or with every value checked again;
// beside loadModel, which does everything on the calling thread. Medians of
// --runs (default 15).
//
//   npm run build && node bench/standalone/reload-cost.mjs [MODEL] [--runs 15]
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ImplicitALS, loadModel, readOnlineRetail } from '../../dist/index.js';
import { modelFromContents } from '../../dist/persist/model-from-contents.js';
import { benchDir, median, repoRoot } from '../lib/common.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 15;
let file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
if (file === undefined) {
  file = path.join(benchDir, '.data', 'serve', 'retail-a.mfrec');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const retail = await readOnlineRetail(path.join(repoRoot, 'data', 'online-retail-purchases.csv.gz'));
    await (await new ImplicitALS({ seed: 1 }).fit(retail.interactions)).save(file);
  }
}
const VIEWS = { f32: Float32Array, i32: Int32Array, f64: Float64Array };
const worker = new URL('../../dist/serve/read-worker.js', import.meta.url);
const cheap = [];
const full = [];
const onMain = [];
for (let r = 0; r < runs; r++) {
  const reply = await new Promise((resolve) => new Worker(worker, { workerData: { file } }).once('message', resolve));
  const blocks = Object.create(null);
  for (const b of reply.blocks) blocks[b.name] = new VIEWS[b.dtype](reply.buffer, b.byteOffset, b.length);
  let t = performance.now();
  modelFromContents({ header: reply.header, blocks }, file, true);
  cheap.push(performance.now() - t);
  t = performance.now();
  modelFromContents({ header: reply.header, blocks }, file, false);
  full.push(performance.now() - t);
  t = performance.now();
  await loadModel(file);
  onMain.push(performance.now() - t);
}
const ms = (xs) => `${median(xs).toFixed(2)} ms`;
console.log(`${file} (${(statSync(file).size / 1e6).toFixed(1)} MB), median of ${runs}:`);
console.log(`  serving thread after the reading thread, cheap checks (ModelHandle): ${ms(cheap)}`);
console.log(`  serving thread after the reading thread, every value checked again: ${ms(full)}`);
console.log(`  loadModel on the serving thread (read, checksum, every check):      ${ms(onMain)}`);
