// MovieLens 100K as implicit feedback (every rating is a positive with value
// 1), a 75/25 split stratified by user (fixed seed), training items filtered:
// ImplicitALS with default settings against popularity.
//
//   npm run build:ts && node bench/ml100k-implicit.mjs [k] [json options for ImplicitALS]
//
// The data file is read from ../shared/data (never copied into the project).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Interactions, ImplicitALS, evaluateRanking } from '../dist/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.resolve(root, '../shared/data/ml-100k/u.data');
const k = Number(process.argv[2] ?? 10);
const options = process.argv[3] ? JSON.parse(process.argv[3]) : {};

const users = [];
const items = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line) continue;
  const [u, i] = line.split('\t');
  users.push(u);
  items.push(i);
}
const all = Interactions.fromArrays(users, items);

// Per-user 75/25 split: shuffle each user's entries with a seeded generator
// and keep the first round(0.75 n) for training.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(42);
const trainEntries = [];
const testEntries = [];
for (let u = 0; u < all.nUsers; u++) {
  const row = [];
  for (let e = all.byUser.indptr[u]; e < all.byUser.indptr[u + 1]; e++) row.push(e);
  for (let j = row.length - 1; j > 0; j--) {
    const r = Math.floor(rand() * (j + 1));
    [row[j], row[r]] = [row[r], row[j]];
  }
  const cut = Math.round(0.75 * row.length);
  trainEntries.push(...row.slice(0, cut));
  testEntries.push(...row.slice(cut));
}
const train = all.select(trainEntries);
const test = all.select(testEntries);

function report(name, m, seconds) {
  const f = (x) => x.toFixed(4);
  console.log(
    `${name.padEnd(12)} precision@${k} ${f(m.precision)}  recall ${f(m.recall)}  ndcg ${f(m.ndcg)}  map ${f(m.map)}  ` +
      `auc ${f(m.auc)}  hitRate ${f(m.hitRate)}  coverage ${f(m.coverage)}  users ${m.users}` +
      (seconds === undefined ? '' : `  fit ${seconds.toFixed(2)} s`),
  );
}

// Popularity: items scored by their number of training users.
const popularity = new Float32Array(train.nItems);
for (let i = 0; i < train.nItems; i++) popularity[i] = train.byItem.indptr[i + 1] - train.byItem.indptr[i];
report('popularity', evaluateRanking((u, out) => out.set(popularity), train, test, { k }));

const model = new ImplicitALS(options);
const start = process.hrtime.bigint();
await model.fit(train);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const f = model.factors;
const itemIds = model.itemIds;
const itemMatrix = new Float32Array(itemIds.length * f);
itemIds.forEach((id, i) => itemMatrix.set(model.itemVector(id), i * f));
const userIds = model.userIds;
report(
  'ImplicitALS',
  evaluateRanking(
    (u, out) => {
      const x = model.userVector(userIds[u]);
      for (let i = 0; i < itemIds.length; i++) {
        let s = 0;
        for (let j = 0; j < f; j++) s += x[j] * itemMatrix[i * f + j];
        out[i] = s;
      }
    },
    train,
    test,
    { k },
  ),
  seconds,
);
console.log(`ImplicitALS params ${JSON.stringify(model.params)}`);
