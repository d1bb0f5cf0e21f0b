// MovieLens 100K as implicit data (every rating a positive), 75/25 split
// stratified by user with a fixed seed, seen items filtered: precision@10 of
// BPR with default settings against the popularity baseline.
//
//   npm run build:ts && node bench/ml100k-bpr.mjs [--factors 64] [--iterations 60] [--learningRate 0.05] ...
//
// Any BPR option can be given as --name value. The split and the metric are
// written out here so the script stands alone; they follow the usual
// definitions (precision@k = hits in the top k / k, averaged over test users).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BPR, Interactions, Popularity } from '../dist/index.js';
import { Rng } from '../dist/random.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.resolve(root, '../shared/data/ml-100k/u.data');

function parseOptions(argv) {
  const options = {};
  for (let a = 0; a < argv.length; a += 2) {
    const key = argv[a].replace(/^--/, '');
    const value = argv[a + 1];
    options[key] = value === 'true' ? true : value === 'false' ? false : Number(value);
  }
  return options;
}

/** Per user: shuffle their items with a seeded generator, hold out round(25%). */
function splitByUser(users, items, testFraction, seed) {
  const byUser = new Map();
  users.forEach((u, k) => {
    if (!byUser.has(u)) byUser.set(u, []);
    byUser.get(u).push(k);
  });
  const rng = new Rng(seed);
  const train = [];
  const test = new Map();
  for (const [u, rows] of byUser) {
    rng.shuffle(rows);
    const nTest = Math.round(rows.length * testFraction);
    test.set(u, new Set(rows.slice(0, nTest).map((k) => items[k])));
    train.push(...rows.slice(nTest));
  }
  return { train, test };
}

async function precisionAt(model, test, k) {
  const users = [...test.keys()];
  const batch = await model.recommendBatch(users, { k });
  let sum = 0;
  users.forEach((u, r) => {
    const truth = test.get(u);
    let hits = 0;
    for (const { item } of batch.row(r)) if (truth.has(item)) hits++;
    sum += hits / k;
  });
  return sum / users.length;
}

const lines = readFileSync(file, 'utf8').trim().split('\n');
const users = [];
const items = [];
for (const line of lines) {
  const [u, i] = line.split('\t');
  users.push(u);
  items.push(i);
}
const { train, test } = splitByUser(users, items, 0.25, 42);
const data = Interactions.fromArrays(train.map((k) => users[k]), train.map((k) => items[k]));

const popularity = new Popularity().fit(data);
console.log(`popularity precision@10 ${(await precisionAt(popularity, test, 10)).toFixed(4)}`);

const options = parseOptions(process.argv.slice(2));
const model = new BPR(options);
const start = process.hrtime.bigint();
await model.fit(data);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const last = model.history.at(-1);
console.log(`BPR ${JSON.stringify(model.params)}`);
console.log(`  fit ${seconds.toFixed(2)} s, final trainLoss ${last.trainLoss.toFixed(4)}`);
console.log(`  precision@10 ${(await precisionAt(model, test, 10)).toFixed(4)}`);
