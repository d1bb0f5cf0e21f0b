import { describe, expect, it } from 'vitest';
import { IdMap, ImplicitALS, Interactions, MfrecError, evaluateLists, evaluateTopK, perUserSplit } from '../../lib/index.js';
import { randomData } from '../helpers/implicit-data.js';

/** Train and test over shared id maps, items i0..i(n-1) in index order. */
function split(nItems: number, train: [string, number][], test: [string, number][]) {
  const items = new IdMap(Array.from({ length: nItems }, (_, i) => `i${i}`));
  const users = new IdMap();
  const t = Interactions.fromArrays(
    train.map((e) => e[0]),
    train.map((e) => `i${e[1]}`),
    { users, items },
  );
  const h = Interactions.fromArrays(
    test.map((e) => e[0]),
    test.map((e) => `i${e[1]}`),
    { users, items },
  );
  return { train: t, test: h };
}

describe('evaluateLists', () => {
  it('computes every metric of a hand-worked list', () => {
    // Held out: i1, i3. List [i2, i1, i4]: one hit at rank 2.
    const { train, test } = split(
      6,
      [['a', 0]],
      [
        ['a', 1],
        ['a', 3],
      ],
    );
    const m = evaluateLists(() => [2, 1, 4], train, test, { k: 3 });
    expect(m.precision).toBeCloseTo(1 / 3, 12);
    expect(m.recall).toBeCloseTo(1 / 2, 12);
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    expect(m.map).toBeCloseTo(1 / 2 / 2, 12);
    expect(m.hitRate).toBe(1);
    expect(m.coverage).toBeCloseTo(3 / 6, 12);
    expect(m.users).toBe(1);
    expect(m.k).toBe(3);
  });

  it('scores a list as given: a short list keeps its empty slots, only the first k count, a training item is a miss', () => {
    const { train, test } = split(
      6,
      [['a', 0]],
      [
        ['a', 1],
        ['a', 3],
      ],
    );
    // Short list: one hit in one slot, precision still over k = 3.
    expect(evaluateLists(() => [1], train, test, { k: 3 }).precision).toBeCloseTo(1 / 3, 12);
    // −1 ends the list: i3 after it is not counted.
    expect(evaluateLists(() => [1, -1, 3], train, test, { k: 3 }).precision).toBeCloseTo(1 / 3, 12);
    // Past k: i3 at position 3 does not count at k = 2.
    expect(evaluateLists(() => [0, 2, 3], train, test, { k: 2 }).precision).toBe(0);
    // No list at all: evaluated, zero hits.
    const none = evaluateLists(() => undefined, train, test, { k: 2 });
    expect(none.users).toBe(1);
    expect(none.ndcg).toBe(0);
  });

  it('agrees with evaluateTopK on a model’s own batch recommendations', async () => {
    const data = randomData(60, 40, 0.2, 3);
    const { train, test } = perUserSplit(data, { testFraction: 0.25, seed: 5 });
    const model = new ImplicitALS({ factors: 4, iterations: 3, threads: 1, seed: 1 });
    await model.fit(train);
    const k = 5;
    const users = Array.from({ length: train.nUsers }, (_, u) => train.users.id(u));
    const recs = await model.recommendBatch(users, { k, filterSeen: true, threads: 1 });
    const toTrain = model.itemIds.map((id) => train.items.index(id)!);
    const lists = (u: number) => Array.from(recs.items.subarray(u * recs.k, (u + 1) * recs.k), (m) => (m < 0 ? -1 : toTrain[m]!));
    const fromLists = evaluateLists(lists, train, test, { k });
    const fromModel = await evaluateTopK(model, train, test, { k, threads: 1 });
    for (const name of ['precision', 'recall', 'ndcg', 'map', 'hitRate', 'coverage', 'users'] as const) {
      expect(fromLists[name]).toBeCloseTo(fromModel[name], 12);
    }
    expect(fromLists.precision).toBeGreaterThan(0);
  });

  it('refuses a broken list with a typed error naming the user and position', () => {
    const { train, test } = split(4, [['a', 0]], [['a', 1]]);
    const run = (list: number[]) => () => evaluateLists(() => list, train, test, { k: 3 });
    expect(run([1, 1])).toThrow(MfrecError);
    expect(run([1, 1])).toThrow(/each item at most once for list of user a, position 1/);
    expect(run([2, 4])).toThrow(/item index in \[0, 4\) or −1 for list of user a, position 1/);
    expect(run([0.5])).toThrow(MfrecError);
    expect(() => evaluateLists('no' as never, train, test)).toThrow(MfrecError);
    expect(() => evaluateLists(() => [], train, test, { k: 0 })).toThrow(MfrecError);
  });
});
