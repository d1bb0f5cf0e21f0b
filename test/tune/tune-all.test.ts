/**
 * tune() over any family's traits (one-shot families without iterations
 * included), ALS's confidence in its default space, and tuneAll().
 */
import { MODEL_TYPES } from '../../lib/models/registry.js';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, ExplicitMF, Interactions, perUserSplit, tune } from '../../lib/index.js';
import type { ModelTraits } from '../../lib/models/registry.js';
import { ALS_TRAITS } from '../../lib/models/als/traits.js';
import { EXPLICIT_TRAITS } from '../../lib/models/explicit/traits.js';
import { ImplicitALS } from '../../lib/models/als/implicit-als.js';
import { Rng } from '../../lib/random.js';
import { planSearch } from '../../lib/tune/plan.js';
import { sampleConfiguration } from '../../lib/tune/sampler.js';
import { resolveSpace } from '../../lib/tune/space.js';
import { tuneAll } from '../../lib/tune/tune-all.js';
import { errorCode } from '../helpers/support.js';

/** Planted groups: user u likes the 10 items of group u % 3 (rating 5, or 4), now and then another item (rating 1 or 2). */
function groupedRatings(seed = 11, users = 48): Interactions {
  const rng = new Rng(seed);
  const u: string[] = [];
  const i: string[] = [];
  const v: number[] = [];
  for (let a = 0; a < users; a++) {
    for (let b = 0; b < 30; b++) {
      const own = Math.floor(b / 10) === a % 3;
      if (rng.uniform() < (own ? 0.5 : 0.05)) {
        u.push(`u${a}`);
        i.push(`i${b}`);
        v.push(own ? 4 + rng.below(2) : 1 + rng.below(2));
      }
    }
  }
  return Interactions.fromArrays(u, i, { values: v });
}

/**
 * A one-shot family as the search sees it: ALS at a fixed length, with only
 * regularization and alpha searchable (no factors, no iterations), like the
 * item-to-item families whose fit has no sweeps to count.
 */
const { adaptDefaults: _adapt, ...FIXED_ALS } = ALS_TRAITS;
const ONE_SHOT: ModelTraits = {
  ...FIXED_ALS,
  label: 'one-shot ALS',
  create: (o) => new ImplicitALS({ ...o, factors: 8, iterations: 6 }),
  defaults: { regularization: 0.25, alpha: 2 },
  parameters: { regularization: 'float', alpha: 'float' },
  ranges: { regularization: { min: 0.05, max: 1, log: true }, alpha: { min: 0.5, max: 8, log: true } },
};

