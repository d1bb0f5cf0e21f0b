import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, crossValidate, EXPLICIT_MF_DEFAULTS, ExplicitMF, Interactions, mae, randomSplit, rmse, type IterationReport } from '../../../lib/index.js';
import { Rng } from '../../../lib/random.js';
import { sgdBinding } from '../../../lib/addon/sgd.js';
import { lineAlignedFloats } from '../../../lib/models/explicit/aligned-factors.js';

/** Ratings 3 + p_u · q_i (+ noise) of a planted rank-3 model on a random share of the pairs. */
function planted(options: { users?: number; items?: number; density?: number; noise?: number; seed?: number } = {}) {
  const { users = 120, items = 80, density = 0.3, noise = 0, seed = 1 } = options;
  const rng = new Rng(seed);
  const p = Array.from({ length: users * 3 }, () => rng.normal() * 0.6);
  const q = Array.from({ length: items * 3 }, () => rng.normal() * 0.6);
  const u: string[] = [];
  const i: number[] = [];
  const v: number[] = [];
  for (let a = 0; a < users; a++) {
    for (let b = 0; b < items; b++) {
      if (rng.uniform() >= density) continue;
      let r = 3 + noise * rng.normal();
      for (let f = 0; f < 3; f++) r += p[a * 3 + f]! * q[b * 3 + f]!;
      u.push(`user${a}`);
      i.push(b);
      v.push(r);
    }
  }
  return Interactions.fromArrays(u, i, { values: v });
}

const small = { factors: 8, iterations: 5, threads: 1 } as const;

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: 'MfrecError', code });
}

