import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExplicitMF, Interactions, loadModel, type FoldedVector } from '../../../lib/index.js';
import { foldInBinding } from '../../../lib/addon/fold-in.js';
import { Rng } from '../../../lib/random.js';
import type { BiasedRidgeProblem } from '../../../lib/addon/fold-in.js';
import { solveBiasedRidge } from '../../../lib/twins/fold-in.js';

/** Ratings 3 + b_u + b_i + p_u · q_i (+ noise) of a planted rank-3 model; `keep` picks the pairs. */
function planted(options: { users?: number; items?: number; density?: number; noise?: number; seed?: number } = {}) {
  const { users = 150, items = 100, density = 0.3, noise = 0.1, seed = 1 } = options;
  const rng = new Rng(seed);
  const p = Array.from({ length: users * 3 }, () => rng.normal() * 0.7);
  const q = Array.from({ length: items * 3 }, () => rng.normal() * 0.7);
  const bu = Array.from({ length: users }, () => rng.normal() * 0.3);
  const bi = Array.from({ length: items }, () => rng.normal() * 0.3);
  const entries: Array<{ user: string; item: number; value: number }> = [];
  for (let a = 0; a < users; a++) {
    for (let b = 0; b < items; b++) {
      if (rng.uniform() >= density) continue;
      let r = 3 + bu[a]! + bi[b]! + noise * rng.normal();
      for (let f = 0; f < 3; f++) r += p[a * 3 + f]! * q[b * 3 + f]!;
      entries.push({ user: `user${a}`, item: b, value: r });
    }
  }
  return entries;
}

function toInteractions(entries: Array<{ user: string; item: number; value: number }>): Interactions {
  return Interactions.fromArrays(
    entries.map((e) => e.user),
    entries.map((e) => e.item),
    { values: entries.map((e) => e.value) },
  );
}

function rmseOf(predicted: number[], actual: number[]): number {
  return Math.sqrt(predicted.reduce((s, p, k) => s + (p - actual[k]!) ** 2, 0) / predicted.length);
}

const trainOptions = { factors: 8, iterations: 150, threads: 1, learningRate: 0.02, regularization: 0.05, initStd: 0.1, clamp: false } as const;

describe('fold-in kernel', () => {
  function randomProblem(seed: number, k: number, rows: number, n: number, vectorPenalty: number, biasPenalty: number): BiasedRidgeProblem {
    const rng = new Rng(seed);
    return {
      vectors: Float32Array.from({ length: rows * k }, () => rng.normal() * 0.3),
      factors: k,
      rows: Int32Array.from({ length: n }, () => rng.below(rows)),
      targets: Float64Array.from({ length: n }, () => rng.normal()),
      vectorPenalty,
      biasPenalty,
    };
  }

  it.each([
    [1, 5, 4, 1, 1],
    [5, 30, 40, 2.5, 0.7],
    [16, 50, 3, 0.5, 2],
    [16, 50, 3, 0, 0], // singular: no penalty, fewer ratings than unknowns
    [128, 300, 120, 3, 4],
    [7, 10, 0, 1, 1],
  ])('native equals the TypeScript twin (k=%i, %i rows, %i ratings, penalties %d/%d)', (k, rows, n, vp, bp) => {
    const p = randomProblem(k * 31 + n, k, rows, n, vp, bp);
    const native = foldInBinding().foldInSolve(p, new Float32Array(k + 1));
    const twin = solveBiasedRidge(p, new Float32Array(k + 1));
    expect(native).toEqual(twin);
    for (const v of native) expect(Number.isFinite(v)).toBe(true);
  });

  it('checks lengths and row indices instead of reading out of bounds', () => {
    const p = randomProblem(1, 4, 10, 5, 1, 1);
    const code = 'ERR_MFREC_INVALID_ARGUMENT';
    expect(() => foldInBinding().foldInSolve(p, new Float32Array(4))).toThrow(expect.objectContaining({ code }));
    expect(() => foldInBinding().foldInSolve({ ...p, rows: Int32Array.of(0, 10), targets: Float64Array.of(1, 2) }, new Float32Array(5))).toThrow(
      expect.objectContaining({ code }),
    );
    expect(() => foldInBinding().foldInSolve({ ...p, targets: new Float64Array(4) }, new Float32Array(5))).toThrow(expect.objectContaining({ code }));
    expect(() => solveBiasedRidge({ ...p, rows: Int32Array.of(-1), targets: Float64Array.of(1) }, new Float32Array(5))).toThrow(RangeError);
  });
});

