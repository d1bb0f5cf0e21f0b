import { describe, expect, it } from 'vitest';
import { ExplicitMF, Interactions, randomSplit, type IterationReport } from '../../../lib/index.js';
import { Rng } from '../../../lib/random.js';
import { sgdGridBlocks } from '../../../lib/models/explicit/sgd-grid.js';

/** Ratings 1..5 on random distinct pairs. */
function randomRatings(seed: number, users = 70, items = 50, count = 1500): Interactions {
  const rng = new Rng(seed);
  const u: number[] = [];
  const i: number[] = [];
  const v: number[] = [];
  for (let k = 0; k < count; k++) {
    u.push(rng.below(users));
    i.push(rng.below(items));
    v.push(1 + rng.below(5));
  }
  return Interactions.fromArrays(u, i, { values: v, aggregate: 'last' });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: 'MfrecError', code });
}

describe("ExplicitMF backend: 'js'", () => {
  it('stores the backend in params, native by default, and refuses others', () => {
    expect(new ExplicitMF().params.backend).toBe('native');
    const m = new ExplicitMF({ backend: 'js' });
    expect(JSON.parse(JSON.stringify(m.params)).backend).toBe('js');
    for (const backend of ['wasm', 1, null, 'JS']) {
      expect(() => new ExplicitMF({ backend } as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
    }
  });

  it('gives the same model as the native kernel with one thread and the same seed', async () => {
    const { train, test } = randomSplit(randomRatings(1), { seed: 2 });
    const options = { factors: 12, iterations: 2, threads: 1, seed: 5, initStd: 0.1 };
    const reports: Record<string, IterationReport[]> = { native: [], js: [] };
    const fit = (backend: 'native' | 'js') =>
      new ExplicitMF({ ...options, backend }).fit(train, { validation: test, onIteration: (r) => reports[backend]!.push(r) });
    const native = await fit('native');
    const js = await fit('js');
    for (const user of native.userIds) expect(js.userVector(user)).toEqual(native.userVector(user));
    for (const item of native.itemIds) expect(js.itemVector(item)).toEqual(native.itemVector(item));
    const e = [...test.entries()];
    const users = e.map((x) => x.user);
    const items = e.map((x) => x.item);
    expect(js.predictMany(users, items)).toEqual(native.predictMany(users, items));
    expect(reports.js!.map((r) => r.iteration)).toEqual([1, 2]);
    for (let k = 0; k < 2; k++) {
      expect(reports.js![k]!.trainRmse).toBeCloseTo(reports.native![k]!.trainRmse!, 10);
      expect(reports.js![k]!.validationRmse).toBeCloseTo(reports.native![k]!.validationRmse!, 10);
    }
  });

  it('gives the same model as the native kernel on a one-thread grid of several blocks', async () => {
    // 256 factors on 4,200 rows: 4.3 MB of rows, more than one block's share.
    const data = randomRatings(6, 3000, 1200, 6000);
    const options = { factors: 256, iterations: 2, threads: 1, seed: 3, initStd: 0.1 };
    expect(sgdGridBlocks(1, data.nUsers, data.nItems, options.factors)).toBeGreaterThan(1);
    const native = await new ExplicitMF({ ...options, backend: 'native' }).fit(data);
    const js = await new ExplicitMF({ ...options, backend: 'js' }).fit(data);
    for (const user of native.userIds) expect(js.userVector(user)).toEqual(native.userVector(user));
    for (const item of native.itemIds) expect(js.itemVector(item)).toEqual(native.itemVector(item));
  });

  it('ignores threads: a js fit with several threads replays the one-thread schedule', async () => {
    const data = randomRatings(3);
    const options = { factors: 8, iterations: 2, seed: 9, backend: 'js' } as const;
    const one = await new ExplicitMF({ ...options, threads: 1 }).fit(data);
    const four = await new ExplicitMF({ ...options, threads: 4 }).fit(data);
    expect(four.userVector(3)).toEqual(one.userVector(3));
  });

  it('stops early on validation RMSE like the native backend', async () => {
    const { train, test } = randomSplit(randomRatings(4, 60, 60, 3000), { seed: 2 });
    const options = {
      factors: 16,
      iterations: 200,
      learningRate: 0.05,
      learningRateDecay: 1,
      regularization: 0,
      biasRegularization: 0,
      initStd: 0.1,
      threads: 1,
      earlyStopping: { patience: 3 },
    } as const;
    const counts: number[] = [];
    for (const backend of ['native', 'js'] as const) {
      let n = 0;
      await new ExplicitMF({ ...options, backend }).fit(train, { validation: test, onIteration: () => n++ });
      counts.push(n);
    }
    expect(counts[0]).toBeLessThan(200);
    expect(counts[1]).toBe(counts[0]);
  });

  it('keeps the previous state when aborted between epochs, by a callback or by a timer', async () => {
    const data = randomRatings(5);
    const model = await new ExplicitMF({ factors: 8, iterations: 4, backend: 'js' }).fit(data);
    const before = model.userVector(1);
    const fromCallback = new AbortController();
    await rejectsWith(
      model.fit(randomRatings(6), { signal: fromCallback.signal, onIteration: (r) => r.iteration === 2 && fromCallback.abort() }),
      'ERR_MFREC_ABORTED',
    );
    // The twin yields the event loop between epochs, so a timer can abort a long fit.
    const fromTimer = new AbortController();
    let epochs = 0;
    const long = new ExplicitMF({ factors: 8, iterations: 100_000, backend: 'js' });
    const running = long.fit(data, { signal: fromTimer.signal, onIteration: () => epochs++ });
    setTimeout(() => fromTimer.abort(), 20);
    await rejectsWith(running, 'ERR_MFREC_ABORTED');
    expect(epochs).toBeLessThan(100_000);
    expect(long.isFitted).toBe(false);
    expect(model.userVector(1)).toEqual(before);
    await rejectsWith(model.fit(data, { signal: AbortSignal.abort() }), 'ERR_MFREC_ABORTED');
    expect(model.isTraining).toBe(false);
  });

  it('rejects with ERR_MFREC_DIVERGED when training blows up', async () => {
    const huge = Interactions.fromArrays([1, 2, 3, 1], [1, 2, 3, 2], { values: [1e30, -1e30, 3e30, 2e30] });
    const wild = new ExplicitMF({ factors: 8, learningRate: 1, iterations: 50, initStd: 5, backend: 'js' });
    await rejectsWith(wild.fit(huge), 'ERR_MFREC_DIVERGED');
    expect(wild.isFitted).toBe(false);
  });
});
