import { describe, expect, it } from 'vitest';
import { IdMap } from '../../lib/data/id-map.js';
import { Interactions } from '../../lib/data/interactions.js';
import { randomSplit } from '../../lib/data/split.js';
import { ErrorCodes } from '../../lib/errors.js';
import { modelScorer, popularityScorer } from '../../lib/eval/compare-ranking.js';
import { evaluateRanking, type UserScorer } from '../../lib/eval/ranking.js';
import { ExplicitMF } from '../../lib/models/explicit/explicit-mf.js';
import { FactorModel } from '../../lib/models/base/factor-model.js';
import { ImplicitALS } from '../../lib/models/als/implicit-als.js';
import { usersPerItem } from '../../lib/models/popularity/popularity.js';
import { histogram } from '../../lib/report/histogram.js';
import { metricCurves, topItems } from '../../lib/report/metric-curves.js';
import { buildReportData, type ReportData } from '../../lib/report/report-data.js';
import { trialsSection } from '../../lib/report/trials.js';
import { randomInteractions, randomState } from '../helpers/hand-made-model.js';
import { errorCode } from '../helpers/support.js';

/**
 * A model whose score for every user is the item's fixed value:
 * a=5, b=4, c=3, d=2, e=1 (one factor, user factors 1).
 * Train: u1 {a, e}, u2 {a, b}, u3 {b, c, d}; test: u1 {c}, u2 {d}, u3 {a}.
 * Item map order (first seen): a, e, b, c, d.
 */
function tinyExample() {
  const train = Interactions.fromArrays(['u1', 'u1', 'u2', 'u2', 'u3', 'u3', 'u3'], ['a', 'e', 'a', 'b', 'b', 'c', 'd']);
  const test = Interactions.fromArrays(['u1', 'u2', 'u3'], ['c', 'd', 'a'], { users: train.users, items: train.items });
  const value: Record<string, number> = { a: 5, b: 4, c: 3, d: 2, e: 1 };
  const model = FactorModel.restore(new ImplicitALS({ factors: 1 }), {
    factors: 1,
    users: train.users.clone(),
    items: train.items.clone(),
    userFactors: new Float32Array([1, 1, 1]),
    itemFactors: Float32Array.from(train.items.toArray(), (id) => value[id]!),
    seen: train.byUser,
    itemPopularity: usersPerItem(train.byUser),
  });
  return { train, test, model };
}

const log2 = Math.log2;

