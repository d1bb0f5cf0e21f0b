// Worker thread for test/models/base/concurrency.test.ts: trains one model on generated
// data with the compiled library (dist/) and reports back. Jobs:
//   { job: 'train', model }   train, recommend, batch-recommend; post the results
//   { job: 'long', model }    a fit long enough to be terminated mid-way; posts
//                             'iteration' after each iteration
import { parentPort, workerData } from 'node:worker_threads';
import { BPR, ExplicitMF, ImplicitALS, Interactions } from '../../dist/index.js';

const { job, model: kind, seed = 1 } = workerData;

function data(users, items, perUser) {
  const u = [];
  const i = [];
  const v = [];
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let a = 0; a < users; a++) {
    for (let k = 0; k < perUser; k++) {
      u.push(a);
      i.push(Math.floor(rand() * items));
      v.push(1 + Math.floor(rand() * 5));
    }
  }
  return Interactions.fromArrays(u, i, { values: v, aggregate: 'last' });
}

function create(options) {
  if (kind === 'als') return new ImplicitALS(options);
  if (kind === 'bpr') return new BPR(options);
  return new ExplicitMF(options);
}

if (job === 'train') {
  const d = data(300, 120, 8);
  const m = await create({ factors: 8, iterations: 3, threads: 1, seed }).fit(d);
  const single = m.recommend(0, { k: 5 });
  const batch = await m.recommendBatch([0, 1, 2, 'stranger'], { k: 5, threads: 2 });
  parentPort.postMessage({ ok: true, single, rows: batch.length, first: batch.row(0) });
} else {
  // About a second per iteration on one thread: termination lands inside a native call.
  const d = data(kind === 'bpr' ? 40_000 : 20_000, 3000, 25);
  const m = create({ factors: 64, iterations: 1000, threads: 1, seed });
  m.fit(d, { onIteration: () => parentPort.postMessage('iteration') }).catch((e) => parentPort.postMessage(`failed ${e.code}`));
  parentPort.postMessage('started');
}
