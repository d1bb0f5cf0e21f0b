import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, ImplicitALS, Interactions, perUserSplit, tune, tuneResultToJson, type TrialResult } from '../../lib/index.js';
import { modelScorer, popularityScorer } from '../../lib/eval/compare-ranking.js';
import { evaluateRanking } from '../../lib/eval/ranking.js';
import { evaluateTopK } from '../../lib/eval/top-k-ranking.js';
import { Rng } from '../../lib/random.js';
import { parseMetric } from '../../lib/tune/metric.js';
import { planSearch } from '../../lib/tune/plan.js';
import { defaultConfiguration, sampleConfiguration } from '../../lib/tune/sampler.js';
import { resolveSpace } from '../../lib/tune/space.js';
import { rankTrials } from '../../lib/tune/successive-halving.js';
import { perUserKFold } from '../../lib/tune/validation-split.js';
import { cliIn } from '../helpers/cli.js';
import { errorCode } from '../helpers/support.js';
import { ALS_TRAITS } from '../../lib/models/als/traits.js';

/**
 * Planted taste groups: user u belongs to group u % 3 and interacts with a
 * random 45% of that group's 12 items, plus a little noise elsewhere.
 */
function implicitData(seed = 3, users = 45): Interactions {
  const rng = new Rng(seed);
  const u: string[] = [];
  const i: string[] = [];
  for (let a = 0; a < users; a++) {
    for (let b = 0; b < 36; b++) {
      const own = Math.floor(b / 12) === a % 3;
      if (rng.uniform() < (own ? 0.45 : 0.03)) {
        u.push(`u${a}`);
        i.push(`i${b}`);
      }
    }
  }
  return Interactions.fromArrays(u, i);
}

/** Ratings from a planted rank-2 model plus noise, on 1..5. */
function ratingData(seed = 5): Interactions {
  const rng = new Rng(seed);
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  const uf = Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]);
  const vf = Array.from({ length: 30 }, () => [rng.normal(), rng.normal()]);
  for (let a = 0; a < 40; a++) {
    for (let b = 0; b < 30; b++) {
      if (rng.uniform() > 0.5) continue;
      const r = 3 + uf[a]![0]! * vf[b]![0]! + uf[a]![1]! * vf[b]![1]! + 0.3 * rng.normal();
      users.push(a);
      items.push(b);
      values.push(Math.min(5, Math.max(1, Math.round(r))));
    }
  }
  return Interactions.fromArrays(users, items, { values });
}

const fast = { factors: { min: 2, max: 16 }, iterations: 6 } as const;

