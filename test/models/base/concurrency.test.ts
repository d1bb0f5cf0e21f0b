/**
 * Concurrency and lifetime: the addon in several worker_threads at once, a
 * worker terminated while its native fit runs, the busy guard on every
 * training entry point, reads during training, dispose() and abort. Worker
 * and child scripts run the compiled library (dist/, built by `npm test`'s
 * pretest).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BPR, ExplicitMF, ImplicitALS, Interactions, type Recommendation } from '../../../lib/index.js';
import { errorCode } from '../../helpers/support.js';

const run = promisify(execFile);
const helpers = path.resolve(__dirname, '..', '..', 'helpers');

function runWorker(workerData: object): Promise<{ ok: boolean; single: Recommendation[]; rows: number; first: Recommendation[] }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(helpers, 'worker-job.mjs'), { workerData });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

/** Ratings where each of `users` users rated 6 of `items` items. */
function data(users: number, items: number, seed = 1): Interactions {
  const u: number[] = [];
  const i: number[] = [];
  const v: number[] = [];
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let a = 0; a < users; a++) {
    for (let k = 0; k < 6; k++) {
      u.push(a);
      i.push(Math.floor(rand() * items));
      v.push(1 + Math.floor(rand() * 5));
    }
  }
  return Interactions.fromArrays(u, i, { values: v, aggregate: 'last' });
}

describe('the addon in worker_threads', () => {
  it('three workers train and recommend at once (one per model type) while the main thread trains too', async () => {
    const workers = ['als', 'bpr', 'explicit'].map((model, k) => runWorker({ job: 'train', model, seed: k + 1 }));
    const main = new ImplicitALS({ factors: 8, iterations: 3, threads: 2, seed: 9 }).fit(data(400, 100));
    const results = await Promise.all(workers);
    await main;
    for (const r of results) {
      expect(r.ok).toBe(true);
      expect(r.single).toHaveLength(5);
      expect(r.rows).toBe(4);
      // The batch answers user 0 exactly as the single call did.
      expect(r.first.map((x) => x.item)).toEqual(r.single.map((x) => x.item));
    }
  });

  it('terminating workers while their native fits run does not bring the process down', async () => {
    const { stdout } = await run(process.execPath, [path.join(helpers, 'terminate-workers.mjs'), '2'], { timeout: 90_000 });
    expect(stdout.trim()).toBe('survived 6');
  }, 120_000);
});

describe('one model, overlapping calls', () => {
  const models = () => [
    new ExplicitMF({ factors: 16, iterations: 40, threads: 1, seed: 1 }),
    new ImplicitALS({ factors: 16, iterations: 40, threads: 1, seed: 1 }),
    new BPR({ factors: 16, iterations: 40, threads: 1, seed: 1 }),
  ];
  const d = data(3000, 400);

  it('fit() while a fit runs → ERR_MFREC_BUSY for every model; reads serve the previous factors meanwhile', async () => {
    for (const m of models()) {
      await (m as ExplicitMF).fit(data(200, 50, 2));
      const before = m.userVector(0)!;
      const recsBefore = m.recommend(0, { k: 5 });
      const running = (m as ExplicitMF).fit(d);
      expect(m.isTraining).toBe(true);
      expect(await errorCode((m as ExplicitMF).fit(d)), m.type).toBe('ERR_MFREC_BUSY');
      // Reads during training answer from the previous state, unchanged.
      expect(m.userVector(0)).toEqual(before);
      expect(m.recommend(0, { k: 5 })).toEqual(recsBefore);
      expect((await m.recommendBatch([0], { k: 5 })).row(0)).toEqual(recsBefore);
      await running;
      expect(m.isTraining).toBe(false);
      expect(m.userVector(0)).not.toEqual(before);
    }
  });

  it('partialFit and fit exclude each other with ERR_MFREC_BUSY, and reads keep the previous factors', async () => {
    const m = await new ImplicitALS({ factors: 16, iterations: 30, threads: 1, seed: 1 }).fit(d);
    const update = data(3000, 400, 7);
    const before = m.userVector(0)!;
    const partial = m.partialFitUsers(update);
    expect(await errorCode(m.fit(d))).toBe('ERR_MFREC_BUSY');
    expect(await errorCode(m.partialFitItems(update))).toBe('ERR_MFREC_BUSY');
    expect(await errorCode(m.partialFitUsers(update))).toBe('ERR_MFREC_BUSY');
    expect(m.userVector(0)).toEqual(before);
    await partial;
    const fit = m.fit(d);
    expect(await errorCode(m.partialFitUsers(update))).toBe('ERR_MFREC_BUSY');
    await fit;
  });

  it('an abort mid-partialFit keeps the previous model intact', async () => {
    const m = await new ImplicitALS({ factors: 16, iterations: 3, threads: 1, seed: 1 }).fit(d);
    const before = { user: m.userVector(0)!, item: m.itemVector(0)!, recs: m.recommend(0, { k: 5 }) };
    const ac = new AbortController();
    const p = m.partialFitUsers(data(3000, 400, 11), { signal: ac.signal });
    ac.abort();
    expect(await errorCode(p)).toBe('ERR_MFREC_ABORTED');
    expect(m.userVector(0)).toEqual(before.user);
    expect(m.itemVector(0)).toEqual(before.item);
    expect(m.recommend(0, { k: 5 })).toEqual(before.recs);
  });

  it('dispose() waits for in-flight training, then drops the state', async () => {
    for (const m of models()) {
      const order: string[] = [];
      const fit = (m as ExplicitMF).fit(d).then(() => order.push('fit settled'));
      const disposed = m.dispose().then(() => order.push('disposed'));
      await Promise.all([fit, disposed]);
      expect(order, m.type).toEqual(['fit settled', 'disposed']);
      expect(m.isFitted).toBe(false);
      expect(await errorCode(() => m.recommend(0))).toBe('ERR_MFREC_NOT_FITTED');
      // A disposed model can be trained again.
      await (m as ExplicitMF).fit(data(100, 20));
      expect(m.isFitted).toBe(true);
    }
  });

  it('dispose() also waits for a fit that fails', async () => {
    const m = new ImplicitALS({ factors: 16, iterations: 40, threads: 1, seed: 1 });
    const ac = new AbortController();
    const fit = m.fit(d, { signal: ac.signal, onIteration: () => ac.abort() });
    const disposed = m.dispose();
    expect(await errorCode(fit)).toBe('ERR_MFREC_ABORTED');
    await disposed;
    expect(m.isTraining).toBe(false);
    expect(m.isFitted).toBe(false);
  });
});
