import { describe, expect, it } from 'vitest';
import { ImplicitALS, Interactions } from '../../lib/index.js';
import { perUserSplit } from '../../lib/data/split.js';
import { compareRanking } from '../../lib/eval/compare-ranking.js';

/** Two groups of users, each interacting with its own half of the catalogue, plus a popular item for everyone. */
function groups(): Interactions {
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 60; u++) {
    users.push(u);
    items.push(999);
    for (let i = 0; i < 20; i++) {
      if (i % 2 === u % 2 && (u + i) % 3 !== 0) {
        users.push(u);
        items.push(i);
      }
    }
  }
  return Interactions.fromArrays(users, items);
}

describe('compareRanking', () => {
  it('evaluates a model next to popularity on the same users', async () => {
    const { train, test } = perUserSplit(groups(), { testFraction: 0.3, seed: 5 });
    const als = await new ImplicitALS({ factors: 4, iterations: 10, threads: 1 }).fit(train);
    const r = compareRanking({ als }, train, test, { k: 3 });
    expect(Object.keys(r.models)).toEqual(['als', 'popularity']);
    expect(r.models.als!.users).toBe(r.models.popularity!.users);
    expect(r.k).toBe(3);
    expect(r.models.als!.precision).toBeGreaterThan(r.models.popularity!.precision);
    expect(r.models.als!.auc).toBeGreaterThan(0.8);
  });

  it('scoreItems matches the scores recommend ranks', async () => {
    const model = await new ImplicitALS({ factors: 4, iterations: 3, threads: 1 }).fit(groups());
    const scores = model.scoreItems(4)!;
    const top = model.recommend(4, { k: 3, filterSeen: false });
    const ids = model.itemIds;
    for (const r of top) expect(scores[ids.findIndex((id) => id === r.item)]).toBeCloseTo(r.score, 5);
    expect(model.scoreItems('nobody')).toBeUndefined();
  });
});