describe('search space and sampling', () => {
  it('has log-uniform default ranges and takes overrides', () => {
    const s = resolveSpace('als');
    expect(s.dimensions.map((d) => d.name)).toEqual(['alpha', 'confidence', 'factors', 'iterations', 'regularization']);
    expect(s.dimensions.find((d) => d.name === 'alpha')).toMatchObject({ kind: 'float', log: true });
    expect(s.dimensions.find((d) => d.name === 'iterations')).toEqual({ name: 'iterations', kind: 'fixed', value: 15 });
    const o = resolveSpace('explicit', { factors: 32, learningRate: { min: 0.01, max: 0.02, log: false }, iterations: { values: [10, 20] } });
    expect(o.dimensions.find((d) => d.name === 'factors')).toEqual({ name: 'factors', kind: 'fixed', value: 32 });
    expect(o.dimensions.find((d) => d.name === 'learningRate')).toMatchObject({ kind: 'float', log: false });
    expect(o.dimensions.find((d) => d.name === 'iterations')).toMatchObject({ kind: 'choice', values: [10, 20] });
  });

  it('refuses unknown names with a hint and bad ranges', async () => {
    const unknown = () => resolveSpace('als', { factor: 8 });
    expect(await errorCode(unknown)).toBe(ErrorCodes.UNKNOWN_OPTION);
    expect(unknown).toThrow(/Did you mean 'factors'/);
    expect(await errorCode(() => resolveSpace('bpr', { alpha: 2 }))).toBe(ErrorCodes.UNKNOWN_OPTION);
    for (const bad of [
      { factors: { min: 8, max: 4 } },
      { factors: { min: 0, max: 4 } },
      { factors: { min: 2.5, max: 8 } },
      { regularization: { min: 0, max: 1 } },
      { regularization: { min: -1, max: 1, log: false } },
      { alpha: { min: 1, max: 2, step: 1 } },
      { confidence: { min: 1, max: 2 } },
      { confidence: 'cubic' },
      { factors: { values: [] } },
      { factors: [8, 16] },
      { alpha: { min: 1, max: 2, log: 'yes' } },
    ]) {
      const code = await errorCode(() => resolveSpace('als', bad));
      expect([ErrorCodes.INVALID_ARGUMENT, ErrorCodes.UNKNOWN_OPTION], JSON.stringify(bad)).toContain(code);
    }
    expect(await errorCode(() => resolveSpace('als', { alpha: { min: 1, max: 2, step: 1 } }))).toBe(ErrorCodes.UNKNOWN_OPTION);
    expect(() => resolveSpace('als', { factors: { min: 1, max: 70000 } })).toThrow(/for factors but received 70000/);
  });

  it('draws within bounds, log-uniformly, the same for the same seed', () => {
    const space = resolveSpace('als', { factors: { min: 1, max: 4, log: false } });
    const draws = Array.from({ length: 2000 }, (_, n) => sampleConfiguration(space, 9, n));
    expect(sampleConfiguration(space, 9, 5)).toEqual(draws[5]);
    expect(sampleConfiguration(space, 10, 5)).not.toEqual(draws[5]);
    const alphas = draws.map((d) => d.alpha as number);
    expect(Math.min(...alphas)).toBeGreaterThanOrEqual(0.01);
    expect(Math.max(...alphas)).toBeLessThanOrEqual(100);
    // Log-uniform on [0.01, 100]: the median is near the geometric mean 1, not the midpoint 50.
    const median = [...alphas].sort((a, b) => a - b)[1000]!;
    expect(median).toBeGreaterThan(0.7);
    expect(median).toBeLessThan(1.4);
    const factors = draws.map((d) => d.factors as number);
    for (const f of [1, 2, 3, 4]) {
      const share = factors.filter((x) => x === f).length / factors.length;
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.3);
    }
  });

  it("uses the model's defaults as configuration 0 only when they lie in the space", () => {
    expect(defaultConfiguration(resolveSpace('als'), ALS_TRAITS.defaults)).toEqual({
      alpha: 2,
      confidence: 'linear',
      factors: 64,
      iterations: 15,
      regularization: 0.25,
    });
    expect(defaultConfiguration(resolveSpace('als', { factors: { min: 2, max: 8 } }), ALS_TRAITS.defaults)).toBeUndefined();
  });
});

describe('plans', () => {
  it('halving spends the budget on more, shorter runs', () => {
    const plan = planSearch('halving', 20, resolveSpace('als'));
    expect(plan.rungs).toEqual([
      { configurations: 57, iterations: 2 },
      { configurations: 19, iterations: 5 },
      { configurations: 6, iterations: 15 },
    ]);
    expect(plan.cost).toBeLessThanOrEqual(20);
    expect(plan.trials).toBe(82);
    const random = planSearch('random', 20, resolveSpace('als'));
    expect(random).toMatchObject({ trials: 20, rungs: [{ configurations: 20, iterations: 15 }] });
  });

  it('halves from the minimum of an iterations range, and falls back when the budget is too small', async () => {
    const plan = planSearch('halving', 10, resolveSpace('bpr', { iterations: { min: 3, max: 81 } }));
    expect(plan.rungs.map((r) => r.iterations)).toEqual([3, 9, 27, 81]);
    expect(planSearch('halving', 1, resolveSpace('als')).rungs).toEqual([{ configurations: 1, iterations: 15 }]);
    expect(await errorCode(() => planSearch('halving', 5, resolveSpace('als', { iterations: { values: [5, 10] } })))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => planSearch('halving', 0, resolveSpace('als')))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });
});