describe('metricCurves', () => {
  it('equals evaluateRanking at every k, for a model and for popularity', () => {
    const data = randomInteractions(7, 60, 45, 0.12);
    const { train, test } = randomSplit(data, { testFraction: 0.25, seed: 3 });
    const model = FactorModel.restore(new ImplicitALS({ factors: 4 }), randomState(11, train, 4));
    const popular = popularityScorer(train);
    for (const scorer of [modelScorer(model, train, popular), popular]) {
      const curves = metricCurves(scorer, train, test, { maxK: 12 });
      expect(curves.ks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      for (const k of curves.ks) {
        const m = evaluateRanking(scorer, train, test, { k });
        expect(curves.users).toBe(m.users);
        for (const key of ['precision', 'recall', 'ndcg', 'map', 'hitRate'] as const) {
          expect(curves[key][k - 1]).toBeCloseTo(m[key], 12);
        }
      }
    }
  });

  it('reproduces the worked example of docs/metrics.md at k = 1, 2, 3', () => {
    const items = ['i0', 'i1', 'i2', 'i3', 'i4', 'i5'];
    const itemMap = new IdMap(items);
    const train = Interactions.fromArrays(['u'], ['i0'], { items: itemMap });
    const test = Interactions.fromArrays(['u', 'u'], ['i1', 'i3'], { users: train.users, items: itemMap });
    const scores = [10, 5, 6, 1, 4, 0];
    const seen: number[][] = [];
    const c = metricCurves((_u, out) => out.set(scores), train, test, {
      maxK: 3,
      onRanked: (r) => seen.push([...r.items, -1, ...r.heldOut]),
    });
    expect(c.precision[2]).toBeCloseTo(1 / 3, 12);
    expect(c.recall[2]).toBeCloseTo(1 / 2, 12);
    expect(c.ndcg[2]).toBeCloseTo(1 / log2(3) / (1 + 1 / log2(3)), 12);
    expect(c.map[2]).toBeCloseTo(0.25, 12);
    // k = 1: the top item i2 is not held out; k = 2: i1 is a hit at rank 2.
    expect(c.precision.slice(0, 2)).toEqual([0, 0.5]);
    expect(c.hitRate).toEqual([0, 1, 1]);
    expect(seen).toEqual([[2, 1, 4, -1, 1, 3]]);
  });

  it('ranks NaN last and breaks ties to the lower index; topItems agrees', () => {
    const itemMap = new IdMap(['a', 'b', 'c', 'd']);
    const train = Interactions.fromArrays(['u'], ['d'], { items: itemMap });
    const test = Interactions.fromArrays(['u'], ['c'], { users: train.users, items: itemMap });
    const scorer: UserScorer = (_u, out) => out.set([NaN, 1, 1, 9]);
    let ranked: number[] = [];
    metricCurves(scorer, train, test, { maxK: 3, onRanked: (r) => (ranked = [...r.items]) });
    expect(ranked).toEqual([1, 2, 0]);
    expect(topItems(scorer, train, 0, 3)).toEqual([
      { item: 1, score: 1 },
      { item: 2, score: 1 },
      { item: 0, score: -Infinity },
    ]);
  });

  it('rejects bad input with typed errors', async () => {
    const { train, test } = tinyExample();
    const other = Interactions.fromArrays(['u1'], ['a']);
    const scorer: UserScorer = () => undefined;
    expect(await errorCode(() => metricCurves(scorer, train, other))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => metricCurves(scorer, train, test, { maxK: 0 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => metricCurves(scorer, train, test, { maxk: 3 } as never))).toBe(ErrorCodes.UNKNOWN_OPTION);
    const nothingHeld = Interactions.fromArrays(['u1'], ['a'], { users: train.users, items: train.items });
    expect(await errorCode(() => metricCurves(scorer, train, nothingHeld))).toBe(ErrorCodes.EMPTY_DATA);
  });
});

describe('histogram', () => {
  it('bins every series over the shared range, the maximum in the last bin, non-finite values left out', () => {
    const h = histogram(
      [
        [0, 1, 2, 3, 4],
        [4, NaN, Infinity],
      ],
      4,
    );
    expect(h.edges).toEqual([0, 1, 2, 3, 4]);
    expect(h.counts).toEqual([
      [1, 1, 1, 2],
      [0, 0, 0, 1],
    ]);
    expect(histogram([[2, 2]], 3)).toEqual({ edges: [1.5, 1.5 + 1 / 3, 1.5 + 2 / 3, 2.5], counts: [[0, 2, 0]] });
    expect(histogram([[NaN]], 3)).toEqual({ edges: [], counts: [[]] });
  });
});

describe('buildReportData', () => {
  const generatedAt = new Date('2026-01-02T03:04:05Z');

  function tinyReport(extra: Partial<Parameters<typeof buildReportData>[0]> = {}): ReportData {
    const { train, test, model } = tinyExample();
    return buildReportData({
      model,
      train,
      test,
      k: 2,
      maxK: 3,
      generatedAt,
      itemNames: new Map([
        ['a', 'Apple'],
        ['b', '<Banana>'],
      ]),
      ...extra,
    });
  }

  it('computes curves, coverage, deciles, scores and examples of a known example', () => {
    const d = tinyReport();
    expect(d).toMatchObject({
      title: 'mfrec report',
      generatedAt: '2026-01-02T03:04:05.000Z',
      k: 2,
      model: { type: 'als', factors: 1, users: 3, items: 5 },
      data: { users: 3, items: 5, trainInteractions: 7, testInteractions: 3 },
      training: null,
      ratingErrors: null,
      trials: null,
    });
    const r = d.ranking!;
    expect(r.users).toBe(3);
    // Model top lists: u1 (b, c✓, d), u2 (c, d✓, e), u3 (a✓, e).
    expect(r.curves.model.ks).toEqual([1, 2, 3]);
    const close = (a: number[], b: number[]) => b.forEach((x, j) => expect(a[j]).toBeCloseTo(x, 12));
    close(r.curves.model.precision, [1 / 3, 1 / 2, 1 / 3]);
    expect(r.curves.model.recall).toEqual([1 / 3, 1, 1]);
    expect(r.curves.model.ndcg[1]).toBeCloseTo((2 / log2(3) + 1) / 3, 12);
    // Popularity (a=2, b=2, e=1, c=1, d=1; ties to the lower index a, e, b, c, d): u1 (b, c✓, d), u2 (e, c, d✓), u3 (a✓, e).
    expect(r.curves.popularity.recall).toEqual([1 / 3, 2 / 3, 1]);
    // Top-2 items: model {b, c, c, d, a, e} covers all 5; popularity {b, c, e, c, a, e} covers 4.
    expect(r.coverage).toEqual({ model: 1, popularity: 0.8 });
    // Popularity order a, b, e, c, d falls into deciles 0, 2, 4, 6, 8 (five items over ten deciles).
    const at = (shares: number[]) => [shares[0], shares[2], shares[4], shares[6], shares[8]];
    expect(at(r.popularityDeciles.training)).toEqual([2 / 7, 2 / 7, 1 / 7, 1 / 7, 1 / 7]);
    expect(at(r.popularityDeciles.model)).toEqual([1 / 6, 1 / 6, 1 / 6, 2 / 6, 1 / 6]);
    expect(at(r.popularityDeciles.popularity)).toEqual([1 / 6, 1 / 6, 2 / 6, 2 / 6, 0]);
    for (const shares of Object.values(r.popularityDeciles)) {
      expect(shares).toHaveLength(10);
      expect([1, 3, 5, 7, 9].map((j) => shares[j])).toEqual([0, 0, 0, 0, 0]);
    }
    // Scores: top-2 recommended [4, 3, 3, 2, 5, 1]; held-out items [3, 2, 5].
    expect(r.scores.series).toEqual(['recommended', 'heldOut']);
    expect(r.scores.edges).toHaveLength(31);
    expect(r.scores.edges[0]).toBe(1);
    expect(r.scores.edges[30]).toBe(5);
    expect(r.scores.counts.map((c) => c.reduce((s, x) => s + x, 0))).toEqual([6, 3]);
    expect(r.scores.counts[1]![29]).toBe(1);

    // No user has 3 training items and a test item except u3, so every user with a test item is shown.
    expect(d.examples).toEqual([
      {
        user: 'u1',
        bought: [
          { item: 'a', name: 'Apple' },
          { item: 'e', name: 'e' },
        ],
        recommended: [
          { item: 'b', name: '<Banana>', score: 4, heldOut: false },
          { item: 'c', name: 'c', score: 3, heldOut: true },
        ],
        heldOutCount: 1,
      },
      {
        user: 'u2',
        bought: [
          { item: 'a', name: 'Apple' },
          { item: 'b', name: '<Banana>' },
        ],
        recommended: [
          { item: 'c', name: 'c', score: 3, heldOut: false },
          { item: 'd', name: 'd', score: 2, heldOut: true },
        ],
        heldOutCount: 1,
      },
      {
        user: 'u3',
        bought: [
          { item: 'b', name: '<Banana>' },
          { item: 'c', name: 'c' },
          { item: 'd', name: 'd' },
        ],
        recommended: [
          { item: 'a', name: 'Apple', score: 5, heldOut: true },
          { item: 'e', name: 'e', score: 1, heldOut: false },
        ],
        heldOutCount: 1,
      },
    ]);
  });

  it('is plain JSON: a round trip gives the same object', () => {
    const d = tinyReport({
      iterations: [
        { iteration: 1, seconds: 0.5, trainLoss: 2 },
        { iteration: 2, seconds: 0.25, trainLoss: Number.NaN },
      ],
      trials: [{ id: 1, params: { factors: 8 }, score: 0.1 }],
    });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.training).toEqual([
      { iteration: 1, seconds: 0.5, trainLoss: 2, trainRmse: null, validationRmse: null },
      { iteration: 2, seconds: 0.25, trainLoss: null, trainRmse: null, validationRmse: null },
    ]);
  });

  it('takes item names from a plain object; a limited example list prefers users with 3+ training items', () => {
    const d = tinyReport({ itemNames: { c: 'Cherry' }, examples: 1 });
    expect(d.examples.map((e) => e.user)).toEqual(['u3']);
    expect(d.examples[0]!.bought.map((r) => r.name)).toEqual(['b', 'Cherry', 'd']);
    expect(tinyReport({ examples: 0 }).examples).toEqual([]);
  });

  it('explicit models get the rating-error histogram instead of ranking sections', async () => {
    const users: string[] = [];
    const items: string[] = [];
    const values: number[] = [];
    for (let u = 0; u < 30; u++) {
      for (let i = 0; i < 20; i++) {
        if ((u * 7 + i * 3) % 5 === 0) continue;
        users.push(`u${u}`);
        items.push(`i${i}`);
        values.push(u % 2 === i % 2 ? 5 : 1);
      }
    }
    const { train, test } = randomSplit(Interactions.fromArrays(users, items, { values }), { testFraction: 0.2, seed: 5 });
    const model = new ExplicitMF({ factors: 4, iterations: 15, threads: 1, seed: 3 });
    const iterations: Array<{ iteration: number; seconds: number; trainRmse?: number }> = [];
    await model.fit(train, { onIteration: (r) => iterations.push(r) });
    const d = buildReportData({ model, train, test, iterations, examples: 2 });
    expect(d.ranking).toBeNull();
    expect(d.training).toHaveLength(15);
    expect(d.training!.every((p) => p.trainRmse !== null && p.trainLoss === null)).toBe(true);
    const e = d.ratingErrors!;
    const measured = await model.evaluate(test);
    expect(e.count).toBe(test.nnz);
    expect(e.rmse).toBeCloseTo(measured.rmse, 5);
    expect(e.mae).toBeCloseTo(measured.mae, 5);
    expect(e.residuals.counts[0]!.reduce((s, x) => s + x, 0)).toBe(test.nnz);
    expect(d.examples).toHaveLength(2);
  });

  it('rejects bad input with typed errors', async () => {
    const { train, test, model } = tinyExample();
    const other = Interactions.fromArrays(['u1'], ['a']);
    expect(await errorCode(() => buildReportData({ model, train, test: other }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => buildReportData({ model: {} as never, train, test }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => buildReportData({ model: new ImplicitALS(), train, test }))).toBe(ErrorCodes.NOT_FITTED);
    expect(await errorCode(() => buildReportData({ model, train, test, k: 0 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => buildReportData({ model, train, test, examples: 51 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => buildReportData({ model, train, test, itemNames: 'x' as never }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => buildReportData({ model, train, test, generatedAt: new Date('x') }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => buildReportData({ model, train, test, trial: [] } as never))).toBe(ErrorCodes.UNKNOWN_OPTION);
  });
});

describe('trialsSection', () => {
  const trials = [
    { id: 1, params: { factors: 8, regularization: 0.001, solver: 'cg', seed: 1 }, score: 0.91, seconds: 1.5, iterations: 10, metrics: { mae: 0.7 } },
    { id: 2, params: { factors: 16, regularization: 0.1, solver: 'cholesky', seed: 1 }, score: 0.88, seconds: 2 },
    { id: 3, params: { factors: 32, regularization: 1, solver: 'cg', seed: 1 }, score: null },
    { id: 'x', params: { factors: 64, regularization: 0.01, solver: 'cg', seed: 1 }, score: 0.95 },
  ];

  it('charts varying parameters, lists fixed ones, and picks the best by the metric direction', () => {
    const s = trialsSection({ metric: 'rmse', trials });
    expect(s.params).toEqual([
      { name: 'factors', kind: 'number', categories: [], logScale: false },
      { name: 'regularization', kind: 'number', categories: [], logScale: true },
      { name: 'solver', kind: 'category', categories: ['cg', 'cholesky'], logScale: false },
    ]);
    expect(s.fixed).toEqual({ seed: 1 });
    expect(s).toMatchObject({ metric: 'rmse', higherIsBetter: false, best: '2', failed: 1 });
    expect(s.trials[0]).toEqual({ id: '1', params: trials[0]!.params, score: 0.91, seconds: 1.5, iterations: 10 });
    expect(trialsSection({ metric: 'ndcg', trials }).best).toBe('x');
    expect(trialsSection(trials)).toMatchObject({ metric: 'score', higherIsBetter: true, best: 'x' });
    expect(trialsSection({ metric: 'loss', higherIsBetter: true, trials }).best).toBe('x');
    expect(trialsSection([]).best).toBeNull();
  });

  it('rejects malformed trials', async () => {
    const bad = [
      { trials: 'no' },
      [{ id: {}, params: {}, score: 1 }],
      [{ id: 1, params: [], score: 1 }],
      [{ id: 1, params: { a: true }, score: 1 }],
      [{ id: 1, params: { a: Infinity }, score: 1 }],
      [{ id: 1, params: {}, score: '1' }],
      [{ id: 1, params: {}, score: 1, seconds: 'fast' }],
      { metric: 3, trials: [] },
      { higherIsBetter: 'yes', trials: [] },
      null,
    ];
    for (const b of bad) expect(await errorCode(() => trialsSection(b as never))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });
});