describe('a family without iterations', () => {
  const data = groupedRatings();

  it('is planned as random search whatever the strategy, and its space has no iterations', () => {
    const space = resolveSpace({ type: 'oneshot', traits: ONE_SHOT });
    expect(space.dimensions.map((d) => d.name)).toEqual(['alpha', 'regularization']);
    expect(planSearch('halving', 5, space)).toEqual({ strategy: 'random', rungs: [{ configurations: 5, iterations: undefined }], trials: 5, cost: 5 });
  });

  it('is tuned by fitting every configuration once, defaults first, and the best retrained', async () => {
    const r = await tune(data, { model: { type: 'oneshot', traits: ONE_SHOT }, budget: 4, threads: 1 });
    expect(r.modelType).toBe('oneshot');
    expect(r.strategy).toBe('random');
    expect(r.trials).toHaveLength(4);
    expect(r.trials[0]!.params).toEqual({ alpha: 2, regularization: 0.25 });
    for (const t of r.trials) {
      expect(Object.keys(t.params).sort()).toEqual(['alpha', 'regularization']);
      expect(t.rung).toBeUndefined();
      expect(Number.isFinite(t.score)).toBe(true);
    }
    expect(r.best.score).toBe(Math.max(...r.trials.map((t) => t.score)));
    expect(r.model.params).toMatchObject({ ...r.best.params, iterations: 6, factors: 8 });
    expect(r.model.isFitted).toBe(true);
  });

  it('refuses a family object without usable traits', async () => {
    expect(await errorCode(tune(data, { model: { type: 'x', traits: {} } as never }))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });
});

describe("ALS's default search space", () => {
  it('searches both confidence shapes and an alpha range from 0.01 to 100', () => {
    const space = resolveSpace('als');
    expect(space.dimensions.find((d) => d.name === 'confidence')).toEqual({ name: 'confidence', kind: 'choice', values: ['linear', 'log'] });
    const draws = Array.from({ length: 400 }, (_, n) => sampleConfiguration(space, 3, n));
    for (const c of ['linear', 'log']) expect(draws.filter((d) => d.confidence === c).length).toBeGreaterThan(150);
    const alphas = draws.map((d) => d.alpha as number);
    expect(alphas.some((a) => a < 0.05)).toBe(true);
    expect(alphas.some((a) => a > 20)).toBe(true);
  });

  it('tune trains and scores ALS with each confidence', async () => {
    const r = await tune(groupedRatings(), { model: 'als', strategy: 'random', budget: 6, space: { factors: 8, iterations: 4 }, threads: 1 });
    const tried = new Set(r.trials.map((t) => t.params.confidence));
    expect([...tried].sort()).toEqual(['linear', 'log']);
    expect(r.trials.every((t) => Number.isFinite(t.score))).toBe(true);
    expect(r.model.params.confidence).toBe(r.best.params.confidence);
  });
});

describe('validation split of a rating model searched on a ranking metric', () => {
  it('is per user, the same split as the ranking families get', async () => {
    const data = groupedRatings(5);
    const fitted: Interactions[] = [];
    const watching: ModelTraits = {
      ...EXPLICIT_TRAITS,
      create: (o) => {
        const m = new ExplicitMF(o);
        const fit = m.fit.bind(m);
        m.fit = (d: Interactions, c?: object) => (fitted.push(d), fit(d, c));
        return m;
      },
    };
    await tune(data, {
      model: { type: 'explicit', traits: watching },
      metric: 'ndcg@5',
      strategy: 'random',
      budget: 1,
      space: { factors: 4, iterations: 3 },
      threads: 1,
      seed: 9,
    });
    const expected = perUserSplit(data, { testFraction: 0.2, seed: 9 }).train;
    expect(fitted[0]!.nnz).toBe(expected.nnz);
    expect(Array.from(fitted[0]!.byUser.indptr)).toEqual(Array.from(expected.byUser.indptr));
    expect(Array.from(fitted[0]!.byUser.indices)).toEqual(Array.from(expected.byUser.indices));
  });
});

describe('tuneAll()', () => {
  const data = groupedRatings();
  const small = { budget: 2, strategy: 'random', threads: 1 } as const;

  it('searches every family of the registry on one metric and keeps the best', async () => {
    const seen: string[] = [];
    const r = await tuneAll(data, { ...small, onFamily: (f) => seen.push(f.modelType) });
    expect(r.families.map((f) => f.modelType)).toEqual(MODEL_TYPES);
    expect(seen).toEqual(MODEL_TYPES);
    expect(r.metric).toBe('ndcg@10');
    for (const f of r.families) expect(f.metric).toBe('ndcg@10');
    expect(r.best.best.score).toBe(Math.max(...r.families.map((f) => f.best.score)));
    expect(r.best.model.isFitted).toBe(true);
  });

  it('takes a list of families, registry types or traits', async () => {
    const r = await tuneAll(data, { ...small, models: ['bpr', { type: 'oneshot', traits: ONE_SHOT }], metric: 'precision@5' });
    expect(r.families.map((f) => f.modelType)).toEqual(['bpr', 'oneshot']);
    expect(r.families[1]!.trials).toHaveLength(2);
  });

  it('refuses a rating metric, an empty list and unknown options', async () => {
    expect(await errorCode(tuneAll(data, { ...small, metric: 'rmse' }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(tuneAll(data, { ...small, models: [] }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(tuneAll(data, { ...small, space: {} } as never))).toBe(ErrorCodes.UNKNOWN_OPTION);
  });
});