describe('metrics', () => {
  it('parses any cut-off and knows the direction', async () => {
    expect(parseMetric('NDCG@5', 'als')).toMatchObject({ name: 'ndcg@5', k: 5, direction: 'max' });
    expect(parseMetric('rmse', 'explicit')).toMatchObject({ direction: 'min' });
    expect(parseMetric('auc', 'bpr')).toMatchObject({ kind: 'ranking-auc', direction: 'max' });
    for (const bad of ['rmse', 'ndcg', 'ndcg@0', 'f1@10', 7]) expect(await errorCode(() => parseMetric(bad, 'als'))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });

  it('top-k evaluation through the native kernel agrees with evaluateRanking', async () => {
    const { train, test } = perUserSplit(implicitData(4, 60), { testFraction: 0.3, seed: 2 });
    const model = await new ImplicitALS({ factors: 6, iterations: 4, threads: 1 }).fit(train);
    for (const k of [1, 5, train.nItems]) {
      const full = evaluateRanking(modelScorer(model, train, popularityScorer(train)), train, test, { k });
      const topk = await evaluateTopK(model, train, test, { k });
      for (const m of ['precision', 'recall', 'ndcg', 'map', 'hitRate', 'coverage', 'users'] as const) expect(topk[m]).toBeCloseTo(full[m], 12);
    }
  });
});

describe('validation splits', () => {
  it('per-user k-fold: disjoint folds covering every entry of users with 2+ interactions, never a whole user', () => {
    const data = implicitData(6);
    const folds = perUserKFold(data, 4, 1);
    const count = new Int32Array(data.nnz);
    const key = (u: number, i: number) => u * data.nItems + i;
    const position = new Map<number, number>();
    for (let u = 0; u < data.nUsers; u++)
      for (let e = data.byUser.indptr[u]!; e < data.byUser.indptr[u + 1]!; e++) position.set(key(u, data.byUser.indices[e]!), e);
    for (const { train, test } of folds) {
      expect(train.nnz + test.nnz).toBe(data.nnz);
      for (let u = 0; u < data.nUsers; u++) {
        const n = data.byUser.indptr[u + 1]! - data.byUser.indptr[u]!;
        if (n >= 2) expect(train.byUser.indptr[u + 1]! - train.byUser.indptr[u]!).toBeGreaterThan(0);
        for (let e = test.byUser.indptr[u]!; e < test.byUser.indptr[u + 1]!; e++) count[position.get(key(u, test.byUser.indices[e]!))!]!++;
      }
    }
    for (let u = 0; u < data.nUsers; u++) {
      const n = data.byUser.indptr[u + 1]! - data.byUser.indptr[u]!;
      for (let e = data.byUser.indptr[u]!; e < data.byUser.indptr[u + 1]!; e++) expect(count[e]).toBe(n >= 2 ? 1 : 0);
    }
  });
});

describe('tune()', () => {
  const data = implicitData();

  it('is deterministic with a seed and records every trial', async () => {
    const seen: TrialResult[] = [];
    const options = { model: 'als', budget: 4, space: fast, seed: 7, threads: 1 } as const;
    const a = await tune(data, { ...options, onTrial: (t) => seen.push(t) });
    const b = await tune(data, options);
    expect(a.trials).toHaveLength(planSearch('halving', 4, resolveSpace('als', fast)).trials);
    expect(seen).toEqual(a.trials);
    expect(a.trials.map((t) => t.id)).toEqual(a.trials.map((_, n) => n));
    const strip = (ts: TrialResult[]) => ts.map(({ seconds: _s, ...rest }) => rest);
    expect(strip(b.trials)).toEqual(strip(a.trials));
    const c = await tune(data, { ...options, seed: 8 });
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
    for (const t of a.trials) {
      expect(t.metrics['ndcg@10']).toBe(t.score);
      expect(Object.keys(t.metrics)).toEqual(expect.arrayContaining(['precision@10', 'recall@10', 'map@10', 'hitrate@10']));
    }
  });

  it('halving promotes the best third of each rung and picks the best full-length trial', async () => {
    const r = await tune(data, { model: 'als', budget: 6, space: { ...fast, iterations: 9 }, threads: 1 });
    expect(r.plan.rungs.length).toBeGreaterThan(1);
    for (let k = 1; k < r.plan.rungs.length; k++) {
      const previous = r.trials.filter((t) => t.rung === k - 1);
      const current = r.trials.filter((t) => t.rung === k);
      expect(current.length).toBe(r.plan.rungs[k]!.configurations);
      const promoted = rankTrials(previous, 'max')
        .slice(0, current.length)
        .map((t) => t.config);
      expect(current.map((t) => t.config)).toEqual(promoted);
      expect(current.every((t) => t.params.iterations === r.plan.rungs[k]!.iterations)).toBe(true);
    }
    const last = r.trials.filter((t) => t.rung === r.plan.rungs.length - 1);
    expect(r.best.score).toBe(Math.max(...last.map((t) => t.score)));
    expect(r.best.rung).toBe(r.plan.rungs.length - 1);
    // The returned model: the best configuration, trained on all the data given.
    expect(r.model.params).toMatchObject({ factors: r.best.params.factors, alpha: r.best.params.alpha, iterations: r.best.iterations });
    expect(r.model.userIds).toHaveLength(data.nUsers);
    expect(r.model.isFitted).toBe(true);
  });

  it('random search trains every configuration at full length, with no rungs', async () => {
    const r = await tune(data, { model: 'bpr', strategy: 'random', budget: 3, space: { factors: 4, iterations: 5 }, threads: 1, metric: 'precision@5' });
    expect(r.trials).toHaveLength(3);
    expect(r.trials.every((t) => t.rung === undefined && t.iterations === 5)).toBe(true);
    expect(r.metric).toBe('precision@5');
    expect(r.best.score).toBe(Math.max(...r.trials.map((t) => t.score)));
  });

  it('minimises rmse for the explicit model, stopping early on the validation ratings', async () => {
    const ratings = ratingData();
    const r = await tune(ratings, {
      model: 'explicit',
      budget: 3,
      strategy: 'random',
      space: { factors: { min: 2, max: 8 }, iterations: 40 },
      threads: 1,
      validation: { kind: 'kfold', folds: 3 },
    });
    expect(r.metric).toBe('rmse');
    expect(r.direction).toBe('min');
    expect(r.best.score).toBe(Math.min(...r.trials.map((t) => t.score)));
    for (const t of r.trials) expect(t.metrics.mae).toBeGreaterThan(0);
    expect(r.trials.every((t) => t.iterations >= 1 && t.iterations <= 40)).toBe(true);
    expect((r.model.params as { iterations: number }).iterations).toBe(r.best.iterations);
    expect((r.model.params as { earlyStopping: unknown }).earlyStopping).toBe(false);
  });

  it('records a diverging configuration as a failed trial and carries on', async () => {
    const r = await tune(ratingData(), {
      model: 'explicit',
      strategy: 'random',
      budget: 4,
      includeDefaults: false,
      space: { learningRate: { values: [1, 0.01] }, regularization: 0, biasRegularization: 0, factors: 8, iterations: 30 },
      threads: 1,
    });
    const failed = r.trials.filter((t) => t.error !== undefined);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((t) => Number.isNaN(t.score) && t.error!.code === ErrorCodes.DIVERGED && t.params.learningRate === 1)).toBe(true);
    expect(r.best.params.learningRate).toBe(0.01);
    const json = JSON.parse(JSON.stringify(tuneResultToJson(r)));
    expect(json.trials.find((t: { error: unknown }) => t.error !== null).score).toBeNull();
  });

  it('aborts before starting and between trials', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await errorCode(tune(data, { model: 'als', budget: 2, space: fast, signal: controller.signal }))).toBe(ErrorCodes.ABORTED);
    const mid = new AbortController();
    let ran = 0;
    const p = tune(data, {
      model: 'als',
      budget: 6,
      space: fast,
      signal: mid.signal,
      onTrial: () => {
        if (++ran === 2) mid.abort();
      },
    });
    expect(await errorCode(p)).toBe(ErrorCodes.ABORTED);
    expect(ran).toBe(2);
  });

  it('refuses bad options with stable codes', async () => {
    const cases: Array<[unknown, string]> = [
      [{ model: 'als', budgt: 3 }, ErrorCodes.UNKNOWN_OPTION],
      [{ model: 'als', space: { regularisation: 1 } }, ErrorCodes.UNKNOWN_OPTION],
      [{ model: 'als', validation: { kind: 'kfold', fold: 3 } }, ErrorCodes.UNKNOWN_OPTION],
      [{ model: 'svd' }, ErrorCodes.INVALID_ARGUMENT],
      [{}, ErrorCodes.INVALID_ARGUMENT],
      [undefined, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', metric: 'rmse' }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', budget: 0 }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', budget: 2.5 }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', strategy: 'grid' }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', validation: { kind: 'kfold', folds: 1 } }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', validation: { kind: 'holdout', testFraction: 1 } }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', validation: { kind: 'bootstrap' } }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', seed: -1 }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', threads: 1.5 }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', onTrial: 'log' }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', signal: {} }, ErrorCodes.INVALID_ARGUMENT],
      [{ model: 'als', space: { factors: { min: 0, max: 8 } } }, ErrorCodes.INVALID_ARGUMENT],
    ];
    for (const [options, code] of cases) {
      expect(await errorCode(tune(data, options as never)), JSON.stringify(options)).toBe(code);
    }
    expect(await errorCode(tune([] as never, { model: 'als' }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(tune(Interactions.fromArrays([], []), { model: 'als' }))).toBe(ErrorCodes.EMPTY_DATA);
  });

  it('serializes to plain JSON a report can plot', async () => {
    const r = await tune(data, { model: 'als', budget: 2, space: fast, threads: 1 });
    const json = JSON.parse(JSON.stringify(tuneResultToJson(r)));
    expect(json).toMatchObject({ format: 'mfrec-tune', version: 1, model: 'als', metric: 'ndcg@10', direction: 'max', strategy: 'halving' });
    expect(json.trials).toHaveLength(r.trials.length);
    expect(json.best.id).toBe(r.best.id);
    expect(json.space.find((d: { name: string }) => d.name === 'alpha')).toMatchObject({ kind: 'float', log: true });
    expect(json.finalParams).toMatchObject({ factors: r.best.params.factors });
    expect(json.trials[0]).toEqual(
      expect.objectContaining({ id: 0, config: expect.any(Number), rung: 0, params: expect.any(Object), score: expect.any(Number), error: null }),
    );
  });
});