describe('ExplicitMF training', () => {
  it('reaches a low RMSE on a planted low-rank problem with several threads', async () => {
    const { train, test } = randomSplit(planted({ users: 300, items: 200 }), { seed: 3 });
    const reports: IterationReport[] = [];
    const model = await new ExplicitMF({ factors: 8, iterations: 60, threads: 2, regularization: 0.02, learningRate: 0.02, initStd: 0.1 }).fit(train, {
      onIteration: (r) => reports.push(r),
    });
    expect(reports).toHaveLength(60);
    expect(reports.at(-1)!.trainRmse!).toBeLessThan(reports[0]!.trainRmse! / 3);
    const { rmse: testRmse, count } = await model.evaluate(test);
    expect(count).toBe(test.nnz);
    expect(testRmse).toBeLessThan(0.25);
  });

  it('is bit-reproducible with one thread and a seed', async () => {
    const data = planted();
    const users = [...data.entries()].map((e) => e.user);
    const items = [...data.entries()].map((e) => e.item);
    const fit = (seed: number) => new ExplicitMF({ ...small, seed }).fit(data);
    const [a, b, c] = await Promise.all([fit(7), fit(7), fit(8)]);
    expect(a.predictMany(users, items)).toEqual(b.predictMany(users, items));
    expect(a.userVector('user3')).toEqual(b.userVector('user3'));
    expect(a.predictMany(users, items)).not.toEqual(c.predictMany(users, items));
  });

  it('reports every iteration with its fields, validation RMSE included', async () => {
    const { train, test } = randomSplit(planted(), { seed: 1 });
    const reports: IterationReport[] = [];
    await new ExplicitMF({ ...small, iterations: 4 }).fit(train, { validation: test, onIteration: (r) => reports.push(r) });
    expect(reports.map((r) => r.iteration)).toEqual([1, 2, 3, 4]);
    for (const r of reports) {
      expect(r.seconds).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(r.trainRmse)).toBe(true);
      expect(Number.isFinite(r.validationRmse)).toBe(true);
    }
  });

  it('keeps the previous state when aborted, and rejects with ERR_MFREC_ABORTED', async () => {
    const data = planted();
    const model = await new ExplicitMF(small).fit(data);
    const before = model.predictMany(['user1', 'user2'], [1, 2]);
    const controller = new AbortController();
    const other = planted({ seed: 9 });
    await rejectsWith(model.fit(other, { signal: controller.signal, onIteration: (r) => r.iteration === 2 && controller.abort() }), 'ERR_MFREC_ABORTED');
    expect(model.predictMany(['user1', 'user2'], [1, 2])).toEqual(before);
    await rejectsWith(model.fit(other, { signal: AbortSignal.abort() }), 'ERR_MFREC_ABORTED');
    expect(model.isTraining).toBe(false);
  });

  it('refuses a second fit while one runs (ERR_MFREC_BUSY) and serves the previous state meanwhile', async () => {
    const data = planted();
    const model = await new ExplicitMF(small).fit(data);
    const before = model.predict('user1', 1);
    const running = model.fit(data);
    expect(model.isTraining).toBe(true);
    await rejectsWith(model.fit(data), 'ERR_MFREC_BUSY');
    expect(model.predict('user1', 1)).toBe(before);
    await running;
    expect(model.isTraining).toBe(false);
  });

  it('stops early on validation RMSE and restores the best epoch', async () => {
    // Pure noise with no penalty: validation error rises once the model starts memorizing.
    const rng = new Rng(4);
    const u: number[] = [];
    const i: number[] = [];
    const v: number[] = [];
    for (let k = 0; k < 3000; k++) {
      u.push(rng.below(60));
      i.push(rng.below(60));
      v.push(1 + rng.below(5));
    }
    const { train, test } = randomSplit(Interactions.fromArrays(u, i, { values: v, aggregate: 'last' }), { seed: 2 });
    const reports: IterationReport[] = [];
    const model = await new ExplicitMF({
      factors: 32,
      iterations: 200,
      learningRate: 0.05,
      learningRateDecay: 1,
      regularization: 0,
      biasRegularization: 0,
      initStd: 0.1,
      threads: 1,
      clamp: false,
      earlyStopping: { patience: 3 },
    }).fit(train, { validation: test, onIteration: (r) => reports.push(r) });
    expect(reports.length).toBeLessThan(200);
    const validation = reports.map((r) => r.validationRmse!);
    const best = Math.min(...validation);
    const bestAt = validation.indexOf(best);
    expect(reports.length).toBe(bestAt + 1 + 3);
    expect((await model.evaluate(test)).rmse).toBeCloseTo(best, 6);
  });

  it('rejects with ERR_MFREC_DIVERGED when training blows up, keeping the previous state', async () => {
    const data = planted();
    const model = await new ExplicitMF(small).fit(data);
    const before = model.predict('user1', 1);
    const huge = Interactions.fromArrays([1, 2, 3, 1], [1, 2, 3, 2], { values: [1e30, -1e30, 3e30, 2e30] });
    const wild = new ExplicitMF({ ...small, learningRate: 1, iterations: 50, initStd: 5 });
    await rejectsWith(wild.fit(huge), 'ERR_MFREC_DIVERGED');
    expect(wild.isFitted).toBe(false);
    expect(model.predict('user1', 1)).toBe(before);
  });

  it('learns only ids that have ratings: split-shared maps do not create phantom users', async () => {
    const data = Interactions.fromArrays(['a', 'a', 'b', 'c'], ['x', 'y', 'x', 'z'], { values: [5, 3, 4, 1] });
    const train = data.select([0, 1, 2]); // c and z have no training ratings
    const model = await new ExplicitMF(small).fit(train);
    expect(model.userIds).toEqual(['a', 'b']);
    expect(model.itemIds).toEqual(['x', 'y']);
    expect(model.userVector('c')).toBeUndefined();
  });
});

