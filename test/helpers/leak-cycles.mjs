// Child process for test/addon/leaks.test.ts (run with --expose-gc): repeats
// fit / recommend / batch / similar / save / load / dispose cycles for every
// model type and prints memory after warm-up and at the end, as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BPR, ExplicitMF, ImplicitALS, Interactions, loadModel } from '../../dist/index.js';

const [warmup, cycles] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-leak-'));
const users = [];
const items = [];
const values = [];
for (let u = 0; u < 2000; u++) {
  for (let k = 0; k < 10; k++) {
    users.push(u);
    items.push((u * 7 + k * 13) % 500);
    values.push(1 + ((u + k) % 5));
  }
}
const data = Interactions.fromArrays(users, items, { values });

async function cycle() {
  for (const Model of [ExplicitMF, ImplicitALS, BPR]) {
    const m = await new Model({ factors: 32, iterations: 2, threads: 2, seed: 1 }).fit(data);
    m.recommend(3, { k: 10 });
    await m.recommendBatch(users.slice(0, 500), { k: 10 });
    for await (const _ of m.recommendAll({ k: 5, blockSize: 700 })) void _;
    m.similarItems(1, { k: 5 });
    await m.similarItemsBatch([1, 2, 3], { k: 5 });
    const file = path.join(dir, 'm.mfrec');
    await m.save(file);
    const loaded = await loadModel(file);
    loaded.recommend(3, { k: 5 });
    if (m instanceof ImplicitALS) {
      await m.partialFitUsers(data);
      m.recalculateUser({ items: [1, 2, 3] });
    }
    await m.dispose();
    await loaded.dispose();
  }
}

function measure() {
  for (let k = 0; k < 4; k++) globalThis.gc();
  const u = process.memoryUsage();
  return { rss: u.rss, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers };
}

for (let k = 0; k < warmup; k++) await cycle();
const before = measure();
for (let k = 0; k < cycles; k++) await cycle();
const after = measure();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ before, after }) + '\n');