describe('mfrec tune', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-tune-'));
  const mfrec = cliIn(dir);
  const write = (file: string, d: Interactions) =>
    writeFileSync(path.join(dir, file), ['user,item', ...[...d.entries()].map((e) => `${e.user},${e.item}`)].join('\n') + '\n');

  it('tunes, saves the model and the trials, and measures on --test', async () => {
    const { train, test } = perUserSplit(implicitData(11, 60), { testFraction: 0.25, seed: 1 });
    write('train.csv', train);
    write('test.csv', test);
    const r = await mfrec(
      'tune',
      'train.csv',
      '--test',
      'test.csv',
      '--model',
      'als',
      '--budget',
      '2',
      '--metric',
      'precision@5',
      '--space',
      '{"factors":{"min":2,"max":8},"iterations":6}',
      '--threads',
      '1',
      '--out',
      'best.mfrec',
      '--trials',
      'trials.json',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ model: 'als', metric: 'precision@5', best: { params: expect.any(Object) }, test: { k: 5 } });
    expect(Object.keys(out.test.models)).toEqual(['als', 'popularity']);
    const trials = JSON.parse(readFileSync(path.join(dir, 'trials.json'), 'utf8'));
    expect(trials.trials).toHaveLength(out.trials);
    expect(trials.best).toEqual(out.best);
    const info = JSON.parse((await mfrec('info', 'best.mfrec', '--json')).stdout);
    expect(info).toMatchObject({ type: 'als', factors: out.best.params.factors });
    const human = await mfrec('tune', 'train.csv', '--model', 'als', '--budget', '1', '--space', '{"factors":4,"iterations":3}');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/best\s+ndcg@10 0\.\d{4}/);
  });

  it('fails with one line and the error code', async () => {
    const metric = await mfrec('tune', 'train.csv', '--model', 'als', '--metric', 'rmse');
    expect(metric.code).toBe(1);
    expect(metric.stderr).toMatch(/ERR_MFREC_INVALID_ARGUMENT/);
    const space = await mfrec('tune', 'train.csv', '--model', 'als', '--space', '{"factor":8}');
    expect(space.stderr).toMatch(/ERR_MFREC_UNKNOWN_OPTION/);
    expect(await mfrec('tune', 'train.csv', '--model', 'als', '--space', '{oops')).toMatchObject({ code: 1 });
    expect((await mfrec('tune', 'train.csv', '--model', 'als', '--folds', '3', '--validation-fraction', '0.1')).code).toBe(1);
    expect((await mfrec('tune', 'train.csv', '--model', 'svd')).code).toBe(2);
  });
});
