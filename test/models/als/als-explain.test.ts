/**
 * explain() on ALS and the explicit model under every convention their
 * fold-ins use (confidence 'linear' and 'log', negative values, scaled
 * regularization; the explicit model's frequency-scaled penalties): the
 * contributions sum to the fold-in score of the training history, and the
 * share of an item with a negative value is zero.
 */
import { describe, expect, it } from 'vitest';
import { ExplicitMF, ImplicitALS, Interactions } from '../../../lib/index.js';
import { randomData } from '../../helpers/implicit-data.js';
import { Rng } from '../../../lib/random.js';

function historyOf(data: Interactions, u: number): { items: number[]; values: number[] } {
  const d = data.byUser;
  return {
    items: Array.from(d.indices.subarray(d.indptr[u]!, d.indptr[u + 1]!), (i) => data.items.id(i) as number),
    values: Array.from(d.values.subarray(d.indptr[u]!, d.indptr[u + 1]!)),
  };
}

function expectSumsToFoldIn(model: ImplicitALS | ExplicitMF, data: Interactions, users: number[]): void {
  for (const u of users) {
    const user = data.users.id(u);
    const folded = model.recommend(user, { recalculate: true, interactions: historyOf(data, u), k: data.nItems, filterSeen: false });
    for (const r of folded) {
      const e = model.explain(user, r.item, { n: 10_000 });
      const sum = e.contributions.reduce((s, c) => s + c.contribution, e.base);
      expect(Math.abs(sum - r.score), `${user} ${r.item}`).toBeLessThanOrEqual(2e-4 * Math.max(1, Math.abs(r.score)));
      expect(Math.abs(e.score - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(sum)));
    }
  }
}

describe('ALS explain under every confidence convention', () => {
  const data = randomData(60, 40, 0.2, 7, true);
  for (const options of [
    { confidence: 'linear', alpha: 5 },
    { confidence: 'log', alpha: 3, epsilon: 0.5 },
    { confidence: 'linear', alpha: 2, scaleRegularization: true, regularization: 0.05 },
  ] as const) {
    it(`sums to the fold-in score (${JSON.stringify(options)}); negative values contribute 0`, async () => {
      const model = await new ImplicitALS({ factors: 6, iterations: 5, threads: 1, ...options }).fit(data);
      expectSumsToFoldIn(model, data, [0, 7, 31, 59]);
      let negatives = 0;
      for (let u = 0; u < 60; u++) {
        const h = historyOf(data, u);
        const e = model.explain(data.users.id(u), data.items.id(0), { n: 10_000 });
        for (const c of e.contributions) {
          if (h.values[h.items.indexOf(c.item as number)]! < 0) {
            negatives++;
            expect(c.contribution).toBe(0);
          }
        }
      }
      expect(negatives).toBeGreaterThan(0);
    });
  }
});

describe('explicit explain', () => {
  const rng = new Rng(3);
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < 50; u++) {
    for (let i = 0; i < 30; i++) {
      if (rng.uniform() < 0.3) continue;
      users.push(u);
      items.push(i);
      values.push(1 + rng.below(5));
    }
  }
  const data = Interactions.fromArrays(users, items, { values });

  it.each(['native', 'js'] as const)('base is μ + b_i and the ratings contributions sum to the fold-in prediction (%s backend)', async (backend) => {
    const model = await new ExplicitMF({ factors: 5, iterations: 30, threads: 1, seed: 2, backend }).fit(data);
    expectSumsToFoldIn(model, data, [0, 13, 49]);
    const folded = model.recalculateUser(historyOf(data, 13));
    const e = model.explain(13, 4, { n: 1 });
    const bare = model.predictFor({ bias: 0, factors: new Float32Array(5) }, 4); // μ + b_i
    expect(e.base).toBeCloseTo(bare, 4);
    expect(e.score).toBeCloseTo(model.predictFor(folded, 4), 3);
  });
});