describe('ExplicitMF fold-in', () => {
  it('folding in a training user from their ratings lands close to the trained model, heavy and light users alike', async () => {
    // Skewed activity makes the frequency scaling of the penalties matter:
    // without it the heavy users' fold-in would be off by about 0.06 and the light ones' by 0.1 to 0.4.
    const rng = new Rng(3);
    const p = Array.from({ length: 150 * 3 }, () => rng.normal() * 0.7);
    const q = Array.from({ length: 100 * 3 }, () => rng.normal() * 0.7);
    const entries: Array<{ user: string; item: number; value: number }> = [];
    for (let a = 0; a < 150; a++) {
      const density = a % 10 === 0 ? 0.9 : a % 10 === 1 ? 0.04 : 0.25;
      for (let b = 0; b < 100; b++) {
        if (rng.uniform() >= density) continue;
        let r = 3 + 0.3 * rng.normal();
        for (let f = 0; f < 3; f++) r += p[a * 3 + f]! * q[b * 3 + f]!;
        entries.push({ user: `user${a}`, item: b, value: r });
      }
    }
    const model = await new ExplicitMF({ ...trainOptions, regularization: 0.2, biasRegularization: 0.3 }).fit(toInteractions(entries));
    const meanDifference = (user: string): number => {
      const mine = entries.filter((e) => e.user === user);
      const folded = model.recalculateUser({ items: mine.map((e) => e.item), values: mine.map((e) => e.value) });
      let sum = 0;
      for (const item of model.itemIds) sum += Math.abs(model.predictFor(folded, item) - model.predict(user, item));
      return sum / model.itemIds.length;
    };
    for (const user of ['user0', 'user10', 'user2', 'user3']) expect(meanDifference(user)).toBeLessThan(0.01);
    for (const user of ['user1', 'user11']) expect(meanDifference(user)).toBeLessThan(0.1);
  });

  it('serves new users far better than the bias-only fallback on held-out ratings', async () => {
    const entries = planted({ users: 200 });
    const isNew = (user: string) => Number(user.slice(4)) >= 170;
    const model = await new ExplicitMF(trainOptions).fit(toInteractions(entries.filter((e) => !isNew(e.user))));
    const folded: number[] = [];
    const fallback: number[] = [];
    const actual: number[] = [];
    for (let a = 170; a < 200; a++) {
      const mine = entries.filter((e) => e.user === `user${a}`);
      const cut = Math.floor(mine.length * 0.6);
      const known = mine.slice(0, cut);
      const vector = model.recalculateUser({ items: known.map((e) => e.item), values: known.map((e) => e.value) });
      for (const e of mine.slice(cut)) {
        folded.push(model.predictFor(vector, e.item));
        fallback.push(model.predict(e.user, e.item)); // unknown user: μ + b_i
        actual.push(e.value);
      }
    }
    const foldedRmse = rmseOf(folded, actual);
    const fallbackRmse = rmseOf(fallback, actual);
    expect(foldedRmse).toBeLessThan(0.5 * fallbackRmse);
    expect(foldedRmse).toBeLessThan(0.35);
  });

  it('folds in new items against the fixed users', async () => {
    const entries = planted({ items: 120 });
    const isNew = (item: number) => item >= 100;
    const model = await new ExplicitMF(trainOptions).fit(toInteractions(entries.filter((e) => !isNew(e.item))));
    const folded: number[] = [];
    const fallback: number[] = [];
    const actual: number[] = [];
    for (let b = 100; b < 120; b++) {
      const mine = entries.filter((e) => e.item === b);
      const cut = Math.floor(mine.length * 0.6);
      const known = mine.slice(0, cut);
      const vector = model.recalculateItem({ users: known.map((e) => e.user), values: known.map((e) => e.value) });
      for (const e of mine.slice(cut)) {
        folded.push(model.predictFor(e.user, vector));
        fallback.push(model.predict(e.user, e.item)); // unknown item: μ + b_u
        actual.push(e.value);
      }
    }
    expect(rmseOf(folded, actual)).toBeLessThan(0.5 * rmseOf(fallback, actual));
  });

  it('predictFor takes ids like predict, and folded vectors on either side or both', async () => {
    const entries = planted({ users: 40, items: 30 });
    const model = await new ExplicitMF({ factors: 4, iterations: 5, threads: 1, clamp: false }).fit(toInteractions(entries));
    for (const [user, item] of [
      ['user3', 0],
      ['user3', 17],
      ['user8', 'nothing'],
      ['nobody', 5],
    ] as const) {
      expect(model.predictFor(user, item)).toBe(model.predict(user, item));
    }
    // Zero factors and bias add nothing: the unknown-user fallback μ + b_i, exactly.
    const zero: FoldedVector = { bias: 0, factors: new Float32Array(4) };
    expect(model.predictFor(zero, 5)).toBe(model.predict('nobody', 5));
    expect(model.predictFor('user3', zero)).toBe(model.predict('user3', 'nothing'));
    const u = model.recalculateUser({ items: [1, 2, 3], values: [5, 1, 4] });
    const i = model.recalculateItem({ users: ['user1', 'user2'], values: [2, 5] });
    const mu = model.predict('nobody', 'nothing');
    const dot = u.factors.reduce((s, x, f) => s + x * i.factors[f]!, 0);
    expect(model.predictFor(u, i)).toBeCloseTo(mu + u.bias + i.bias + dot, 5);
  });

  it('ignores unknown items; with none known the folded user predicts like an unknown one', async () => {
    const entries = planted({ users: 40, items: 30 });
    const model = await new ExplicitMF({ factors: 4, iterations: 5, threads: 1, unknown: 'error' }).fit(toInteractions(entries));
    const a = model.recalculateUser({ items: [1, 2, 3], values: [4, 2, 5] });
    const b = model.recalculateUser({ items: [1, 'ghost', 2, 3, 'ghost2'], values: [4, 1, 2, 5, 1] });
    expect(b).toEqual(a);
    const none = model.recalculateUser({ items: ['ghost'], values: [5] });
    expect(none.bias).toBe(0);
    expect(none.factors).toEqual(new Float32Array(4));
    const empty = model.recalculateUser({ items: [], values: [] });
    expect(empty).toEqual(none);
    expect(model.recalculateItem({ users: ['ghost'], values: [3] })).toEqual(none);
  });

  it('recommendFor ranks items by the folded prediction, with exclude and candidates', async () => {
    const entries = planted({ users: 60, items: 40 });
    const model = await new ExplicitMF({ factors: 6, iterations: 20, threads: 1, clamp: false }).fit(toInteractions(entries));
    const v = model.recalculateUser({ items: [0, 1, 2, 3], values: [5, 1, 4, 2] });
    const all = model.recommendFor(v, { k: 1000 });
    expect(all).toHaveLength(40);
    for (const r of all) expect(r.score).toBeCloseTo(model.predictFor(v, r.item), 4);
    for (let j = 1; j < all.length; j++) expect(all[j]!.score).toBeLessThanOrEqual(all[j - 1]!.score);
    const top = model.recommendFor(v, { k: 5, exclude: [0, 1, 2, 3] });
    expect(top).toEqual(all.filter((r) => ![0, 1, 2, 3].includes(r.item as number)).slice(0, 5));
    const some = model.recommendFor(v, { candidates: [7, 9, 'ghost'] });
    expect(some.map((r) => r.item).sort()).toEqual([7, 9]);
    expect(model.recommendFor(v)).toHaveLength(10);
  });

  it('gives the same result after save and load', async () => {
    const entries = planted({ users: 50, items: 30 });
    const model = await new ExplicitMF({ factors: 4, iterations: 5, threads: 1 }).fit(toInteractions(entries));
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mfrec-fold-')), 'model.mfrec');
    await model.save(file);
    const back = (await loadModel(file)) as ExplicitMF;
    const ratings = { items: [3, 4, 5, 9], values: [1, 5, 3, 4] };
    expect(back.recalculateUser(ratings)).toEqual(model.recalculateUser(ratings));
    const byUsers = { users: ['user1', 'user2'], values: [2, 4] };
    expect(back.recalculateItem(byUsers)).toEqual(model.recalculateItem(byUsers));
  });

  it('rejects bad input with its code', async () => {
    const code = 'ERR_MFREC_INVALID_ARGUMENT';
    const fresh = new ExplicitMF({ factors: 4 });
    expect(() => fresh.recalculateUser({ items: [1], values: [3] })).toThrow(expect.objectContaining({ code: 'ERR_MFREC_NOT_FITTED' }));
    expect(() => fresh.predictFor({ bias: 0, factors: new Float32Array(4) }, 1)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_NOT_FITTED' }));
    const model = await new ExplicitMF({ factors: 4, iterations: 3, threads: 1, unknown: 'error' }).fit(toInteractions(planted({ users: 30, items: 20 })));
    const bad: unknown[] = [
      undefined,
      null,
      [1, 2],
      { items: [1, 2], values: [3] },
      { items: [1], values: [NaN] },
      { items: [1], values: ['3'] },
      { items: [1], values: 3 },
      { items: 1, values: [3] },
      { items: [NaN], values: [3] },
      { items: [{}], values: [3] },
      { values: [3] },
      { items: [1] },
      { items: [1, 2], values: [1e300, -1e300] }, // the solution overflows float32
    ];
    for (const ratings of bad) expect(() => model.recalculateUser(ratings as never)).toThrow(expect.objectContaining({ code }));
    expect(() => model.recalculateUser({ items: [1], values: [3], weights: [1] } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_OPTION' }),
    );
    expect(() => model.recalculateItem({ items: ['user1'], values: [3] } as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_OPTION' }));
    expect(() => model.recalculateUser({ items: [1], values: [NaN] })).toThrow(
      'Expected a finite number for ratings.values[0] but received NaN of type number',
    );
    const good = model.recalculateUser({ items: [1, 2], values: [3, 4] });
    const folds: unknown[] = [
      null,
      { bias: 0 },
      { bias: NaN, factors: new Float32Array(4) },
      { bias: '0', factors: new Float32Array(4) },
      { bias: 0, factors: new Float32Array(3) },
      { bias: 0, factors: new Float64Array(4) },
      { bias: 0, factors: [0, 0, 0, 0] },
    ];
    for (const f of folds) {
      expect(() => model.predictFor(f as never, 1)).toThrow(expect.objectContaining({ code }));
      expect(() => model.predictFor('user1', f as never)).toThrow(expect.objectContaining({ code }));
      expect(() => model.recommendFor(f as never)).toThrow(expect.objectContaining({ code }));
    }
    expect(() => model.predictFor(good, 'ghost')).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_ID' }));
    expect(() => model.predictFor(good, NaN)).toThrow(expect.objectContaining({ code }));
    expect(() => model.recommendFor(good, { k: 0 })).toThrow(expect.objectContaining({ code }));
    expect(() => model.recommendFor(good, { filterSeen: true } as never)).toThrow(expect.objectContaining({ code: 'ERR_MFREC_UNKNOWN_OPTION' }));
  });
});