describe('ExplicitMF predictions', () => {
  it("'bias' policy: unknown user → μ + b_i, unknown item → μ + b_u, both → μ", async () => {
    const data = planted();
    const model = await new ExplicitMF({ ...small, clamp: false }).fit(data);
    const mu = model.predict('nobody', 'nothing');
    expect(mu).toBe(Math.fround(data.valueStats().mean));
    const bi = model.predict('nobody', 5) - mu;
    const bu = model.predict('user4', 'nothing') - mu;
    const p = model.userVector('user4')!;
    const q = model.itemVector(5)!;
    const dot = p.reduce((s, x, k) => s + x * q[k]!, 0);
    expect(model.predict('user4', 5)).toBeCloseTo(mu + bu + bi + dot, 5);
    expect(model.predictMany(['nobody', 'user4'], ['nothing', 'nothing'])).toEqual(Float32Array.from([mu, model.predict('user4', 'nothing')]));
  });

  it("'error' policy throws ERR_MFREC_UNKNOWN_ID from predict, predictMany and evaluate", async () => {
    const data = planted();
    const model = await new ExplicitMF({ ...small, unknown: 'error' }).fit(data);
    expect(() => model.predict('nobody', 1)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_ID' }));
    expect(() => model.predict('user1', 'nothing')).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_ID' }));
    expect(() => model.predictMany(['user1', 'nobody'], [1, 1])).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_ID' }));
    await rejectsWith(model.evaluate(Interactions.fromArrays(['nobody'], [1], { values: [3] })), 'ERR_MFREC_UNKNOWN_ID');
    expect(Number.isFinite(model.predict('user1', 1))).toBe(true);
  });

  it('clamps to the training range unless clamp is false', async () => {
    // One user rates everything 5 and one item gets 5 from everyone: their pair predicts above 5.
    const rng = new Rng(2);
    const u: number[] = [];
    const i: number[] = [];
    const v: number[] = [];
    for (let a = 0; a < 30; a++) {
      for (let b = 0; b < 30; b++) {
        if (a === 0 && b === 0) continue;
        u.push(a);
        i.push(b);
        v.push(a === 0 || b === 0 ? 5 : 1 + rng.below(3));
      }
    }
    const data = Interactions.fromArrays(u, i, { values: v });
    const opts = { factors: 4, iterations: 30, threads: 1, biasRegularization: 0 };
    const open = await new ExplicitMF({ ...opts, clamp: false }).fit(data);
    const clamped = await new ExplicitMF(opts).fit(data);
    expect(open.predict(0, 0)).toBeGreaterThan(5);
    expect(clamped.predict(0, 0)).toBe(5);
    const all = clamped.predictMany(u, i);
    expect(Math.max(...all)).toBeLessThanOrEqual(5);
    expect(Math.min(...all)).toBeGreaterThanOrEqual(1);
  });

  it('predictMany matches predict, in parallel for large batches too', async () => {
    const data = planted({ users: 200, items: 150, density: 0.7 });
    const model = await new ExplicitMF({ factors: 8, iterations: 3, threads: 2 }).fit(data);
    const users = [...data.entries()].map((e) => e.user);
    const items = [...data.entries()].map((e) => e.item);
    expect(users.length).toBeGreaterThan(16384);
    const many = model.predictMany(users, items);
    for (let k = 0; k < users.length; k += 997) expect(many[k]).toBe(model.predict(users[k]!, items[k]!));
  });

  it('evaluate agrees with rmse/mae over predictMany', async () => {
    const { train, test } = randomSplit(planted({ noise: 0.3 }), { seed: 5 });
    const model = await new ExplicitMF(small).fit(train);
    const e = [...test.entries()];
    const predicted = model.predictMany(
      e.map((x) => x.user),
      e.map((x) => x.item),
    );
    const actual = e.map((x) => x.value);
    const result = await model.evaluate(test);
    expect(result.rmse).toBeCloseTo(rmse(predicted, actual), 10);
    expect(result.mae).toBeCloseTo(mae(predicted, actual), 10);
    expect(result.count).toBe(test.nnz);
  });
});

describe('ExplicitMF persistence and ranking', () => {
  it('saves and loads: same params, predictions (clamped) and recommendations', async () => {
    const data = planted({ noise: 0.5 });
    const model = await new ExplicitMF(small).fit(data);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mfrec-explicit-')), 'model.mfrec');
    await model.save(file);
    const back = await loadModel(file);
    expect(back).toBeInstanceOf(ExplicitMF);
    expect(back.params).toEqual(model.params);
    const users = ['user1', 'user2', 'nobody'];
    const items = [1, 'nothing', 3];
    expect((back as ExplicitMF).predictMany(users, items)).toEqual(model.predictMany(users, items));
    expect(back.recommend('user1', { k: 5 })).toEqual(model.recommend('user1', { k: 5 }));
  });
});

describe('ExplicitMF options and bad input', () => {
  it('fills every default into a JSON-serializable params object', () => {
    const m = new ExplicitMF({ factors: 16, earlyStopping: { patience: 2 } });
    expect(m.type).toBe('explicit');
    expect(JSON.parse(JSON.stringify(m.params))).toEqual(m.params);
    expect(m.params).toEqual({ ...EXPLICIT_MF_DEFAULTS, factors: 16, earlyStopping: { patience: 2, minDelta: 0 } });
  });

  it.each([
    [{ factors: 1.5 }],
    [{ factors: 0 }],
    [{ factors: -4 }],
    [{ factors: NaN }],
    [{ factors: '10' }],
    [{ factors: 2_000_000 }],
    [{ iterations: 0 }],
    [{ iterations: 2.5 }],
    [{ learningRate: 0 }],
    [{ learningRate: -0.1 }],
    [{ learningRate: NaN }],
    [{ learningRate: Infinity }],
    [{ regularization: -1 }],
    [{ regularization: '0.1' }],
    [{ biasRegularization: NaN }],
    [{ learningRateDecay: 0 }],
    [{ learningRateDecay: 1.5 }],
    [{ initStd: -0.1 }],
    [{ threads: -1 }],
    [{ threads: 2.5 }],
    [{ threads: 300 }],
    [{ seed: -1 }],
    [{ seed: 2 ** 32 }],
    [{ seed: 0.5 }],
    [{ earlyStopping: true }],
    [{ earlyStopping: { patience: 0 } }],
    [{ earlyStopping: { patience: 1, minDelta: -1 } }],
    [{ earlyStopping: {} }],
    [{ unknown: 'ignore' }],
    [{ clamp: 'yes' }],
  ])('rejects %o with ERR_MFREC_INVALID_ARGUMENT', (options) => {
    expect(() => new ExplicitMF(options as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
  });

  it('pins the message template', () => {
    expect(() => new ExplicitMF({ factors: 1.5 })).toThrow('Expected integer in [1, 65536] for factors but received 1.5 of type number');
  });

  it.each([[{ factor: 10 }], [{ learningrate: 0.1 }], [{ earlyStopping: { patience: 1, delta: 0 } }]])(
    'rejects unknown option %o with ERR_MFREC_UNKNOWN_OPTION',
    (options) => {
      expect(() => new ExplicitMF(options as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_OPTION' }));
    },
  );

  it('hints at the closest option name', () => {
    expect(() => new ExplicitMF({ learningrate: 0.1 } as never)).toThrow("Did you mean 'learningRate'?");
  });

  it('rejects bad fit() arguments with their codes', async () => {
    const m = new ExplicitMF(small);
    const data = planted();
    await rejectsWith(m.fit([] as never), 'ERR_MFREC_INVALID_ARGUMENT');
    await rejectsWith(m.fit(Interactions.fromArrays([], [])), 'ERR_MFREC_EMPTY_DATA');
    await rejectsWith(m.fit(data, { onIteraton: () => undefined } as never), 'ERR_MFREC_UNKNOWN_OPTION');
    await rejectsWith(m.fit(data, { onIteration: 5 } as never), 'ERR_MFREC_INVALID_ARGUMENT');
    await rejectsWith(m.fit(data, { validation: [] } as never), 'ERR_MFREC_INVALID_ARGUMENT');
    await rejectsWith(m.fit(data, { signal: {} } as never), 'ERR_MFREC_INVALID_ARGUMENT');
    await rejectsWith(new ExplicitMF({ ...small, earlyStopping: { patience: 2 } }).fit(data), 'ERR_MFREC_INVALID_ARGUMENT');
    expect(m.isFitted).toBe(false);
  });

  it('refuses factor counts whose matrices would not fit, before allocating', async () => {
    const users = Array.from({ length: 100_000 }, (_, k) => k);
    const data = Interactions.fromArrays(
      users,
      users.map(() => 0),
      { values: users.map(() => 3) },
    );
    const p = new ExplicitMF({ factors: 65536, threads: 1 }).fit(data);
    await rejectsWith(p, 'ERR_MFREC_OUT_OF_MEMORY');
    await expect(p).rejects.toThrow(/needs [\d,]+ bytes \([0-9.]+ [GT]iB\) .* use fewer factors/);
  });

  it('counts no line-aligned copy of the factors at multiples of 16 factors: the fit allocates them on cache lines', async () => {
    const users = Array.from({ length: 100_000 }, (_, k) => k);
    const data = Interactions.fromArrays(
      users,
      users.map(() => 0),
      { values: users.map(() => 3) },
    );
    const copies = async (factors: number) => {
      const error = await new ExplicitMF({ factors, threads: 1 }).fit(data).catch((e: Error) => e);
      return Number(/(\d+) copies while training/.exec(String(error))?.[1]);
    };
    const unaligned = await copies(65535);
    expect(unaligned).toBeGreaterThanOrEqual(1);
    expect(await copies(65536)).toBe(unaligned);
  });

  it('trains factor arrays that start on a 64-byte cache line, so the native epoch needs no aligned copy', async () => {
    const { train } = randomSplit(planted(), { seed: 1 });
    for (const factors of [16, 64]) {
      const m = await new ExplicitMF({ ...small, factors, iterations: 1 }).fit(train);
      const state = (m as unknown as { state: { userFactors: Float32Array; itemFactors: Float32Array } }).state;
      expect(sgdBinding().sgdLineOffset(state.userFactors)).toBe(0);
      expect(sgdBinding().sgdLineOffset(state.itemFactors)).toBe(0);
    }
  });

  it('places factor arrays on cache lines at every length, zeroed', () => {
    for (const length of [0, 1, 3, 16, 1000, 1 << 20]) {
      const a = lineAlignedFloats(length);
      expect(a.length).toBe(length);
      expect(a.every((x) => x === 0)).toBe(true);
      if (length > 0) expect(sgdBinding().sgdLineOffset(a)).toBe(0);
    }
    // The helper itself: a view 4 bytes further lies 4 bytes further past the line.
    const a = lineAlignedFloats(32);
    expect(sgdBinding().sgdLineOffset(a.subarray(1))).toBe(4);
  });

  it('rejects bad prediction inputs with their codes', async () => {
    const fresh = new ExplicitMF(small);
    expect(() => fresh.predict('a', 'b')).toThrow(expect.objectContaining({ code: 'ERR_MFREC_NOT_FITTED' }));
    await rejectsWith(fresh.evaluate(planted()), 'ERR_MFREC_NOT_FITTED');
    const m = await new ExplicitMF(small).fit(planted());
    const code = 'ERR_MFREC_INVALID_ARGUMENT';
    expect(() => m.predictMany(['user1', 'user2'], [1])).toThrow(expect.objectContaining({ code }));
    expect(() => m.predictMany(['user1'], [NaN])).toThrow(expect.objectContaining({ code }));
    expect(() => m.predictMany('user1' as never, [1])).toThrow(expect.objectContaining({ code }));
    expect(() => m.predict({} as never, 1)).toThrow(expect.objectContaining({ code }));
    expect(() => m.predict('user1', NaN)).toThrow(expect.objectContaining({ code }));
    await rejectsWith(m.evaluate(Interactions.fromArrays([], [])), 'ERR_MFREC_EMPTY_DATA');
    await rejectsWith(m.evaluate({} as never), code);
  });
});

describe('rating metrics', () => {
  it('computes RMSE and MAE', () => {
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(mae([1, 2, 3], [2, 2, 5])).toBeCloseTo(1, 12);
  });

  it('rejects mismatched, empty and non-numeric input', () => {
    expect(() => rmse([1, 2], [1])).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
    expect(() => mae([], [])).toThrow(expect.objectContaining({ code: 'ERR_MFREC_EMPTY_DATA' }));
    expect(() => rmse([NaN], [1])).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
    expect(() => rmse(5 as never, [1])).toThrow(expect.objectContaining({ code: 'ERR_MFREC_INVALID_ARGUMENT' }));
  });
});

describe('crossValidate', () => {
  it('trains a fresh model per fold and averages the folds', async () => {
    const data = planted({ noise: 0.2 });
    let created = 0;
    const cv = await crossValidate(() => (created++, new ExplicitMF(small)), data, { folds: 3, seed: 1 });
    expect(created).toBe(3);
    expect(cv.folds).toHaveLength(3);
    for (const f of cv.folds) {
      expect(f.rmse).toBeGreaterThan(0);
      expect(f.mae).toBeLessThanOrEqual(f.rmse);
      expect(f.seconds).toBeGreaterThanOrEqual(0);
    }
    expect(cv.mean.rmse).toBeCloseTo(cv.folds.reduce((s, f) => s + f.rmse, 0) / 3, 12);
  });

  it('rejects a bad factory, bad data and bad options', async () => {
    const data = planted();
    await rejectsWith(crossValidate(5 as never, data), 'ERR_MFREC_INVALID_ARGUMENT');
    await rejectsWith(crossValidate((() => ({})) as never, data), 'ERR_MFREC_INVALID_ARGUMENT');
    await rejectsWith(
      crossValidate(() => new ExplicitMF(small), [] as never),
      'ERR_MFREC_INVALID_ARGUMENT',
    );
    await rejectsWith(
      crossValidate(() => new ExplicitMF(small), data, { folds: 1 }),
      'ERR_MFREC_INVALID_ARGUMENT',
    );
    await rejectsWith(
      crossValidate(() => new ExplicitMF(small), data, { fold: 3 } as never),
      'ERR_MFREC_UNKNOWN_OPTION',
    );
  });
});
